"""Counterexamples as ITF traces: the Informal Trace Format of Apalache and Quint (ADR-015,
https://apalache-mc.org/docs/adr/015adr-trace.html).

One ITF trace object per violated property: `#meta` (format, source file, description, model,
property), `params` (the model's inputs), `vars`, and `states`, a list of objects, one per state
of the execution: the initial state (after the threads' start-up local work), then the state
after each step of the schedule. A state gives every param and var a value: ints as JSON
numbers inside the safe range [-(2**53)+1, 2**53-1] and as `{"#bigint": "..."}` outside it, bools
as JSON bools, arrays as lists. Besides the model's shared variables, three variables of
checker's own (named with `::`, which no model name can contain): `checker::threads` (a record:
thread -> "finished" or "at line N: STATEMENT"), `checker::locks` (a record: each mutex, rwlock
and semaphore -> its holder, "free", or its permits), and `checker::action` (what led to the
state: "init", or "THREAD: STATEMENT (line N)"). Each state's `#meta` has its `index`, and from
state 1 on the `step` number, `thread` and `effects`.

The states are recomputed by replaying the trace's schedule with its inputs on the checked
program, as `trace.replay` does; the trace itself keeps only the state at the violation.

Several traces (several violated properties or models) make a JSON array of trace objects, in
model then property order; exactly one makes the trace object alone (a `.itf.json` file as ITF
tools read it); none makes `[]`. ITF has no form for an invalid model: it goes to standard error.
"""
from __future__ import annotations

import json

from checker.render.outcome import Outcome, Style, violated
from checker.render.words import shown_violation
from checker.symbolic.maps import MapValue

SAFE = 2 ** 53 - 1  # RFC 7159's interoperable integers
DESCRIPTION = "https://apalache-mc.org/docs/adr/015adr-trace.html"
THREADS, LOCKS, ACTION = "checker::threads", "checker::locks", "checker::action"


def value(x):
    """A model value as an ITF expression."""
    if isinstance(x, bool):
        return x
    if isinstance(x, int):
        return x if -SAFE <= x <= SAFE else {"#bigint": str(x)}
    if isinstance(x, MapValue):  # a shared map: ITF's map form
        return {"#map": [[value(k), value(v)] for k, v in x]}
    if isinstance(x, (list, tuple)):
        return [value(c) for c in x]
    return str(x)  # a value kind ITF has no form for: its display text


def states(program, trace, spurious: bool = False) -> list[tuple]:
    """(state, step) for the initial state and after each step of `trace.schedule`, replayed
    with `trace.inputs` (step is None for the initial state)."""
    from checker.explore.semantics import Engine
    from checker.explore.start import initial
    from checker.symbolic.solver import Solver
    from checker.verify import enumerates

    e = Engine(program, Solver([]), values=trace.inputs, spurious=spurious, enumerate_any=enumerates(program))
    s = initial(e, replay=[list(c) for c in trace.schedule.start])[0][0]
    out = [(s, None)]
    numbered = [step for step in trace.steps if step.number]
    for (t, choices), step in zip(trace.schedule.steps, numbered):
        s = e.step(s, t, list(choices))[0].state
        out.append((s, step))
    return out


def state_object(program, s, step, index: int, inputs: dict) -> dict:
    """One ITF state: #meta, the inputs, the shared variables, and checker's three."""
    from checker.describe import describe_state

    meta: dict = {"index": index}
    if step is not None:
        meta.update(step=step.number, thread=step.thread,
                    effects=[e for a in step.actions for e in a.effects])
    obj: dict = {"#meta": meta}
    for name in (i.name for i in program.inputs):
        obj[name] = value(inputs[name])
    for name, var in program.vars.items():
        cells = list(s.M[var.base:var.base + var.size])
        obj[name] = value(cells if var.array else cells[0])
    for name, mv in program.maps.items():
        obj[name] = value(s.M[mv.slot])
    described = describe_state(program, s)
    obj[THREADS] = described["threads"]
    obj[LOCKS] = {o.name: described["locks"].get(o.name, "free") for o in program.syncs
                  if o.kind in ("mutex", "rwlock", "semaphore")}
    obj[ACTION] = "init" if step is None else "; ".join(
        f"{step.thread}: {a.text}" + (f" (line {a.line})" if a.line is not None else "") for a in step.actions)
    return obj


def trace_object(o: Outcome, p) -> dict:
    """The ITF trace of one violated property `p` of `o`'s result."""
    r, program, trace = o.result, o.program, p.trace
    v = shown_violation(p)
    names = [i.name for i in program.inputs]
    draws = {k: x for k, x in trace.inputs.items() if k not in names}
    meta = {"format": "ITF", "format-description": DESCRIPTION, "source": o.path,
            "description": f"checker: {r.model}: {v.kind} violated at line {v.line}: {v.message}",
            "model": r.model, "property": {"kind": p.kind, "text": p.text, "line": p.line, "column": p.col},
            "violation": {"kind": v.kind, "message": v.message, "line": v.line, "column": v.col}}
    if draws:
        meta["draws"] = {k: value(x) for k, x in draws.items()}
    return {"#meta": meta, "params": names, "vars": [*program.vars, *program.maps, THREADS, LOCKS, ACTION],
            "states": [state_object(program, s, step, k, trace.inputs)
                       for k, (s, step) in enumerate(states(program, trace, r.options.get("spurious_wakeups", False)))]}


def traces(outcomes: list[Outcome]) -> list[dict]:
    """Every counterexample's ITF trace, in model then property order."""
    return [trace_object(o, p) for o in outcomes if o.result is not None and o.program is not None
            for p in violated(o.result) if p.trace is not None]


def document(outcomes: list[Outcome], style: Style) -> str:
    """The `itf` format: one trace object, or a JSON array of them (none: `[]`)."""
    found = traces(outcomes)
    doc = found[0] if len(found) == 1 else found
    return json.dumps(doc, indent=2) + "\n"
