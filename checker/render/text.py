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

from checker.describe import wait_line
from checker.render.outcome import Outcome, Style
from checker.render.safe import printable
from checker.render.steps import trace_table
from checker.render.words import deadlock_heading, plural, property_values, show_value, shown_violation
from checker.result import Result, Verdict
from checker.trace import header

COLOR = {Verdict.HOLDS: "green", Verdict.VIOLATED: "red", Verdict.BOUNDED: "yellow", Verdict.UNKNOWN: "yellow"}


def headline(r: Result) -> str:
    """'VIOLATED (final)', 'VIOLATED (final, deadlock)', 'HOLDS (complete proof)', ..."""
    if r.verdict is Verdict.VIOLATED:
        kinds = list(dict.fromkeys(p.kind for p in r.violated)) or [r.violation.kind]
        return f"VIOLATED ({printable(', '.join(kinds))})"
    return {Verdict.HOLDS: "HOLDS (complete proof)", Verdict.BOUNDED: "BOUNDED (no violation within the bound; not a proof)",
            Verdict.UNKNOWN: "UNKNOWN"}[r.verdict]


def stats_line(r: Result) -> str:
    """'explored: 2 executions, 7 steps, 1 solver call, 0.003 s [optimal dpor]'."""
    s = r.stats
    parts = [plural(s["executions"], "execution")]
    if s.get("states"):
        parts.append(plural(s["states"], "state"))
    parts.append(plural(s["steps"], "step"))
    for key, word in (("ended", "ended by a violation"), ("blocked", "sleep-set blocked"), ("assumed", "discarded by assume"),
                      ("cuts", "cut by a bound")):
        if s.get(key):
            parts.append(f"{s[key]} {word}")
    if s.get("solver_calls"):
        parts.append(plural(s["solver_calls"], "solver call"))
    parts.append(f"{s['seconds']:.3f} s")
    return f"explored: {', '.join(parts)} [{r.strategy}]"


def smt2_line(smt2: dict) -> str:
    """'3 obligation files and manifest.json in proof' (--emit-smt2; the hash has a line of its own)."""
    return f"{plural(smt2['files'], 'obligation file')} and manifest.json in {printable(smt2['dir'])}"


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
    if r.properties:
        _table(con, r, width)
    shown = r.violated or ((r,) if r.violation is not None else ())
    for k, p in enumerate(shown, 1):
        if len(shown) > 1:
            con.print(f"  counterexample {k} of {len(shown)}:")
        _violation(con, p, shown_violation(p), width)
    for note in r.notes:
        con.print(_wrap(f"note: {printable(note)}", width))
    con.print(f"  {stats_line(r)}", soft_wrap=True)  # one line, however long: tools grep it
    if r.smt2 is not None:
        con.print(_wrap(f"smt2: {smt2_line(r.smt2)}", width))
        con.print(f"  smt2 sha256: {r.smt2['sha256']}")
    if r.expect is not None:
        met = "met" if r.expect_met else "NOT MET"
        con.print(Text.assemble(f"  expect: {printable(r.expect)} -- ", (met, "green" if r.expect_met else "bold red")))
    return "\n".join(line.rstrip() for line in buf.getvalue().split("\n"))


def _table(con: Console, r: Result, width: int) -> None:
    """One line per property: its verdict, then what it is."""
    con.print(f"  {plural(len(r.properties), 'property', 'properties')}:")
    for p in r.properties:
        what = p.text
        if p.line is not None:  # a `check:` entry, as written, and where
            what = (what if what.startswith("no_") else f"{p.kind}: {what}") + f"  (line {p.line})"
        style = COLOR[p.verdict] if p.verdict is not Verdict.HOLDS else ""
        con.print(Text.assemble("    ", (f"{p.verdict.value:<9}", style), printable(what)), overflow="ellipsis",
                  no_wrap=True, crop=True)
    reasons = dict.fromkeys(p.reason for p in r.properties if p.reason and p.reason != r.reason)
    for reason in reasons:  # why a property is unknown or bounded, once each (the headline gives the first)
        con.print(_wrap(f"why: {printable(reason)}", width, indent="    "))


def _violation(con: Console, r, v, width: int) -> None:
    """A violated property (a `PropertyResult`, or a `Result` without a property table): where,
    why, the inputs, the trace and the state at the violation."""
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
    con.print(f"  trace ({header(trace)}):")
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


def counterexample(p, width: int = 110) -> str:
    """One violated property's part of the report, as plain text: where, why, the inputs, the
    trace and the state at the violation (JUnit's failure text)."""
    buf = StringIO()
    con = Console(file=buf, width=width, force_terminal=False, color_system=None, highlight=False, soft_wrap=False,
                  markup=False, emoji=False)
    _violation(con, p, shown_violation(p), width)
    return "\n".join(line.rstrip() for line in buf.getvalue().split("\n"))


def report(o: Outcome, style: Style) -> str:
    """The `text` format's part for one model, written as soon as it is verified: its report
    ('' for an invalid model or an internal error, which go to standard error)."""
    return render(o.result, width=style.width, color=style.color) if o.result is not None else ""


def summary(outcomes: list[Outcome], style: Style) -> str:
    """What the `text` format writes after the last report: for several models, one line of
    counts ('3 models: 1 holds, 2 violated')."""
    if len(outcomes) < 2:
        return ""
    words = [o.word for o in outcomes]
    counts = {w: words.count(w) for w in dict.fromkeys(words)}
    return f"{len(outcomes)} models: " + ", ".join(f"{n} {w}" for w, n in counts.items()) + "\n"
