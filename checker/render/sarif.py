"""Results as SARIF 2.1.0 (OASIS Static Analysis Results Interchange Format), for code hosts and
CI dashboards.

One `run` for the whole command. `tool.driver.rules` holds one rule per property kind (`final`,
`always`, `assert`, `deadlock`, `lock_misuse`, `runtime`, `race`, `leak`), in that order.
`results`:

* each violated property is a result with `kind: "fail"`, `level: "error"`, the rule of its
  kind, the violation's message, and one location: the model file at the violating statement's
  line and column (an assertion, a runtime error, lock misuse, a deadlocked wait) or at the
  property's (`final`, `always`, `no_race`, `no_leak`). A race's two accesses, and the property
  of a violation located at a statement, are `relatedLocations`. The trace is one `codeFlow`
  holding one `threadFlow` per thread (SARIF 3.36: a thread flow is the path through a single
  thread), whose locations carry `executionOrder`, the position in the whole interleaving
  (SARIF 3.38.11), so a viewer can show each thread's path or the interleaving; each location's
  message is the statement and what it did, its `properties.step` the step number. The
  violating step's locations are `essential`.
* each bounded or unknown property is a result with `kind: "open"` (SARIF: the tool could not
  decide) and `level: "none"`, its message saying why.
* properties that hold are not results (a proof is not a finding); every property's verdict is
  in `run.properties.models`, one entry per model: file, model, verdict and its properties.

`invocations[0]` has the exit code; an invalid model (and an internal error) is a
`toolExecutionNotification` of level `error` at the model's line and column, and makes
`executionSuccessful` false. Columns count Unicode code points (`columnKind`).
"""
from __future__ import annotations

import json

from checker.render.outcome import Outcome, Style, relative_uri, run_code, violated
from checker.render.words import show_value, shown_violation
from checker.result import PropertyKind, Verdict
from checker.trace import header

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
RULES = {
    "final": ("FinalCondition", "A final condition can be false",
              "A `final:` property is false in some state where every thread has finished."),
    "always": ("Invariant", "An invariant can be false",
               "An `always:` property is false in some reachable state."),
    "assert": ("AssertionFailure", "An assertion can fail",
               "An `assert` statement's condition is false in some execution."),
    "deadlock": ("Deadlock", "The threads can deadlock",
                 "Some reachable state has an unfinished thread while no thread can move."),
    "lock_misuse": ("LockMisuse", "A lock is misused",
                    "A thread unlocks a lock it does not hold, locks one it holds, or finishes holding one."),
    "runtime": ("RuntimeError", "A runtime error can happen",
                "Division by zero, an index out of range, or another runtime fault in some execution."),
    "race": ("DataRace", "A data race",
             "Two accesses to one location by different threads, one a write, neither atomic, not ordered "
             "by happens-before."),
    "leak": ("InformationLeak", "A secret input can leak",
             "An observer can learn a secret input: what it sees differs between inputs that differ only in "
             "the secret."),
}
EXIT_WORDS = {0: "every model holds (a complete proof)", 1: "some model is violated",
              2: "a model or the command is invalid", 3: "none is violated, but some result is bounded or unknown"}


def rules() -> list[dict]:
    """One reporting descriptor per property kind, in `PropertyKind` order."""
    out = []
    for kind in PropertyKind:
        name, short, full = RULES.get(kind.value, (kind.value, kind.value, kind.value))
        out.append({"id": kind.value, "name": name, "shortDescription": {"text": short},
                    "fullDescription": {"text": full}, "defaultConfiguration": {"level": "error"},
                    "help": {"text": f"{full} See docs/language.md."}})
    return out


def location(path: str, line: int | None = None, col: int | None = None, message: str | None = None) -> dict:
    """A physical location in a model file, with a region when the line is known."""
    phys: dict = {"artifactLocation": {"uri": relative_uri(path)}}
    if line:
        phys["region"] = {"startLine": line, **({"startColumn": col} if col else {})}
    loc: dict = {"physicalLocation": phys}
    if message:
        loc["message"] = {"text": message}
    return loc


def code_flow(path: str, trace) -> dict:
    """The trace as one code flow: a thread flow per thread, in order of first step."""
    flows: dict[str, list] = {}
    order = 0
    last = max((s.number for s in trace.steps), default=0)
    for s in trace.steps:
        for a in s.actions:
            order += 1
            text = a.text + (": " + "; ".join(a.effects) if a.effects else "")
            tfl: dict = {"executionOrder": order, "importance": "essential" if s.number == last else "important",
                         "properties": {"step": s.number}}
            tfl["location"] = location(path, a.line, None, text) if a.line else {"message": {"text": text}}
            flows.setdefault(s.thread, []).append(tfl)
    inputs = ", ".join(f"{k} = {show_value(x)}" for k, x in trace.inputs.items()) or "none"
    return {"message": {"text": f"{header(trace)}; inputs: {inputs}"},
            "threadFlows": [{"id": t, "locations": locs} for t, locs in flows.items()]}


def failure(o: Outcome, p, index: dict) -> dict:
    """The result of one violated property."""
    v = shown_violation(p)
    line, col = (v.line, v.col) if v.line else (p.line, p.col)
    res: dict = {"ruleId": p.kind, "ruleIndex": index.get(p.kind, -1), "kind": "fail", "level": "error",
                 "message": {"text": v.message}, "locations": [location(o.path, line, col)]}
    related = []
    for k, acc in enumerate((v.detail or {}).get("accesses", ()), 1):
        related.append({"id": k, **location(o.path, acc.get("line"), acc.get("col"),
                                             f"{acc.get('thread')} {acc.get('access')}s {acc.get('location')} in "
                                             f"'{acc.get('statement')}'")})
    if p.line and (p.line, p.col) != (line, col):
        related.append({"id": len(related) + 1, **location(o.path, p.line, p.col, f"the property: {p.text}")})
    if related:
        res["relatedLocations"] = related
    if p.trace is not None:
        res["codeFlows"] = [code_flow(o.path, p.trace)]
    res["properties"] = {"model": o.result.model, "property": p.text,
                         "inputs": dict(p.trace.inputs) if p.trace is not None else (v.values or {})}
    return res


def undecided(o: Outcome, p, index: dict) -> dict:
    """The result of a bounded or unknown property."""
    what = f"{p.kind} at line {p.line}: {p.text}" if p.line else p.text
    why = p.reason or o.result.reason or "no reason given"
    return {"ruleId": p.kind, "ruleIndex": index.get(p.kind, -1), "kind": "open", "level": "none",
            "message": {"text": f"{what}: {p.verdict.value}: {why}"}, "locations": [location(o.path, p.line, p.col)],
            "properties": {"model": o.result.model, "property": p.text, "verdict": p.verdict.value}}


def model_entry(o: Outcome) -> dict:
    """A model's verdicts for `run.properties.models`."""
    entry: dict = {"file": o.path, "verdict": o.word}
    if o.result is not None:
        r = o.result
        entry.update(model=r.model, strategy=r.strategy, properties=[
            {"kind": p.kind, "text": p.text, "line": p.line, "verdict": p.verdict.value, "reason": p.reason}
            for p in r.properties])
    return entry


def notification(o: Outcome) -> dict:
    """An invalid model or an internal error, as a tool execution notification."""
    if o.error is not None:
        e = o.error
        text = f"error: {e.message}" + (f" (hint: {e.hint})" if e.hint else "")
        return {"level": "error", "message": {"text": text}, "descriptor": {"id": "invalid-model"},
                "locations": [location(o.path, e.pos.line, e.pos.col)]}
    return {"level": "error", "message": {"text": f"{o.internal} (a bug in checker; please report it with the model)"},
            "descriptor": {"id": "internal-error"}, "locations": [location(o.path)]}


def log(outcomes: list[Outcome]) -> dict:
    """The SARIF log object."""
    from checker import __version__  # at call time: `checker` imports this package's stages first
    index = {k.value: n for n, k in enumerate(PropertyKind)}
    results = []
    for o in outcomes:
        if o.result is None:
            continue
        results.extend(failure(o, p, index) for p in violated(o.result))
        results.extend(undecided(o, p, index) for p in o.result.properties
                       if p.verdict in (Verdict.BOUNDED, Verdict.UNKNOWN))
    code = run_code(outcomes)
    problems = [notification(o) for o in outcomes if o.result is None]
    invocation: dict = {"executionSuccessful": not problems, "exitCode": code, "exitCodeDescription": EXIT_WORDS[code]}
    if problems:
        invocation["toolExecutionNotifications"] = problems
    driver = {"name": "checker", "version": __version__, "semanticVersion": __version__, "rules": rules()}
    run = {"tool": {"driver": driver}, "invocations": [invocation], "columnKind": "unicodeCodePoints",
           "artifacts": [{"location": {"uri": relative_uri(p)}} for p in dict.fromkeys(o.path for o in outcomes)],
           "results": results, "properties": {"models": [model_entry(o) for o in outcomes]}}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def document(outcomes: list[Outcome], style: Style) -> str:
    """The `sarif` format: one SARIF log."""
    return json.dumps(log(outcomes), indent=2, default=str) + "\n"
