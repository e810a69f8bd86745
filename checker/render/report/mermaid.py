"""A counterexample as a Mermaid `sequenceDiagram` (rendered by GitHub, GitLab and others in a
```mermaid block): a participant per thread and per object the trace touches, an arrow per
effect labelled with its step number, the marked steps inside a red `rect` with a note saying
why, and the violation as a final note over every lifeline.

Escaping: participants get ids (`t0`, `r0`) and their names as aliases, so no model name can be
a Mermaid keyword (`end`, `participant`). Every text from the model goes through `text`:
control characters as visible escapes (`safe.printable`), then each character outside a small
plain set as a Mermaid entity code (`#35;` for `#`, `#59;` for `;`, `#60;` for `<`, `#96;` for a
backtick), so no text can end a statement, start a comment, draw an arrow, open HTML or close
the Markdown fence. Input: `lanes.Lanes`; output: the lines of the diagram, without the fence.
"""
from __future__ import annotations

from checker.render.report.lanes import Lanes
from checker.render.safe import printable

PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _.,=+*/()[]'!?@:-")
MARK = "rgb(255, 220, 220)"  # the marked steps' background


def text(value: object) -> str:
    """Model text for a Mermaid label: printable, every character outside PLAIN (and not a
    letter or digit of another script) as `#CODE;`."""
    return "".join(c if c in PLAIN or (c.isalnum() and ord(c) > 0x7f) else f"#{ord(c)};"
                   for c in printable(value))


def ids(lanes: Lanes) -> dict[str, str]:
    """Lifeline name -> Mermaid id: threads t0, t1, ...; objects r0, r1, ..."""
    out = {t: f"t{k}" for k, t in enumerate(lanes.threads)}
    out.update({r: f"r{k}" for k, r in enumerate(lanes.resources)})
    return out


def diagram(lanes: Lanes) -> list[str]:
    """The `sequenceDiagram` lines (see the module docstring)."""
    who = ids(lanes)
    out = ["sequenceDiagram"]
    out += [f"    participant {who[t]} as {text(t)}" for t in lanes.threads]
    out += [f"    participant {who[r]} as {text(r)}" for r in lanes.resources]
    steps = lanes.steps
    for n in steps:
        body = [arrow(a, who) for a in lanes.arrows if a.step == n]
        why = lanes.marked.get(n)
        if n in lanes.marked:
            thread = next(a.thread for a in lanes.arrows if a.step == n)
            note = [f"    Note right of {who[thread]}: {text(why)}"] if why else []
            body = [f"    rect {MARK}", *("  " + b for b in body), *("  " + x for x in note), "    end"]
        out += body
    first = who[(lanes.threads + lanes.resources)[0]] if lanes.threads else None
    last = who[(lanes.threads + lanes.resources)[-1]] if lanes.threads else None
    if first is not None:
        span = first if first == last else f"{first},{last}"
        out.append(f"    Note over {span}: {text(lanes.ending)}")
    return out


def arrow(a, who: dict[str, str]) -> str:
    """One arrow: `t0->>r0: 1: read w = 0, tmp = 0` (to itself for local work)."""
    target = who.get(a.target, who[a.thread]) if a.target is not None else who[a.thread]
    return f"    {who[a.thread]}->>{target}: {a.step}: {text(a.label)}"
