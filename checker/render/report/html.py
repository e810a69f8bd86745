"""`checker report --format html`: one self-contained HTML file.

The same content as the Markdown report (model tables, properties, proof summary; for each
violated property its message, inputs, an SVG swim-lane diagram and the step table) plus a
step-through: prev/next buttons and the arrow keys move a current step, highlighted in the
diagram and in the table. Everything is inline: CSS in a `<style>`, the script in one
`<script>` allowed by its sha256 in the Content-Security-Policy, which forbids every network
access (`default-src 'none'`). There is no URL in the file. Every text from the model goes
through `printable` and `html.escape`.
"""
from __future__ import annotations

import base64
import hashlib
from html import escape

from checker.render.outcome import Outcome, violated
from checker.render.report import model, summary
from checker.render.report.lanes import lanes
from checker.render.report.svg import render as svg
from checker.render.safe import printable
from checker.render.steps import rows
from checker.render.words import plural, show_value, shown_violation

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1200px;padding:0 16px;color:#1d1d1f}
h1{font-size:22px}h2{border-bottom:1px solid #ccc;padding-bottom:4px}h3{margin-top:28px}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}code,.mono,td.stmt,td.eff{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}
.verdict-violated{color:#b00020;font-weight:bold}.verdict-holds{color:#1a7f37;font-weight:bold}
.verdict-bounded,.verdict-unknown{color:#9a6700;font-weight:bold}
.diagram{overflow-x:auto;border:1px solid #d0d7de;border-radius:6px;margin:8px 0;background:#fff}
svg.lanes text{font:12px ui-monospace,Menlo,Consolas,monospace;fill:#1d1d1f}
svg.lanes .lane rect{fill:#ddf4ff;stroke:#54aeff}svg.lanes .object rect{fill:#f6f8fa;stroke:#8c959f}
svg.lanes .life{stroke:#8c959f;stroke-dasharray:4 4}
svg.lanes .arrow{stroke:#1d1d1f;fill:none;stroke-width:1.3}svg.lanes marker path{fill:#1d1d1f}
svg.lanes .band{fill:transparent}svg.lanes .marked .band{fill:#ffdcdc}
svg.lanes .current .band{fill:#fff1a8;stroke:#d4a72c}svg.lanes .marked.current .band{fill:#ffc0a8}
svg.lanes .why{fill:#b00020;font-style:italic}
svg.lanes .ending rect{fill:#ffebe9;stroke:#b00020}svg.lanes .ending text{fill:#b00020;font-weight:bold}
tr.marked td{background:#ffebe9}tr.current td{background:#fff1a8}tr.marked.current td{background:#ffc0a8}
.controls{display:flex;gap:8px;align-items:center;margin:8px 0}
.controls button{font-size:14px;padding:3px 12px}.status{font-family:ui-monospace,monospace;color:#57606a}
"""

SCRIPT = """
(function () {
  var boxes = Array.prototype.slice.call(document.querySelectorAll('.stepper'));
  var active = boxes[0];
  boxes.forEach(function (box) {
    var order = box.getAttribute('data-order').split(' ');
    var k = 0;
    function show(i) {
      k = Math.max(0, Math.min(order.length - 1, i));
      box.querySelectorAll('.current').forEach(function (e) { e.classList.remove('current'); });
      var hit = box.querySelectorAll('[data-steps~="' + order[k] + '"]');
      hit.forEach(function (e) { e.classList.add('current'); });
      var row = box.querySelector('tr[data-steps~="' + order[k] + '"]');
      box.querySelector('.status').textContent = 'step ' + order[k] + ' (' + (k + 1) + ' of ' + order.length + ')' +
        (row ? ': ' + row.getAttribute('data-desc') : '');
      box.setAttribute('data-current', order[k]);
    }
    box.querySelector('.prev').addEventListener('click', function () { active = box; show(k - 1); });
    box.querySelector('.next').addEventListener('click', function () { active = box; show(k + 1); });
    box.stepBy = function (d) { show(k + d); };
    show(0);
  });
  document.addEventListener('keydown', function (e) {
    if (!active) { return; }
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') { active.stepBy(1); e.preventDefault(); }
    if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') { active.stepBy(-1); e.preventDefault(); }
  });
})();
"""


def csp() -> str:
    """No network at all: only the inline style and this one script (by its hash) may run."""
    digest = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
    return (f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'; "
            "img-src 'none'; base-uri 'none'; form-action 'none'")


def e(value: object) -> str:
    """Model text for HTML text or a quoted attribute."""
    return escape(printable(value), quote=True)


def table(header: list[str], body: list[list[str]], cls: str = "") -> str:
    """An HTML table; cells must already be escaped."""
    head = "".join(f"<th>{h}</th>" for h in header)
    rows_ = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in body)
    return f'<table{f" class={chr(34)}{cls}{chr(34)}" if cls else ""}><thead><tr>{head}</tr></thead><tbody>{rows_}</tbody></table>'


def document(outcomes: list[Outcome], provenances: list[summary.Provenance | None]) -> str:
    """The whole HTML file."""
    prov = next((p for p in provenances if p is not None), None)
    made = f"checker {e(prov.checker)}, z3-solver {e(prov.z3)}, {e(prov.date)}" if prov else "checker"
    title = ", ".join(o.result.model if o.result else o.path for o in outcomes)
    items = "".join(f"<li>{e(o.path)}: {verdict(o.word)}</li>" for o in outcomes)
    body = "".join(section(o, p) for o, p in zip(outcomes, provenances))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{csp()}\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>checker report: {e(title)}</title><style>{STYLE}</style></head>\n<body>"
            f"<h1>checker report</h1><p>Generated by {made}.</p><ul>{items}</ul>{body}"
            f"<script>{SCRIPT}</script></body></html>\n")


def verdict(word: str) -> str:
    return f'<span class="verdict-{e(word.split()[0])}">{e(word)}</span>'


def section(o: Outcome, prov: summary.Provenance | None) -> str:
    """One model's section."""
    if o.result is None:
        if o.error is not None:
            err = o.error
            hint = f"<p>hint: {e(err.hint)}</p>" if err.hint else ""
            return (f"<section><h2>{e(o.path)}: {verdict('invalid')}</h2>"
                    f"<p class=\"mono\">{e(o.path)}:{err.pos.line}:{err.pos.col}: error: {e(err.message)}</p>{hint}</section>")
        return f"<section><h2>{e(o.path)}: {verdict('internal error')}</h2><p>{e(o.internal)}</p></section>"
    r = o.result
    out = [f"<section><h2>{e(r.model)}: {verdict(r.verdict.value)}</h2><p>File: <code>{e(o.path)}</code></p>"]
    if r.about:
        out.append(f"<p>About: {e(' '.join(r.about.split()))}</p>")
    if o.program is not None:
        out.append(model_tables(o.program))
    out.append("<h3>Properties</h3>" + table(["kind", "property", "line", "verdict", "why"], [
        [e(k), f"<code>{e(t)}</code>", ln, verdict(v), e(why)] for k, t, ln, v, why in model.properties(r)]))
    if prov is not None:
        out.append("<h3>Proof summary</h3>" + table(["", ""], [[f"<b>{e(k)}</b>", e(v)]
                                                              for k, v in summary.rows(r, o.path, prov, o.program)]))
    out += [counterexample(p, o.program) for p in violated(r)]
    return "".join(out) + "</section>"


def model_tables(program) -> str:
    """Inputs, threads with their statements, shared resources."""
    out = "<h3>Model</h3>"
    ins = model.inputs(program)
    if ins:
        out += table(["input", "type", "range"], [[e(n), e(t), e(s)] for n, t, s in ins])
    body = [[e(th.title), "<br>".join(str(line) for line, _ in th.statements),
             "<br>".join(f"<code>{e(text)}</code>" for _, text in th.statements)] for th in model.threads(program)]
    out += table(["thread", "line", "statement"], body)
    res = model.resources(program)
    if res:
        out += table(["shared", "kind"], [[e(n), e(k)] for n, k in res])
    return out


def counterexample(p, program) -> str:
    """A violated property: message, inputs, then the stepper: controls, diagram, step table."""
    v = shown_violation(p)
    where = f"{e(v.kind)} at line {v.line}" if v.line else e(v.kind)
    head = f"<h3>Counterexample: {where}</h3><p>{e(v.message)}</p>"
    t = p.trace
    if t is None:
        return head + "<p>(no replayed trace: see the notes in the proof summary)</p>"
    inputs = ", ".join(f"{e(k)} = {e(show_value(x))}" for k, x in t.inputs.items()) or "none"
    shown = lanes(t, program, p) if program is not None else None
    marked = set(shown.marked) if shown is not None else set()
    order = " ".join(str(s.number) for s in t.steps if s.number)
    n = len(order.split())
    diagram = f'<div class="diagram">{svg(shown)}</div>' if shown is not None and shown.threads else ""
    body = []
    for row in rows(t):
        steps = " ".join(str(k) for k in range(row.first, row.last + 1))
        cls = "marked" if marked & set(range(row.first, row.last + 1)) else ""
        for k, a in enumerate(row.actions):
            desc = f"{row.thread}: {a.text}" + (f" ({'; '.join(a.effects)})" if a.effects else "")
            body.append(f'<tr class="{cls}" data-steps="{steps}" data-desc="{e(desc)}"><td>{row.label if k == 0 else ""}</td>'
                        f"<td>{e(row.thread) if k == 0 else ''}</td><td class=\"stmt\">{e(a.text)}</td>"
                        f"<td>{'' if a.line is None else str(a.line) + (' (continued)' if a.continued else '')}</td>"
                        f"<td class=\"eff\">{'<br>'.join(e(x) for x in a.effects)}</td></tr>")
    steps_table = ('<table class="steps"><thead><tr><th>#</th><th>thread</th><th>statement</th><th>line</th>'
                   f"<th>effect</th></tr></thead><tbody>{''.join(body)}</tbody></table>")
    controls = ('<div class="controls"><button type="button" class="prev">&#9664; prev</button>'
                '<button type="button" class="next">next &#9654;</button><span class="status" aria-live="polite"></span></div>')
    return (f"{head}<p>Inputs: {inputs}</p><p>Trace: {plural(n, 'step')}, {plural(t.preemptions, 'preemption')}; "
            "the marked steps make the violation. Step through with the buttons or the arrow keys.</p>"
            f'<div class="stepper" data-order="{order}">{controls}{diagram}{steps_table}</div>')
