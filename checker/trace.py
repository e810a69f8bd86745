"""Replay a schedule with concrete inputs into a readable `Trace`.

A counterexample found symbolically is re-executed here with the solver's input values: every
value in the trace is concrete, and the replay must reach the same violation, which checks
the search and the model of the inputs against each other. `ReplayError` says in words where
a schedule stops fitting the model.
"""
from __future__ import annotations

from dataclasses import dataclass

from checker.explore.checks import check_always, check_final, deadlock, finished, initial
from checker.explore.search import Schedule
from checker.explore.semantics import Engine, ReplayDiverged, enabled, stuck
from checker.explore.state import DONE, State, Violation
from checker.program import ir
from checker.symbolic.solver import Solver
from checker.symbolic.values import show


class ReplayError(Exception):
    pass


@dataclass(frozen=True)
class Action:
    """One statement executed within a step, with what it did."""

    text: str
    line: int
    effects: tuple[str, ...]


@dataclass(frozen=True)
class TraceStep:
    number: int  # 0 for threads' start-up work, then 1, 2, ...
    thread: str
    actions: tuple[Action, ...]
    locks: dict  # lock name -> holder(s) after the step


@dataclass(frozen=True)
class Trace:
    inputs: dict
    steps: tuple[TraceStep, ...]
    violation: Violation
    state: dict  # shared variables, locks and threads at the violation
    schedule: Schedule


def replay(program: ir.Program, schedule: Schedule, values: dict, *, enumerate_any: bool = False,
           spurious: bool = False, expect_kind: str | None = None) -> Trace:
    e = Engine(program, Solver([]), values=values, spurious=spurious, enumerate_any=enumerate_any, record=True)
    names = [t.name for t in program.threads]
    try:
        starts = initial(e, replay=list(schedule.start))
    except ReplayDiverged as err:
        raise ReplayError(f"start-up work: {err}") from None
    if len(starts) != 1:
        raise ReplayError(f"the start-up choices select {len(starts)} initial states, not one")
    s, _, bad = starts[0]
    steps: list[TraceStep] = []
    violation = bad.violation if bad is not None else None
    start_log = bad.log if bad is not None else None
    if start_log:
        steps.append(TraceStep(0, "(start)", _actions(program, None, start_log), _locks(program, s)))
    for number, (t, choices) in enumerate(schedule.steps, 1):
        if violation is not None:
            raise ReplayError(f"the violation came before step {number}")
        if not 0 <= t < len(names) or not enabled(e, s, t):
            raise ReplayError(f"step {number}: thread {names[t] if 0 <= t < len(names) else t} cannot move here")
        try:
            outs = e.step(s, t, list(choices))
        except ReplayDiverged as err:
            raise ReplayError(f"step {number} ({names[t]}): {err}") from None
        if len(outs) != 1:
            raise ReplayError(f"step {number} ({names[t]}) has {len(outs)} outcomes with these inputs, not one")
        o = outs[0]
        s = o.state
        steps.append(TraceStep(number, names[t], _actions(program, t, o.log), _locks(program, s)))
        violation = o.violation
    if violation is None:
        violation = _state_violation(e, s, expect_kind)
    if violation is None:
        raise ReplayError("the schedule replays without reaching a violation")
    return Trace(dict(values), tuple(steps), violation, describe_state(program, s), schedule)


def _state_violation(e: Engine, s: State, kind: str | None) -> Violation | None:
    if kind in (None, "always"):
        v = check_always(e, s)
        if v:
            return v
    if finished(s):
        return check_final(e, s) if kind in (None, "final") else None
    live = [t for t in range(len(s.T)) if s.T[t].status != DONE]
    if kind in (None, "deadlock") and stuck(s, [t for t in live if enabled(e, s, t)]):
        return deadlock(e, s)
    return None


def _effect(th: ir.ThreadCode | None, entry: tuple) -> str | None:
    kind = entry[0]
    local = (lambda k: th.local_names[k]) if th else (lambda k: f"#{k}")
    if kind == "read":
        return f"read {entry[1]} = {show(entry[2])}"
    if kind == "write":
        return f"write {entry[1]} = {show(entry[2])}"
    if kind == "rmw":
        return f"{entry[1]}: {show(entry[2])} -> {show(entry[3])}"
    if kind in ("local", "any"):
        name = local(entry[1])
        if name.startswith("%"):
            return f"draw {show(entry[2])}" if kind == "any" else None
        return f"{name} = {show(entry[2])}" + (" (drawn)" if kind == "any" else "")
    if kind == "branch":
        return f"condition is {'true' if entry[1] else 'false'}"
    if kind == "assert":
        return "holds"
    if kind == "assume":
        return "assumed"
    if kind == "sync":
        op, arg = entry[1], entry[2]
        if op in ("signal", "broadcast"):
            return f"{op}: wakes {', '.join(arg)}" if arg else f"{op}: nobody waits (lost)"
        if op == "wait":
            return f"releases the mutex and sleeps on {arg}"
        if op == "reacquire":
            return f"woken; holds {arg} again"
        if op == "join":
            return f"{arg} has finished"
        if op == "trylock":
            return None
        return f"{op} {arg}"
    if kind == "wake":
        return "spurious wake-up"
    if kind == "violation":
        return f"VIOLATION: {entry[1]}"
    return None


def _actions(program: ir.Program, t: int | None, log: list | None) -> tuple[Action, ...]:
    out: list[Action] = []
    for pc, entry in log or ():
        th = program.threads[t] if t is not None else None
        src = th.code[pc].src if th is not None and pc < len(th.code) else None
        text, line = (src.text, src.pos.line) if src else ("", 0)
        eff = _effect(th, entry)
        if out and out[-1].text == text and out[-1].line == line:
            out[-1] = Action(text, line, out[-1].effects + ((eff,) if eff else ()))
        else:
            out.append(Action(text, line, (eff,) if eff else ()))
    return tuple(out)


def _locks(program: ir.Program, s: State) -> dict:
    names = [t.name for t in program.threads]
    held = {}
    for k, obj in enumerate(program.syncs):
        y = s.Y[k]
        if obj.kind == "mutex" and y >= 0:
            held[obj.name] = names[y]
        elif obj.kind == "rwlock" and (y[0] >= 0 or y[1]):
            held[obj.name] = f"{names[y[0]]} (write)" if y[0] >= 0 else ", ".join(names[r] for r in y[1]) + " (read)"
        elif obj.kind == "semaphore":
            held[obj.name] = f"{y} permits left"
    return held


def describe_state(program: ir.Program, s: State) -> dict:
    shared = {}
    for name, var in program.vars.items():
        cells = [show(v) for v in s.M[var.base:var.base + var.size]]
        shared[name] = cells if var.array else cells[0]
    threads = {}
    for t, th in enumerate(program.threads):
        ts = s.T[t]
        if ts.status == DONE:
            where = "finished"
        else:
            src = th.code[ts.pc].src
            where = f"at line {src.pos.line}: {src.text}" + (" (asleep)" if ts.status == 1 else "")
        threads[th.name] = where
    return {"shared": shared, "locks": _locks(program, s), "threads": threads}
