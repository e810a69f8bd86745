"""A counterexample as an SVG swim-lane diagram, for the HTML report.

Lanes left to right (threads, then the objects the trace touches), each with its name on top
and a dashed lifeline; one row per arrow (`lanes.Arrow`), from the thread's lane to the object's
(a loop back to the thread for local work), its label `STEP: EFFECT` above it. Every row is a
`<g class="step" data-steps="N">` so the page's script can highlight the current step; marked
steps have the class `marked` (a red band) and a line saying why; the violation is a red box
at the bottom, wrapped at WRAP characters. Every text from the model goes through `printable`
and `html.escape`.

Input: `lanes.Lanes`; output: one `<svg>` element (inline in HTML5: no xmlns, no URL).
"""
from __future__ import annotations

import textwrap
from html import escape

from checker.render.report.lanes import Arrow, Lanes
from checker.render.safe import printable

CHAR = 7.2  # px per character of the 12 px monospace labels, for the layout
ROW, NOTE, HEAD, PAD = 30, 20, 44, 16
WRAP = 110  # characters per line of the violation's box


def esc(value: object) -> str:
    """Model text for SVG text or an attribute."""
    return escape(printable(value), quote=True)


def column_width(lanes: Lanes) -> int:
    """Lanes are wide enough for the longest name and most labels (clamped to 150..360 px)."""
    longest = max([len(printable(n)) for n in lanes.threads + lanes.resources] +
                  [len(printable(f"{a.step}: {a.label}")) for a in lanes.arrows], default=10)
    return int(min(360, max(150, longest * CHAR + 30)))


def render(lanes: Lanes) -> str:
    """The `<svg>` element (see the module docstring)."""
    names = lanes.threads + lanes.resources
    col = column_width(lanes)
    x = {n: PAD + col // 2 + k * col for k, n in enumerate(names)}
    body, y = [], HEAD + 12
    widest = PAD * 2 + col * len(names)
    for n in lanes.steps:
        rows = [a for a in lanes.arrows if a.step == n]
        why = lanes.marked.get(n)
        height = ROW * len(rows) + (NOTE if why else 0)
        cls = "step marked" if n in lanes.marked else "step"
        parts = [f'<g class="{cls}" data-steps="{n}">',
                 f'<rect class="band" x="0" y="{y}" width="WIDTH" height="{height}"/>']
        for k, a in enumerate(rows):
            parts.append(arrow(a, x, y + ROW * k + 22))
            widest = max(widest, x[a.thread] + len(printable(f"{n}: {a.label}")) * CHAR + 60)
        if why:
            left = x[rows[0].thread] + 6
            parts.append(f'<text class="why" x="{left}" y="{y + height - 6}">{esc(why)}</text>')
            widest = max(widest, left + len(printable(why)) * CHAR + PAD)
        body.append("".join(parts) + "</g>")
        y += height
    lines = textwrap.wrap(printable(lanes.ending), WRAP) or [""]
    end_w = max(len(line) for line in lines) * CHAR + 24
    widest = int(max(widest, end_w + 2 * PAD))
    spans = "".join(f'<tspan x="{PAD + 12}" dy="{0 if k == 0 else 16}">{escape(line, quote=True)}</tspan>'
                    for k, line in enumerate(lines))
    ending = (f'<g class="ending"><rect x="{PAD}" y="{y + 10}" width="{int(end_w)}" height="{12 + 16 * len(lines)}" rx="4"/>'
              f'<text x="{PAD + 12}" y="{y + 29}">{spans}</text></g>')
    height = y + 34 + 16 * len(lines)
    heads = "".join(head(n, x[n], col, n in lanes.threads, y + 6) for n in names)
    svg = (f'<svg class="lanes" role="img" width="{widest}" height="{height}" viewBox="0 0 {widest} {height}">'
           f'<title>{esc(lanes.ending)}</title>{defs()}{heads}{"".join(body)}{ending}</svg>')
    return svg.replace('width="WIDTH"', f'width="{widest}"')


def defs() -> str:
    """The arrowhead, defined inline."""
    return ('<defs><marker id="head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
            'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>')


def head(name: str, cx: int, col: int, thread: bool, bottom: int) -> str:
    """A lane's name box and dashed lifeline, down to `bottom`."""
    w = col - 20
    kind = "thread" if thread else "object"
    return (f'<g class="lane {kind}"><line class="life" x1="{cx}" y1="{HEAD - 4}" x2="{cx}" y2="{bottom}"/>'
            f'<rect x="{cx - w // 2}" y="8" width="{w}" height="28" rx="4"/>'
            f'<text x="{cx}" y="27" text-anchor="middle">{esc(name)}</text></g>')


def arrow(a: Arrow, x: dict[str, int], y: int) -> str:
    """One arrow at height y with its label above it; a loop for local work."""
    x1 = x[a.thread]
    label = esc(f"{a.step}: {a.label}")
    if a.target is None or a.target not in x or a.target == a.thread:
        return (f'<path class="arrow" d="M{x1},{y - 6} h28 v10 h-26" marker-end="url(#head)"/>'
                f'<text class="label" x="{x1 + 34}" y="{y}">{label}</text>')
    x2 = x[a.target]
    tip = x2 - 4 if x2 > x1 else x2 + 4
    lx, anchor = (min(x1, x2) + 8, "start")
    return (f'<line class="arrow" x1="{x1}" y1="{y}" x2="{tip}" y2="{y}" marker-end="url(#head)"/>'
            f'<text class="label" x="{lx}" y="{y - 5}" text-anchor="{anchor}">{label}</text>')
