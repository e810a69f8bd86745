"""Results as compact Markdown, for a pull request comment or a CI summary: per model a section
with its verdict, a table of its properties, and for each violated property its message, its
inputs and a step table (step, thread, statement, line, what it did).

It is deliberately small: one section per model, no model tables or diagrams. Every text from
the model goes through `safe.markdown` (control characters escaped, then Markdown and HTML
metacharacters backslash-escaped), so a model's text shows as written and can neither inject
links, HTML or table cells nor send escape codes to a terminal that shows the file.
"""
from __future__ import annotations

from checker.render.outcome import Outcome, Style
from checker.render.safe import markdown as md
from checker.render.steps import rows
from checker.render.words import plural, property_values, show_value, shown_violation
from checker.result import Verdict
from checker.trace import header

VERDICT = {Verdict.HOLDS: "holds", Verdict.VIOLATED: "**violated**", Verdict.BOUNDED: "*bounded*",
           Verdict.UNKNOWN: "*unknown*"}


def table(header: list[str], body: list[list[str]]) -> list[str]:
    """A GitHub Markdown table; cells must already be escaped."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return lines


def steps(trace) -> list[str]:
    """A trace as a table: one row per statement (a statement over several steps: `1-3`)."""
    body = []
    for row in rows(trace):
        for k, a in enumerate(row.actions):
            body.append([row.label if k == 0 else "", md(row.thread) if k == 0 else "", md(a.text),
                         "" if a.line is None else str(a.line) + (" (continued)" if a.continued else ""),
                         "; ".join(md(e) for e in a.effects)])
    return table(["#", "thread", "statement", "line", "effect"], body)


def counterexample(p) -> list[str]:
    """A violated property: heading, message, inputs, step table."""
    v = shown_violation(p)
    where = f"{md(v.kind)} at line {v.line}" if v.line else md(v.kind)
    out = [f"### Counterexample: {where}", "", md(v.message)]
    values = property_values(p)
    if values:
        out += ["", f"Values: {md(values)}"]
    t = p.trace
    if t is not None:
        inputs = ", ".join(f"{md(k)} = {md(show_value(x))}" for k, x in t.inputs.items()) or "none"
        out += ["", f"Inputs: {inputs}", "", f"Trace ({header(t)}):", "", *steps(t)]
    return out


def section(o: Outcome) -> list[str]:
    """One model's section."""
    if o.result is None:
        if o.error is not None:
            e = o.error
            body = [f"{md(o.path)}:{e.pos.line}:{e.pos.col}: error: {md(e.message)}"]
            if e.hint:
                body += ["", f"hint: {md(e.hint)}"]
        else:
            body = [f"{md(o.internal)} (a bug in checker; please report it with the model)"]
        return [f"## {md(o.path)}: invalid" if o.error is not None else f"## {md(o.path)}: internal error", "",
                *body, ""]
    r = o.result
    out = [f"## {md(r.model)}: {r.verdict.value}", "", f"File: {md(o.path)}"]
    if r.reason:
        out += ["", f"Why: {md(r.reason)}"]
    body = [[md(p.kind), md(p.text), "" if p.line is None else str(p.line), VERDICT[p.verdict]] for p in r.properties]
    out += ["", *table(["kind", "property", "line", "verdict"], body)]
    for p in (r.violated or ((r,) if r.violation is not None else ())):
        out += ["", *counterexample(p)]
    s = r.stats
    out += ["", f"Explored: {plural(s.get('executions', 0), 'execution')}, {plural(s.get('steps', 0), 'step')} "
                f"[{md(r.strategy)}]", ""]
    return out


def document(outcomes: list[Outcome], style: Style) -> str:
    """The `markdown` format: a section per model, in command-line order."""
    return "\n".join(line for o in outcomes for line in section(o))
