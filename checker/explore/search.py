"""What every search strategy shares: statistics, schedules and its result (budgets: budget.py).

A `Schedule` is the compact, replayable handle of an execution: the choices each thread made
in its start-up local work, then one (thread, choices) pair per step. With the input values
of a counterexample it reproduces the execution exactly (`checker.trace.replay`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from checker.explore.state import Cut, Violation


@dataclass
class Stats:
    executions: int = 0  # complete executions explored: every thread finished, or deadlocked
    blocked: int = 0  # executions abandoned because every enabled thread was asleep (sleep sets)
    assumed: int = 0  # executions discarded by a false `assume`
    steps: int = 0  # steps executed
    states: int = 0  # distinct states stored (stateful search only)
    transitions: int = 0  # transitions between stored states (stateful search only)
    cuts: int = 0  # executions cut by a bound
    ended: int = 0  # executions ended by a violation (an assertion, a runtime error, lock misuse): not in `executions`
    solver_calls: int = 0  # queries that reached z3 (memo hits and interval answers are free)
    solver_seconds: float = 0.0  # time spent inside z3 (part of `seconds`)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Schedule:
    start: tuple  # per thread: the choices of its start-up local work
    steps: tuple  # ((thread, choices), ...)

    def as_dict(self) -> dict:
        return {"start": [list(c) for c in self.start], "steps": [[t, list(c)] for t, c in self.steps]}

    @staticmethod
    def from_dict(d: dict) -> "Schedule":
        return Schedule(tuple(tuple(c) for c in d["start"]), tuple((int(t), tuple(c)) for t, c in d["steps"]))


@dataclass(frozen=True)
class Found:
    violation: Violation
    schedule: Schedule


ALWAYS_ON = ("assert", "deadlock", "lock_misuse", "runtime")  # checked without a `check:` entry


def property_of(v: Violation) -> tuple:
    """The property a violation breaks: a `check:` entry by its kind and position, an always-on
    check (assertions, deadlock, lock misuse, runtime errors) by its kind alone."""
    return (v.kind, v.line, v.col) if v.kind not in ALWAYS_ON else (v.kind,)


def properties(program) -> list[tuple]:
    """Every property of a program, in the order a report lists them: each `check:` entry, then
    the always-on checks. Each is (id as `property_of` names it, kind, text, line, column)."""
    out = [((p.kind, p.pos.line, p.pos.col), p.kind, p.text, p.pos.line, p.pos.col) for p in program.properties]
    return out + [((k,), k, k, None, None) for k in ALWAYS_ON]


@dataclass
class Exploration:
    """What a search found: per property, its first counterexample; the first of them (`found`);
    plus what limits it ran into."""

    strategy: str
    stats: Stats
    found: Found | None = None
    findings: dict = field(default_factory=dict)  # property_of(violation) -> its first Found
    cut: Cut | None = None  # the first place a bound cut an execution (the result is bounded)
    exhausted: str | None = None  # the budget that ran out (the result is unknown)
    unknowns: list = field(default_factory=list)  # solver answers that were not sat/unsat
    undecided: dict = field(default_factory=dict)  # property id -> why this search cannot decide it
    truncated: dict = field(default_factory=dict)  # (kind, line) of a violation that ended executions -> how many
    notes: list = field(default_factory=list)
    # With keep_going (for cross-checking searches against each other): every violation
    # reached, as (kind, line, col), and the shared memory of every finished state.
    violations: set = field(default_factory=set)
    finals: set = field(default_factory=set)
    deadlocks: set = field(default_factory=set)  # the shared memory of every deadlocked state

    def truncate(self, v) -> None:
        """An execution ended at violation v: what would have followed it is not explored, so
        the properties without a counterexample are not decided (`verify._undecided`)."""
        key = (v.kind, v.line)
        self.truncated[key] = self.truncated.get(key, 0) + 1
        self.stats.ended += 1

    def record(self, found: Found) -> bool:
        """Keep the first counterexample of its property; True if that property is new."""
        self.violations.add((found.violation.kind, found.violation.line, found.violation.col))
        pid = property_of(found.violation)
        if pid in self.findings:
            return False
        self.findings[pid] = found
        if self.found is None:
            self.found = found
        return True
