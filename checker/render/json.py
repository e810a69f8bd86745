"""The versioned JSON form of results (schema documented in docs/json.md).

`SCHEMA` changes its number whenever a field changes meaning or disappears; new fields may be
added within a version. Model text needs no escaping here: `json.dump` (with its default
`ensure_ascii`) writes every control and non-ASCII character as a `\\uXXXX` escape.
"""
from __future__ import annotations

import json

from checker.errors import ModelError
from checker.render.outcome import Outcome, Style, run_code
from checker.render.words import shown_violation
from checker.result import Result

SCHEMA = "checker.result/2"  # 2: `properties`, a verdict per property
REPLAYABLE = ("checker.result/1", SCHEMA)  # `checker replay` reads both: their trace fields agree
RUN_SCHEMA = "checker.run/1"
CHECK_SCHEMA = "checker.check/1"


def violation_dict(v) -> dict | None:
    """A violation's fields; None for none."""
    if v is None:
        return None
    return {"kind": v.kind, "message": v.message, "text": v.text, "line": v.line, "column": v.col,
            "detail": v.detail}


def trace_dict(trace) -> dict | None:
    """A trace: inputs, steps with their actions, the state at the violation, the schedule."""
    if trace is None:
        return None
    return {
        "inputs": trace.inputs,
        "steps": [{"number": s.number, "thread": s.thread,
                   "actions": [{"text": a.text, "line": a.line, "effects": list(a.effects), "continued": a.continued}
                               for a in s.actions],
                   "locks": s.locks} for s in trace.steps],
        "state": trace.state,
        "schedule": trace.schedule.as_dict(),
        "preemptions": trace.preemptions,
        "minimal": trace.minimal,
    }


def property_dict(p) -> dict:
    """One property's verdict, with its counterexample when it is violated."""
    return {"kind": p.kind, "text": p.text, "line": p.line, "column": p.col, "verdict": p.verdict.value,
            "reason": p.reason, "violation": violation_dict(shown_violation(p)), "trace": trace_dict(p.trace)}


def result_dict(r: Result) -> dict:
    """The `checker.result/2` object of one result."""
    return {
        "schema": SCHEMA,
        "model": r.model,
        "about": r.about,
        "file": r.file,
        "verdict": r.verdict.value,
        "exit_code": int(r.exit_code),
        "complete": r.verdict.value == "holds",
        "reason": r.reason,
        "properties": [property_dict(p) for p in r.properties],
        "violation": violation_dict(shown_violation(r)),
        "inputs": (r.trace.inputs if r.trace else (r.violation.values if r.violation else None)),
        "trace": trace_dict(r.trace),
        "expect": r.expect,
        "expect_met": r.expect_met,
        "strategy": r.strategy,
        "stats": r.stats,
        "options": r.options,
        "notes": list(r.notes),
        "smt2": r.smt2,
    }


def error_dict(e: ModelError) -> dict:
    """The error object of an invalid model."""
    return {"schema": SCHEMA, "valid": False, "file": e.file, "verdict": "invalid", "exit_code": 2,
            "error": {"message": e.message, "line": e.pos.line, "column": e.pos.col, "hint": e.hint}}


def internal_error_dict(path: str, message: str) -> dict:
    """The object of a model the checker failed on (a bug of ours)."""
    return {"schema": SCHEMA, "file": path, "verdict": "unknown", "exit_code": 3, "reason": message,
            "error": {"message": message, "line": None, "column": None,
                      "hint": "this is a bug in checker; please report it with the model"}}


def run_dict(items: list[dict], exit_code: int) -> dict:
    """The `checker.run/1` object of several models."""
    return {"schema": RUN_SCHEMA, "exit_code": exit_code, "results": items}


def outcome_dict(o: Outcome) -> dict:
    """The object of one model's outcome: a result, error or internal error object."""
    if o.error is not None:
        return error_dict(o.error)
    if o.internal is not None:
        return internal_error_dict(o.path, o.internal)
    return result_dict(o.result)


def document(outcomes: list[Outcome], style: Style) -> str:
    """The `json` format: one model's object, or a `checker.run/1` object for several."""
    items = [outcome_dict(o) for o in outcomes]
    doc = items[0] if len(outcomes) == 1 else run_dict(items, run_code(outcomes))
    return json.dumps(doc, indent=2, default=str) + "\n"
