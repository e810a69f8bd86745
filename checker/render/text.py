"""Results for people: a verdict line, then for a violation the property (with the values that
made a `final` or `always` false), the inputs, the trace (`steps`: one column per thread, or a
per-step list when the columns would be too narrow), then the state at the violation.

Every text that comes from the model (its name, `about:`, file path, thread names, statements,
values) passes through `safe.printable`, so a model cannot send control sequences to a terminal.
"""
from __future__ import annotations

import textwrap
from io import StringIO

from rich.console import Console
from rich.text import Text

from checker.render.safe import printable
from checker.render.steps import trace_table
from checker.render.words import deadlock_heading, plural, property_values, show_value, shown_violation
from checker.result import Result, Verdict
from checker.trace import wait_line

COLOR = {Verdict.HOLDS: "green", Verdict.VIOLATED: "red", Verdict.BOUNDED: "yellow", Verdict.UNKNOWN: "yellow"}


def headline(r: Result) -> str:
    """'VIOLATED (final)', 'HOLDS (complete proof)', ..."""
    if r.verdict is Verdict.VIOLATED:
        return f"VIOLATED ({printable(r.violation.kind)})"
    return {Verdict.HOLDS: "HOLDS (complete proof)", Verdict.BOUNDED: "BOUNDED (no violation within the bound; not a proof)",
            Verdict.UNKNOWN: "UNKNOWN"}[r.verdict]


def stats_line(r: Result) -> str:
    """'explored: 2 executions, 7 steps, 1 solver call, 0.003 s [optimal dpor]'."""
    s = r.stats
    parts = [plural(s["executions"], "execution")]
    if s.get("states"):
        parts.append(plural(s["states"], "state"))
    parts.append(plural(s["steps"], "step"))
    for key, word in (("blocked", "sleep-set blocked"), ("assumed", "discarded by assume"), ("cuts", "cut by a bound")):
        if s.get(key):
            parts.append(f"{s[key]} {word}")
    if s.get("solver_calls"):
        parts.append(plural(s["solver_calls"], "solver call"))
    parts.append(f"{s['seconds']:.3f} s")
    return f"explored: {', '.join(parts)} [{r.strategy}]"


def render(r: Result, width: int = 110, color: bool = False) -> str:
    """The text report of one result, `width` columns wide (colours when `color`)."""
    buf = StringIO()
    con = Console(file=buf, width=width, force_terminal=color, color_system="standard" if color else None,
                  highlight=False, soft_wrap=False, markup=False, emoji=False)
    con.print(Text.assemble((f"{printable(r.file)}: ", "bold"), f"{printable(r.model)}: ",
                            (headline(r), f"bold {COLOR[r.verdict]}")))
    if r.about and r.verdict is Verdict.VIOLATED:
        con.print(_wrap("about: " + printable(" ".join(r.about.split())), width))
    if r.reason:
        con.print(_wrap(f"why: {printable(r.reason)}", width))
    v = shown_violation(r)
    if v is not None:
        _violation(con, r, v, width)
    for note in r.notes:
        con.print(_wrap(f"note: {printable(note)}", width))
    con.print(f"  {stats_line(r)}")
    if r.expect is not None:
        met = "met" if r.expect_met else "NOT MET"
        con.print(Text.assemble(f"  expect: {printable(r.expect)} -- ", (met, "green" if r.expect_met else "bold red")))
    return "\n".join(line.rstrip() for line in buf.getvalue().split("\n"))


def _violation(con: Console, r: Result, v, width: int) -> None:
    where = f"  property: {printable(v.kind)} at line {v.line}, column {v.col}: {printable(v.text)}"
    values = property_values(r)
    con.print(where + (f"  ({printable(values)})" if values else ""))
    if (v.detail or {}).get("summary"):  # a heading, then each thread once (the message lists them too)
        con.print(f"  {printable(deadlock_heading(v))}")
        for w in v.detail["waits"]:
            con.print(_wrap(printable(wait_line(w)), width, indent="    "))
    else:
        con.print(_wrap(printable(v.message), width))
    if r.trace is None:
        return
    trace = r.trace
    con.print("  inputs: " + (", ".join(f"{printable(k)} = {show_value(x)}" for k, x in trace.inputs.items()) or "none"))
    con.print(f"  trace ({plural(len([s for s in trace.steps if s.number]), 'step')}):")
    con.print(trace_table(trace, con, width))
    st = trace.state
    con.print("  state at the violation:")
    shared = ", ".join(f"{printable(k)} = {printable(show_value(x))}" for k, x in st["shared"].items())
    con.print(_wrap("shared: " + (shared or "none"), width, indent="    "))
    if st["locks"]:
        con.print(_wrap("locks: " + ", ".join(f"{printable(k)}: {printable(x)}" for k, x in st["locks"].items()),
                        width, indent="    "))
    done = [printable(name) for name, where in st["threads"].items() if where == "finished"]
    for name, where in st["threads"].items():
        if where != "finished":
            con.print(_wrap(f"{printable(name)}: {printable(where)}", width, indent="    "))
    if done:
        con.print(_wrap("finished: " + ", ".join(done), width, indent="    "))


def _wrap(text: str, width: int, indent: str = "  ") -> str:
    return textwrap.fill(text, width=width - 2, initial_indent=indent, subsequent_indent=indent + "  ",
                         break_on_hyphens=False)
