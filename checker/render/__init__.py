"""Stage 6: results -> documents. `FORMATS` maps each `--format` name to its renderer; the
command line only picks one (it has no format logic of its own).

Every renderer takes the `outcome.Outcome` of each model given (a result, an invalid model's
error, or an internal error) and returns strings; none does I/O. People's formats (`text`,
`markdown`) pass model text through `safe.printable` (Markdown escapes on top, `safe.markdown`);
machine formats rely on their writer's escaping (`json.dumps` with `ensure_ascii`; XML through
`safe.xml_text`). `words` holds the wording renderers share, `steps` the terminal trace table,
`saved` reads a JSON result back for `checker replay`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from checker.render import itf, json, junit, markdown, sarif, text
from checker.render.outcome import Outcome, Style


@dataclass(frozen=True)
class Format:
    """One output format.

    `document(outcomes, style)` is what the format writes to standard output once every model
    is done. A format for people may also have `part(outcome, style)`, written as soon as each
    model is done (the text report), `document` then being only what follows the last part.
    `reports_invalid` says whether the document itself reports invalid models (JSON's error
    object, a SARIF notification, a JUnit error); when it does not, the error goes to standard
    error as `FILE:LINE:COL: error: ...`.
    """

    name: str
    document: Callable[[list[Outcome], Style], str]
    part: Callable[[Outcome, Style], str] | None = None
    reports_invalid: bool = True


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("text", text.summary, text.report, reports_invalid=False),  # the report for people (the default)
    Format("json", json.document),  # checker.result/2, or checker.run/1 for several models (docs/json.md)
    Format("itf", itf.document, reports_invalid=False),  # each counterexample as an ITF trace (docs/formats.md)
    Format("sarif", sarif.document),  # SARIF 2.1.0: each violation a result at its line, the trace a code flow
    Format("junit", junit.document),  # JUnit XML: a test suite per model, a test case per property
    Format("markdown", markdown.document),  # a compact section per model: properties and step tables
)}


def render_all(fmt: Format, outcomes: list[Outcome], style: Style = Style()) -> str:
    """The whole standard output of `fmt` for these outcomes, parts included."""
    parts = "".join(fmt.part(o, style) for o in outcomes) if fmt.part else ""
    return parts + fmt.document(outcomes, style)
