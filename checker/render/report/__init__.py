"""`checker report`: a review document for one or more models, as Markdown or as one
self-contained HTML file.

Data flows one way: the command line verifies each model (`Outcome`: the `Result` and the
checked program), reads the model file's bytes for its `summary.Provenance`, and hands both
to a document function here, which returns a string (no I/O):

* `model`: the model as rows (inputs, threads, shared resources, properties);
* `summary`: the proof summary rows and the provenance (sha256, versions, date);
* `lanes`: a counterexample as lifelines and arrows, with its marked steps;
* `mermaid`, `svg`: the diagram in each syntax;
* `markdown_report`, `html`: the documents (`REPORTS`: `--format` name -> document function).
"""
from __future__ import annotations

from typing import Callable

from checker.render.outcome import Outcome
from checker.render.report import html, markdown_report
from checker.render.report.summary import Provenance, provenance

REPORTS: dict[str, Callable[[list[Outcome], list[Provenance | None]], str]] = {
    "md": markdown_report.document,
    "html": html.document,
}

__all__ = ["REPORTS", "Provenance", "provenance"]
