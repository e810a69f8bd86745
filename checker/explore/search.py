"""What every search strategy shares: budgets, statistics, schedules and its result.

A `Schedule` is the compact, replayable handle of an execution: the choices each thread made
in its start-up local work, then one (thread, choices) pair per step. With the input values
of a counterexample it reproduces the execution exactly (`checker.trace.replay`).
"""
from __future__ import annotations

import time
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
    solver_calls: int = 0
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


OVERFLOW = "integer budget: a value outgrew 4096 bits"


class Exhausted(Exception):
    """A budget ran out (an internal signal: the search stops with an unknown verdict)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Budget:
    def __init__(self, timeout: float | None = None, max_executions: int | None = None,
                 max_states: int | None = None, max_depth: int = 10_000, max_steps: int | None = None):
        self.max_steps = max_steps
        self.started = time.monotonic()
        self.deadline = self.started + timeout if timeout else None
        self.timeout = timeout
        self.max_executions = max_executions
        self.max_states = max_states
        self.max_depth = max_depth
        self._ticks = 0

    def tick(self, stats: Stats) -> None:
        self._ticks += 1
        if self.max_steps is not None and stats.steps > self.max_steps:
            raise Exhausted(f"step budget: {self.max_steps} steps")
        if self.max_executions is not None and stats.executions >= self.max_executions:
            raise Exhausted(f"execution budget: {self.max_executions} executions explored (--max-executions)")
        if self.deadline is not None and self._ticks % 64 == 0 and time.monotonic() > self.deadline:
            raise Exhausted(f"time budget: {self.timeout:g} s (--timeout)")

    def elapsed(self) -> float:
        return time.monotonic() - self.started


@dataclass
class Exploration:
    """What a search found: a violation, or none; plus what limits it ran into."""

    strategy: str
    stats: Stats
    found: Found | None = None
    cut: Cut | None = None  # the first place a bound cut an execution (the result is bounded)
    exhausted: str | None = None  # the budget that ran out (the result is unknown)
    unknowns: list = field(default_factory=list)  # solver answers that were not sat/unsat
    notes: list = field(default_factory=list)
    # With keep_going (for cross-checking searches against each other): every violation
    # reached, as (kind, line, col), and the shared memory of every finished state.
    violations: set = field(default_factory=set)
    finals: set = field(default_factory=set)
