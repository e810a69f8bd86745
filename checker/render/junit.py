"""Results as JUnit XML, for CI test reports.

`<testsuites name="checker">` holds one `<testsuite>` per model (named by the model's name, with
its file, its verdict and the search's statistics as `<properties>`), and in it one
`<testcase>` per property (classname: the model's name; name: `final at line 22: w == g1 + g2`,
or the always-on check's name, `no deadlock`):

* holds: an empty test case (passed);
* violated: `<failure type="KIND" message="MESSAGE">` whose text is the counterexample as the
  text report prints it (where, why, inputs, trace, state at the violation);
* bounded or unknown: `<skipped message="bounded: WHY"/>`: nothing was found, nothing was proved,
  which is what a skipped test says; CI counts it apart from passes and failures;
* an invalid model: a test suite named by its file with one test case `model` holding
  `<error type="invalid model">FILE:LINE:COL: error: ...</error>`; an internal error likewise
  with `type="internal error"`.

The counts (`tests`, `failures`, `errors`, `skipped`) are on every suite and on the root.
Model text goes through `safe.xml_text`: control characters become visible escapes and the
characters XML 1.0 forbids are dropped, so the document always parses.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

from checker.render.outcome import Outcome, Style
from checker.render.safe import xml_text
from checker.render.text import counterexample
from checker.render.words import shown_violation
from checker.result import Verdict


def case_name(p) -> str:
    """'final at line 22: w == g1 + g2', or an always-on check's name ('no deadlock')."""
    return f"{p.kind} at line {p.line}: {p.text}" if p.line is not None else p.text


def element(tag: str, attrs: dict | None = None, text: str | None = None) -> ET.Element:
    """An element whose attribute values and text are made XML-safe."""
    e = ET.Element(tag, {k: xml_text(v) for k, v in (attrs or {}).items() if v is not None})
    if text is not None:
        e.text = xml_text(text)
    return e


def suite(o: Outcome) -> ET.Element:
    """One model's test suite."""
    if o.result is None:
        s = element("testsuite", {"name": o.path, "file": o.path, "tests": "1", "failures": "0", "errors": "1",
                                  "skipped": "0", "time": "0"})
        case = element("testcase", {"classname": o.path, "name": "model", "file": o.path})
        if o.error is not None:
            e = o.error
            body = f"{o.path}:{e.pos.line}:{e.pos.col}: error: {e.message}" + (f"\n  hint: {e.hint}" if e.hint else "")
            case.append(element("error", {"type": "invalid model", "message": e.message}, body))
        else:
            case.append(element("error", {"type": "internal error", "message": o.internal},
                                f"{o.path}: {o.internal}\n  hint: this is a bug in checker; please report it with the model"))
        s.append(case)
        return s
    r = o.result
    props = r.properties
    counts = {v: sum(p.verdict is v for p in props) for v in Verdict}
    s = element("testsuite", {"name": r.model, "file": o.path, "tests": str(len(props)),
                              "failures": str(counts[Verdict.VIOLATED]), "errors": "0",
                              "skipped": str(counts[Verdict.BOUNDED] + counts[Verdict.UNKNOWN]),
                              "time": f"{r.stats.get('seconds', 0):.3f}"})
    info = element("properties")
    for name, value in (("file", o.path), ("verdict", r.verdict.value), ("strategy", r.strategy),
                        ("executions", r.stats.get("executions")), ("expect", r.expect)):
        if value is not None:
            info.append(element("property", {"name": name, "value": str(value)}))
    s.append(info)
    for p in props:
        case = element("testcase", {"classname": r.model, "name": case_name(p), "file": o.path,
                                    "line": str(p.line) if p.line is not None else None})
        if p.verdict is Verdict.VIOLATED:
            v = shown_violation(p)
            case.append(element("failure", {"type": p.kind, "message": v.message}, counterexample(p)))
        elif p.verdict in (Verdict.BOUNDED, Verdict.UNKNOWN):
            case.append(element("skipped", {"message": f"{p.verdict.value}: {p.reason or r.reason or 'no reason given'}"}))
        s.append(case)
    return s


def document(outcomes: list[Outcome], style: Style) -> str:
    """The `junit` format: one XML document."""
    root = ET.Element("testsuites", {"name": "checker"})
    for o in outcomes:
        root.append(suite(o))
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(sum(int(s.get(key)) for s in root)))
    root.set("time", f"{sum(float(s.get('time')) for s in root):.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
