"""Orchestration: a model file or program in, a `Result` out. No printing here; the one write is
the `--emit-smt2` file set (`emit_smt2`: the directory), through `checker.symbolic.emit`.

Loop-free programs are searched statelessly (DPOR, or every interleaving without reduction);
programs with loops by the stateful search. A violation found symbolically is replayed with
the solver's input values into a concrete `Trace`; a replay that does not reach the same
violation is an internal error, reported as such rather than hidden.
"""
from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import asdict, dataclass

from checker.explore.budget import Budget
from checker.explore.dpor import Dpor
from checker.explore.minimal import MAX_NODES, minimal
from checker.explore.race_states import stateful_gaps
from checker.explore.search import properties, property_of
from checker.explore.semantics import Engine
from checker.explore.start import input_symbols
from checker.explore.stateful import Stateful
from checker.lang import parse_file, parse_model
from checker.program import Program, compile_model, ir
from checker.result import ALWAYS_ON_NAMES, PropertyResult, Result, Verdict, expectation, meets, overall
from checker.symbolic import emit
from checker.symbolic import values as V
from checker.symbolic.smt2 import Recorder
from checker.symbolic.solver import Solver
from checker.trace import ReplayError, replay

DEFAULT_LOOP_BOUND = 10
MINIMAL_GRACE = 0.25  # seconds the simplest-counterexample search may run past a search that used all its time
DPOR_LOOP_FACTOR = 10  # DPOR cuts a loop that may not end after this many times --loop-bound turns
DEFAULT_MAX_STATES = 200_000
DEFAULT_TIMEOUT = 600.0  # seconds per model
DEFAULT_MAX_MEMORY = 4096  # MiB of resident memory
DEFAULT_SOLVER_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class Options:
    """What one run may do. Every search ends: by default within DEFAULT_TIMEOUT seconds,
    DEFAULT_MAX_MEMORY MiB and DEFAULT_MAX_STATES stored states. `timeout=None` or
    `max_memory=None` lifts that limit. Invalid values raise ValueError."""

    reduction: bool = True
    timeout: float | None = DEFAULT_TIMEOUT  # seconds for the whole search of one model; None: no limit
    max_executions: int | None = None
    max_states: int = DEFAULT_MAX_STATES
    loop_bound: int = DEFAULT_LOOP_BOUND
    spurious_wakeups: bool = False
    solver_timeout_ms: int = DEFAULT_SOLVER_TIMEOUT_MS
    max_memory: int | None = DEFAULT_MAX_MEMORY  # MiB of resident memory of the process; None: no limit

    def __post_init__(self):
        def number(v):
            return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)

        def integer(v):
            return isinstance(v, int) and not isinstance(v, bool)

        for name in ("reduction", "spurious_wakeups"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"Options.{name} must be True or False, not {getattr(self, name)!r}")
        problems = [
            ("timeout", self.timeout is None or (number(self.timeout) and self.timeout > 0),
             "a number of seconds > 0, or None for no time limit"),
            ("max_executions", self.max_executions is None or (integer(self.max_executions) and self.max_executions >= 1),
             "an integer >= 1, or None for no limit"),
            ("max_states", integer(self.max_states) and self.max_states >= 1, "an integer >= 1"),
            ("loop_bound", integer(self.loop_bound) and self.loop_bound >= 0, "an integer >= 0"),
            ("solver_timeout_ms", integer(self.solver_timeout_ms) and self.solver_timeout_ms >= 1, "an integer >= 1"),
            ("max_memory", self.max_memory is None or (integer(self.max_memory) and self.max_memory >= 1),
             "an integer number of MiB >= 1, or None for no memory limit"),
        ]
        for name, ok, want in problems:
            if not ok:
                raise ValueError(f"Options.{name} must be {want}, not {getattr(self, name)!r}")


def load(path: str) -> Program:
    """Parse and check a model file; raises ModelError."""
    return compile_model(parse_file(path))


def load_text(text: str, name: str = "<model>") -> Program:
    return compile_model(parse_model(text, name))


def verify_file(path: str, options: Options = Options(), emit_smt2: str | None = None) -> Result:
    return verify(load(path), options, emit_smt2)


def enumerates(program: Program) -> bool:
    """Are small `any` ranges enumerated (one outcome per value) rather than symbolic? Only in a
    model with a loop that may turn forever, so that a stateful search can see states repeat.
    It depends on the program alone, so a replay makes the same choice as the search."""
    return program.has_loops and not program.counted_loops


def engine_for(program: Program, options: Options, enumerate_any: bool | None = None, record: bool = False) -> Engine:
    """The step relation with its solver (`enumerate_any` defaults to `enumerates(program)`);
    `record`: the solver gets a fresh `Recorder` of its queries (`e.solver.recorder`)."""
    ctx = V.context()  # this run's z3 terms: no run sees another's (docs/soundness.md, "Symbolic data")
    symbols, base = input_symbols(program, ctx)
    solver = Solver(base, options.solver_timeout_ms, recorder=Recorder() if record else None, ctx=ctx)
    e = Engine(program, solver, spurious=options.spurious_wakeups,
               enumerate_any=enumerates(program) if enumerate_any is None else enumerate_any)
    e.symbols.update(symbols)
    return e


def strategy(program: Program, options: Options) -> str:
    """Which search a model gets: 'dpor' unless reduction is off ('full': every interleaving,
    stateful; or 'enumerate': every interleaving, stateless, for a model with `no_leak`, or a
    `no_race` entry the stateful search cannot decide (`stateful_gaps`), that has no `while
    true`: only a stateless search keeps what the observers saw and each event's clock) or some
    thread runs `while true` ('stateful': a server's state space is cyclic)."""
    if not options.reduction:  # a stateful search cannot see what `no_leak` or some `no_race` entries need
        history = program.leaks or stateful_gaps(program)
        return "enumerate" if history and not program.cyclic else "full"
    return "stateful" if program.cyclic else "dpor"


def explore(program: Program, options: Options, record: bool = False, progress=None):
    """Run the search `strategy` picks: (engine, exploration). With `record`, the solver of the
    search that decides the verdict (a DPOR search that is cut and searched again statefully:
    the second one's) records every query in `e.solver.recorder`."""
    budget = Budget(options.timeout, options.max_executions, options.max_states, max_memory=options.max_memory,
                    progress=progress)
    plan = strategy(program, options)
    notes = []
    if plan in ("dpor", "enumerate"):  # stateless: with the reduction, or every interleaving
        e = engine_for(program, options, record=record)
        e.solver.deadline = budget.deadline  # no solver query runs past the time budget
        may_not_end = program.has_loops and not program.counted_loops
        if may_not_end:  # a loop that may not end is cut, and then the stateful search takes over
            e.loop_bound = options.loop_bound * DPOR_LOOP_FACTOR
        exploration = Dpor(e, budget, reduce=plan == "dpor", every_property=True, stop_at_cut=may_not_end).run()
        if exploration.cut is not None and exploration.exhausted is None:
            notes.append(f"a loop turned {e.loop_bound} times in one execution ({exploration.cut.thread} at line "
                         f"{exploration.cut.line}); searched again with the stateful search")
            plan = "stateful" if plan == "dpor" else "full"
        else:
            plan = None
    if plan is not None:
        e = engine_for(program, options, record=record)
        e.solver.deadline = budget.deadline
        exploration = Stateful(e, budget, options.loop_bound, reduce=plan == "stateful",
                               count_paths=not program.has_loops, every_property=True).run()
    exploration.notes[0:0] = notes
    if exploration.exhausted is None and exploration.unknowns and (e.solver.expired or budget.out_of_time()):
        # the undecided queries were cut by the time budget, not by a limit of the solver
        exploration.exhausted = budget.time_reason()
        exploration.notes.append("undecided when the time ran out: " + "; ".join(exploration.unknowns))
    exploration.stats.seconds = round(budget.elapsed(), 4)
    exploration.stats.solver_calls = e.solver.calls  # every query of the run, the searches' own included
    exploration.stats.solver_seconds = round(e.solver.seconds, 4)
    return e, exploration


def verify(program: Program, options: Options = Options(), emit_smt2: str | None = None, progress=None) -> Result:
    """Verify every property of a program: a `Result` whose `properties` hold one
    `PropertyResult` each (a `check:` entry, or an always-on check), in report order, and whose
    verdict follows from theirs (`result.overall`). The search goes on past a violation until
    every property has a counterexample or the search ends (a budget, or everything explored).
    `emit_smt2`: a directory to write the search's solver queries into (`symbolic.emit`; raises
    `emit.EmitError` if it holds anything but an earlier emission), named in `Result.smt2`.
    `progress`: called with an `explore.budget.Progress` a few times a second while the search
    runs (the CLI draws it on a terminal: `render.progress`)."""
    e, x = explore(program, options, record=emit_smt2 is not None, progress=progress)
    # recording stops with the search (not the simplest-counterexample search below), so the
    # z3 queries recorded are exactly `stats.solver_calls`
    recorder, e.solver.recorder = e.solver.recorder, None
    notes = list(x.notes)
    table = []
    # the simplest counterexamples get the search's deadline, or MINIMAL_GRACE past the end of
    # the search if it used it all (a run still ends within about a second of --timeout)
    deadline = e.solver.deadline and max(e.solver.deadline, time.monotonic() + MINIMAL_GRACE)
    unsafe = {(p.kind, p.pos.line, p.pos.col) for p in program.properties if p.kind in ("final", "always") and not p.safe}
    for pid, kind, text, line, col in properties(program):
        text = ALWAYS_ON_NAMES.get(kind, text) if line is None else text
        found = x.findings.get(pid)
        if found is not None:
            violation, trace = _replayed(program, e, options, found, notes, deadline)
            table.append(PropertyResult(kind, text, line, col, Verdict.VIOLATED, violation, trace))
        elif kind == "assert" and not any(type(i) is ir.Assert for t in program.threads for i in t.code):
            continue  # no assertion to check
        elif kind == "lock_misuse" and not program.syncs:
            continue  # nothing to misuse
        else:
            verdict, reason = _undecided(x, pid)
            if verdict is Verdict.HOLDS and pid in unsafe and ("runtime",) in x.findings:
                # its evaluation can fault, and a runtime error was found: in some state it may have
                # had no value (a fault does not make it false), so it is not proved
                verdict, reason = Verdict.UNKNOWN, (
                    f"not decided: evaluating it can raise a runtime error, and one was found (line "
                    f"{x.findings[('runtime',)].violation.line})")
            table.append(PropertyResult(kind, text, line, col, verdict, reason=reason))
    verdict = overall(p.verdict for p in table)
    first = next((p for p in table if p.verdict is Verdict.VIOLATED), None)
    reason = next((p.reason for p in table if p.reason), None) if verdict is not Verdict.VIOLATED else None
    violated_kinds = [p.kind for p in table if p.verdict is Verdict.VIOLATED]
    smt2 = None
    if recorder is not None:
        header = {"model": program.name, "file": program.file, "verdict": verdict.value,
                  "properties": [{"kind": p.kind, "text": p.text, "line": p.line, "column": p.col,
                                  "verdict": p.verdict.value} for p in table]}
        smt2 = emit.write(emit_smt2, recorder, header, ALWAYS_ON_NAMES)
    return Result(program.name, program.file, verdict, x.strategy, x.stats.as_dict(),
                  first.violation if first else None, first.trace if first else None, reason,
                  expectation(program.expect), meets(program.expect, verdict, violated_kinds), tuple(notes),
                  asdict(options), program.about.strip(), tuple(table), smt2)


ENDED = {"assert": "the assertion violation", "runtime": "the runtime error", "lock_misuse": "the lock misuse"}


def _undecided(x, pid) -> tuple[Verdict, str | None]:
    """The verdict of a property without a counterexample, from how the search ended."""
    if pid in x.undecided:
        return Verdict.UNKNOWN, x.undecided[pid]
    if x.exhausted:
        return Verdict.UNKNOWN, x.exhausted
    if x.unknowns:
        return Verdict.UNKNOWN, "; ".join(x.unknowns)
    if x.truncated:  # what would have followed a violation was not explored
        return Verdict.UNKNOWN, "not decided past " + "; ".join(
            f"{ENDED.get(kind, f'the {kind} violation')} at line {line}, which ended {n:,} execution{'s' * (n != 1)}"
            for (kind, line), n in sorted(x.truncated.items(), key=lambda kv: (kv[0][1] or 0, kv[0][0])))
    if x.cut is not None:
        return Verdict.BOUNDED, (f"{x.cut.reason}: {x.cut.thread} at line {x.cut.line} ('{x.cut.text}'); "
                                 f"{x.stats.cuts} execution(s) cut there; no violation within the bound")
    return Verdict.HOLDS, None


def _replayed(program: Program, e: Engine, options: Options, found, notes: list, deadline: float | None):
    """(violation, concrete trace) of a counterexample: the simplest one (`explore.minimal`:
    fewest preemptions, then fewest steps) when that search finishes within its budget, else
    the search's own (the trace None, with a note, if it does not replay: a bug)."""
    schedule, violation = found.schedule, found.violation
    simplest = minimal(e, property_of(violation), deadline)
    if simplest is not None:
        schedule, violation = simplest
    try:
        trace = replay(program, schedule, violation.values or {}, enumerate_any=e.enumerate_any,
                       spurious=options.spurious_wakeups, expect_kind=violation.kind)
    except ReplayError as err:
        notes.append(f"internal: the {violation.kind} counterexample did not replay ({err})")
        return found.violation, None
    if trace.violation.kind != violation.kind:
        notes.append(f"internal: the replay reached a {trace.violation.kind} violation, the search a {violation.kind} one")
    if violation.kind == "leak":
        return violation, trace  # the simplest is not sought: a leak compares executions
    if simplest is None:
        notes.append(f"the {violation.kind} counterexample is the search's own, not the simplest: the search for the "
                     f"fewest preemptions gave up (its {MAX_NODES:,}-state or time budget)")
    return violation, dataclasses.replace(trace, minimal=simplest is not None)
