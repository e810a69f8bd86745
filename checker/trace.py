"""Replay a schedule with concrete inputs into a readable `Trace`.

A counterexample found symbolically is re-executed here with the solver's input values: every
value in the trace is concrete, and the replay must reach the same violation, which checks
the search and the model of the inputs against each other. `ReplayError` says in words where
a schedule stops fitting the model.

The words of each step and of the state at the violation come from `checker.describe`.
"""
from __future__ import annotations

from dataclasses import dataclass

from checker.describe import Action, Describe, _locks, _name_deadlock, describe_state
from checker.explore.frame import ReplayDiverged
from checker.explore.minimal import preemptions
from checker.explore.monitors import finished, on_final, on_state, on_stuck
from checker.explore.happens import Replayed
from checker.explore.search import Schedule
from checker.explore.semantics import Engine, enabled, stuck
from checker.explore.start import starts as initial_seen
from checker.explore.state import State, Violation, live as live_threads
from checker.program import ir
from checker.program.model import Program, ThreadCode
from checker.symbolic.solver import Solver
from checker.symbolic.values import show


class ReplayError(Exception):
    """A schedule that does not fit the model, with where and why in words."""


@dataclass(frozen=True)
class TraceStep:
    number: int  # 0 for threads' start-up work, then 1, 2, ...
    thread: str
    actions: tuple[Action, ...]
    locks: dict  # lock name -> holder(s) after the step, semaphore -> permits left


@dataclass(frozen=True)
class Trace:
    inputs: dict
    steps: tuple[TraceStep, ...]
    violation: Violation
    state: dict  # shared variables, locks and threads at the violation
    schedule: Schedule
    preemptions: int = 0  # switches away from a thread that could still move (explore.minimal)
    observed: tuple = ()  # with a `no_leak` entry: what its channels saw, ((channel, value), ...) in order
    minimal: bool | None = None  # the simplest counterexample (True), not (False: its search gave up), or not sought


def header(trace: Trace) -> str:
    """'3 steps', '8 steps, 2 preemptions', '14 steps, 2 preemptions; not the simplest: its search gave up'."""
    n = len([s for s in trace.steps if s.number])
    words = f"{n} step{'s' * (n != 1)}"
    if trace.preemptions:
        words += f", {trace.preemptions} preemption{'s' * (trace.preemptions != 1)}"
    if trace.minimal is False:
        words += "; not the simplest: its search gave up"
    return words


def replay(program: Program, schedule: Schedule, values: dict, *, enumerate_any: bool = False,
           spurious: bool = False, expect_kind: str | None = None) -> Trace:
    """Re-execute `schedule` with concrete `values`; raises ReplayError where it does not fit."""
    e = Engine(program, Solver([]), values=values, spurious=spurious, enumerate_any=enumerate_any, record=True)
    names = [t.name for t in program.threads]
    if len(schedule.start) != len(names):
        raise ReplayError(f"the schedule has start-up choices for {len(schedule.start)} threads; the model has {len(names)}")
    try:
        starts = initial_seen(e, replay=list(schedule.start))
    except ReplayDiverged as err:
        raise ReplayError(f"start-up work: {err}") from None
    if len(starts) != 1:
        raise ReplayError(f"the start-up choices select {len(starts)} initial states, not one")
    s, made, bad, start_seen = starts[0]
    for k, (given, used) in enumerate(zip(schedule.start, made)):
        if tuple(given) != tuple(used):  # more choices than the start-up work makes
            raise ReplayError(f"start-up work of {names[k]}: the schedule gives it {len(given)} "
                              f"choice{'s' * (len(given) != 1)}; it makes {len(used)}")
    observed = list(start_seen or ())
    steps: list[TraceStep] = []
    violation = bad.violation if bad is not None else None
    start_log = bad.log if bad is not None else None
    signals: dict = {}  # condition name -> [(step, threads it woke)]: lost wake-ups
    if start_log:
        steps.append(TraceStep(0, "(start)", Describe(program, None, s, s, {}).actions(start_log), _locks(program, s)))
    last: dict = {}  # thread -> (src, pc) of the last instruction it ran: continuations
    races = Replayed(e) if expect_kind == "race" else None  # a race must end the schedule
    could: list = []  # per step: the threads that could move before it
    for number, (t, choices) in enumerate(schedule.steps, 1):
        if violation is not None:
            raise ReplayError(f"the violation came before step {number}")
        could.append({u for u in live_threads(s) if enabled(e, s, u)})
        if not 0 <= t < len(names) or t not in could[-1]:
            raise ReplayError(f"step {number}: thread {names[t] if 0 <= t < len(names) else t} cannot move here")
        wanted = list(choices)
        try:
            outs = e.step(s, t, wanted)
        except ReplayDiverged as err:
            raise ReplayError(f"step {number} ({names[t]}): {err}") from None
        if wanted:  # the step made fewer choices than the schedule gives it
            raise ReplayError(f"step {number} ({names[t]}): the schedule gives it {len(choices)} "
                              f"choice{'s' * (len(choices) != 1)}; "
                              f"it makes {len(choices) - len(wanted)}")
        if len(outs) != 1:
            raise ReplayError(f"step {number} ({names[t]}) has {len(outs)} outcomes with these inputs, not one")
        o = outs[0]
        _check_draws(program.threads[t], o.log, f"step {number} ({names[t]})")
        d = Describe(program, t, s, o.state, signals, number, last.get(t))
        actions = d.actions(o.log)
        last[t] = d.last
        if races is not None and o.violation is None:
            races.step(s, o.state, t)
        s = o.state
        observed.extend(o.seen)
        steps.append(TraceStep(number, names[t], actions, _locks(program, s)))
        violation = o.violation
    if violation is None and races is not None:
        violation = races.found
    if violation is None:
        violation = _state_violation(e, s, expect_kind)
    if violation is None:
        raise ReplayError("the schedule replays without reaching a violation")
    if violation.kind == "deadlock" and violation.detail:
        violation = _name_deadlock(program, s, violation, signals)
    return Trace(dict(values), tuple(steps), violation, describe_state(program, s), schedule,
                 preemptions([t for t, _ in schedule.steps], could), tuple(observed))


def observations(program: Program, trace: Trace, line: int) -> tuple:
    """What the observers of the `no_leak` entry at `line` saw along a replayed trace: one
    sequence of values per observer, in the entry's order (the shape of a leak's detail 'seen')."""
    leak = next(x for x in program.leaks if x.pos.line == line)
    return tuple(tuple(v for c, v in trace.observed if c == channel) for channel in leak.channels)


def _check_draws(th: ThreadCode, log: list | None, where: str) -> None:
    """A value for `any LO..HI` outside LO..HI cannot come from a search: the inputs were edited."""
    for pc, entry in log or ():
        i = th.code[pc] if entry[0] == "any" else None
        if isinstance(i, ir.AnyLocal) and not i.lo <= entry[2] <= i.hi:
            raise ReplayError(f"{where}: the value {show(entry[2])} drawn at line {i.src.pos.line} "
                              f"is outside {i.lo}..{i.hi}")


def _state_violation(e: Engine, s: State, kind: str | None) -> Violation | None:
    if kind == "leak":  # a `no_leak` counterexample is a whole execution: it must end (or hang)
        live = live_threads(s)
        leak = e.program.leaks[0] if e.program.leaks else None
        if leak is None or (live and not stuck(e, s, [t for t in live if enabled(e, s, t)])):
            return None
        return Violation("leak", "the execution ends; what its observers saw is compared with every execution "
                         "of the second valuation", leak.text, leak.pos.line, leak.pos.col, None)
    if kind in (None, "always", "runtime"):  # a runtime error can be a property's (a missing map key)
        v = next(iter(on_state(e, s)), None)
        if v and (kind != "runtime" or v.kind == kind):
            return v
    if finished(s):
        v = next(iter(on_final(e, s)), None) if kind in (None, "final", "runtime") else None
        return v if v is None or kind != "runtime" or v.kind == kind else None
    live = live_threads(s)
    if kind in (None, "deadlock") and stuck(e, s, [t for t in live if enabled(e, s, t)]):
        return on_stuck(e, s)
    return None
