"""Orchestration: a model file or program in, a `Result` out. No printing here.

Loop-free programs are searched statelessly (DPOR, or every interleaving without reduction);
programs with loops by the stateful search. A violation found symbolically is replayed with
the solver's input values into a concrete `Trace`; a replay that does not reach the same
violation is an internal error, reported as such rather than hidden.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from checker.explore.checks import input_symbols
from checker.explore.dpor import Dpor
from checker.explore.search import Budget
from checker.explore.semantics import Engine
from checker.explore.stateful import Stateful
from checker.lang import parse_file, parse_model
from checker.program import Program, compile_model
from checker.result import Result, Verdict, expectation, meets
from checker.symbolic.solver import Solver
from checker.trace import ReplayError, replay

DEFAULT_LOOP_BOUND = 10
DEFAULT_MAX_STATES = 200_000


@dataclass(frozen=True)
class Options:
    reduction: bool = True
    timeout: float | None = None  # seconds for the whole search of one model
    max_executions: int | None = None
    max_states: int = DEFAULT_MAX_STATES
    loop_bound: int = DEFAULT_LOOP_BOUND
    spurious_wakeups: bool = False
    solver_timeout_ms: int = 10_000


def load(path: str) -> Program:
    """Parse and check a model file; raises ModelError."""
    return compile_model(parse_file(path))


def load_text(text: str, name: str = "<model>") -> Program:
    return compile_model(parse_model(text, name))


def verify_file(path: str, options: Options = Options()) -> Result:
    return verify(load(path), options)


def engine_for(program: Program, options: Options) -> Engine:
    symbols, base = input_symbols(program)
    e = Engine(program, Solver(base, options.solver_timeout_ms), spurious=options.spurious_wakeups,
               enumerate_any=program.has_loops)
    e.symbols.update(symbols)
    return e


def explore(program: Program, options: Options):
    e = engine_for(program, options)
    budget = Budget(options.timeout, options.max_executions, options.max_states)
    if program.has_loops or not options.reduction:
        search = Stateful(e, budget, options.loop_bound, reduce=options.reduction and program.has_loops,
                          count_paths=not program.has_loops)
    else:
        search = Dpor(e, budget)
    exploration = search.run()
    exploration.stats.seconds = round(budget.elapsed(), 4)
    return e, exploration


def verify(program: Program, options: Options = Options()) -> Result:
    e, x = explore(program, options)
    trace = None
    notes = list(x.notes)
    if x.found is not None:
        verdict = Verdict.VIOLATED
        violation = x.found.violation
        try:
            trace = replay(program, x.found.schedule, violation.values or {}, enumerate_any=e.enumerate_any,
                           spurious=options.spurious_wakeups, expect_kind=violation.kind)
            if trace.violation.kind != violation.kind:
                notes.append(f"internal: the replay reached a {trace.violation.kind} violation, "
                             f"the search a {violation.kind} one")
        except ReplayError as err:
            notes.append(f"internal: the counterexample did not replay ({err})")
        reason = None
    elif x.exhausted:
        verdict, violation, reason = Verdict.UNKNOWN, None, x.exhausted
    elif x.unknowns:
        verdict, violation, reason = Verdict.UNKNOWN, None, "; ".join(x.unknowns)
    elif x.cut is not None:
        verdict, violation = Verdict.BOUNDED, None
        reason = (f"{x.cut.reason}: {x.cut.thread} at line {x.cut.line} ('{x.cut.text}'); "
                  f"{x.stats.cuts} execution(s) cut there; no violation within the bound")
    else:
        verdict, violation, reason = Verdict.HOLDS, None, None
    return Result(program.name, program.file, verdict, x.strategy, x.stats.as_dict(), violation, trace, reason,
                  expectation(program.expect), meets(program.expect, verdict, violation), tuple(notes),
                  asdict(options), program.about.strip())
