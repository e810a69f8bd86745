"""Results for people: a verdict line, then for a violation the property, the inputs, and the
trace with one column per thread (rich tables), then the state at the violation."""
from __future__ import annotations

import textwrap
from io import StringIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from checker.result import Result, Verdict

COLOR = {Verdict.HOLDS: "green", Verdict.VIOLATED: "red", Verdict.BOUNDED: "yellow", Verdict.UNKNOWN: "yellow"}


def headline(r: Result) -> str:
    if r.verdict is Verdict.VIOLATED:
        return f"VIOLATED ({r.violation.kind})"
    return {Verdict.HOLDS: "HOLDS (complete proof)", Verdict.BOUNDED: "BOUNDED (no violation within the bound; not a proof)",
            Verdict.UNKNOWN: "UNKNOWN"}[r.verdict]


def stats_line(r: Result) -> str:
    s = r.stats
    parts = [f"{s['executions']} executions"]
    if s.get("states"):
        parts.append(f"{s['states']} states")
    parts.append(f"{s['steps']} steps")
    for key, word in (("blocked", "sleep-set blocked"), ("assumed", "discarded by assume"), ("cuts", "cut by a bound")):
        if s.get(key):
            parts.append(f"{s[key]} {word}")
    if s.get("solver_calls"):
        parts.append(f"{s['solver_calls']} solver calls")
    parts.append(f"{s['seconds']:.3f} s")
    return f"explored: {', '.join(parts)} [{r.strategy}]"


def trace_table(r: Result, width: int) -> Table:
    trace = r.trace
    threads = []
    for s in trace.steps:
        if s.thread not in threads:
            threads.append(s.thread)
    table = Table(box=box.SIMPLE_HEAD, show_lines=False, expand=False, pad_edge=False)
    table.add_column("#", justify="right", no_wrap=True)
    for t in threads:
        table.add_column(t, overflow="fold")
    show_locks = any(s.locks for s in trace.steps)
    if show_locks:
        table.add_column("locks held after", overflow="fold", style="dim")
    for s in trace.steps:
        cell = Text()
        for k, a in enumerate(s.actions):
            if k:
                cell.append("\n")
            cell.append(f"{a.text}", style="bold")
            cell.append(f"  (line {a.line})", style="dim")
            for eff in a.effects:
                cell.append(f"\n  {eff}")
        row = [str(s.number) if s.number else "start"] + [cell if t == s.thread else Text("") for t in threads]
        if show_locks:
            row.append(", ".join(f"{k}: {v}" for k, v in s.locks.items()) or "-")
        table.add_row(*row)
    return table


def render(r: Result, width: int = 110, color: bool = False) -> str:
    buf = StringIO()
    con = Console(file=buf, width=width, force_terminal=color, color_system="standard" if color else None,
                  highlight=False, soft_wrap=False, markup=False)
    con.print(Text.assemble((f"{r.file}: ", "bold"), f"{r.model}: ", (headline(r), f"bold {COLOR[r.verdict]}")))
    if r.about and r.verdict is Verdict.VIOLATED:
        con.print(_wrap("about: " + " ".join(r.about.split()), width))
    if r.reason:
        con.print(_wrap(f"why: {r.reason}", width))
    v = r.violation
    if v is not None:
        con.print(f"  property: {v.kind} at line {v.line}, column {v.col}: {v.text}")
        con.print(_wrap(v.message, width))
        if v.detail and v.detail.get("waits"):
            for w in v.detail["waits"]:
                held = f" (held by {', '.join(w['held_by'])})" if w["held_by"] else ""
                con.print(f"    {w['thread']} waits for {w['waits_for']}{held}")
        if r.trace is not None:
            inputs = r.trace.inputs
            con.print("  inputs: " + (", ".join(f"{k} = {_show(x)}" for k, x in inputs.items()) or "none"))
            con.print(f"  trace ({len([s for s in r.trace.steps if s.number])} steps):")
            con.print(trace_table(r, width))
            st = r.trace.state
            con.print("  state at the violation:")
            con.print("    shared: " + (", ".join(f"{k} = {_show(x)}" for k, x in st["shared"].items()) or "none"))
            if st["locks"]:
                con.print("    locks: " + ", ".join(f"{k}: {x}" for k, x in st["locks"].items()))
            for name, where in st["threads"].items():
                con.print(f"    {name}: {where}")
    for note in r.notes:
        con.print(f"  note: {note}")
    con.print(f"  {stats_line(r)}")
    if r.expect is not None:
        met = "met" if r.expect_met else "NOT MET"
        con.print(Text.assemble(f"  expect: {r.expect} -- ", (met, "green" if r.expect_met else "bold red")))
    return buf.getvalue()


def _wrap(text: str, width: int) -> str:
    return textwrap.fill(text, width=width - 2, initial_indent="  ", subsequent_indent="    ")


def _show(x) -> str:
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, list):
        return "[" + ", ".join(str(c) for c in x) + "]"
    return str(x)
