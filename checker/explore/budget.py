"""Budgets: every limit that ends a search, checked in one place (`Budget.tick`).

Time (`--timeout`, which also bounds each solver query through the deadline verify.py hands to
the solver), executions, states, steps, depth, resident memory (`--max-memory`), and the size of
integers (`OVERFLOW`). A budget that runs out raises `Exhausted`; the search ends `unknown` and
the reason names the budget (docs/soundness.md, "Budgets").

The same place reports progress: given a `progress` callback, `tick` calls it with a `Progress`
at most every PROGRESS_SECONDS (the CLI draws it on a terminal; see checker/render/progress.py).
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from checker.explore.search import Stats


OVERFLOW = "integer budget: a value outgrew 4096 bits"


class Exhausted(Exception):
    """A budget ran out (an internal signal: the search stops with an unknown verdict)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _page_size() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return 4096


_PAGE = _page_size()


def rss_mib() -> float:
    """The process's resident memory in MiB: now (Linux, /proc/self/statm), else its peak
    (getrusage, a high-water mark); 0.0 where neither exists (no memory budget there)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE / 2**20
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB elsewhere


MEMORY_CHECK_SECONDS = 0.05  # how often tick() reads the resident memory
TICK_STEPS = 16  # the stateless search calls tick() every this many steps (and after each
# execution when executions are bounded): a budget is overrun by at most 15 steps
PROGRESS_SECONDS = 0.25  # how often tick() reports progress, when asked to


@dataclass(frozen=True)
class Progress:
    """Where a running search is: counts so far, the current depth (steps in the execution, or
    in the path to the state, being explored) and the seconds since the search began."""

    executions: int
    states: int
    steps: int
    depth: int
    seconds: float


class Budget:
    """Every budget of a search, checked in one place: `tick()`, which the searches call once
    per state (stateful) or step (DPOR). It reads the clock on every call, so a run stops at
    most one step (or one state's expansion) past its deadline; solver queries are bounded by
    the same deadline (verify.py hands it to the solver)."""

    def __init__(self, timeout: float | None = None, max_executions: int | None = None,
                 max_states: int | None = None, max_depth: int = 10_000, max_steps: int | None = None,
                 max_memory: int | None = None, progress: Callable[[Progress], None] | None = None):
        self.max_steps = max_steps
        self.started = time.monotonic()
        self.deadline = self.started + timeout if timeout else None
        self.timeout = timeout
        self.max_executions = max_executions
        self.max_states = max_states
        self.max_depth = max_depth
        self.max_memory = max_memory  # MiB of resident memory (the whole process)
        self._memory_due = self.started
        self.progress = progress
        self._progress_due = self.started

    def tick(self, stats: Stats, depth: int = 0) -> None:
        """Raise `Exhausted` when a budget has run out; `depth` is the length of the current
        execution (DPOR) or path (stateful search), checked against `max_depth`."""
        if self.max_steps is not None and stats.steps > self.max_steps:
            raise Exhausted(f"step budget: {self.max_steps} steps")
        if self.max_executions is not None and stats.executions >= self.max_executions:
            raise Exhausted(f"execution budget: {self.max_executions} executions explored (--max-executions)")
        if self.max_states is not None and stats.states > self.max_states:
            raise Exhausted(f"state budget: {self.max_states} states (--max-states)")
        now = time.monotonic()
        if self.deadline is not None and now > self.deadline:
            raise Exhausted(self.time_reason())
        if depth > self.max_depth:
            raise Exhausted(f"depth budget: an execution longer than {self.max_depth} steps")
        if self.progress is not None and now >= self._progress_due:
            self._progress_due = now + PROGRESS_SECONDS
            self.progress(Progress(stats.executions, stats.states, stats.steps, depth, now - self.started))
        if self.max_memory is not None and now >= self._memory_due:
            self._memory_due = now + MEMORY_CHECK_SECONDS
            used = rss_mib()
            if used > self.max_memory:
                raise Exhausted(f"memory budget: {self.max_memory} MiB (--max-memory); "
                                f"the process used {used:.0f} MiB")

    def time_reason(self) -> str:
        return f"time budget: {self.timeout:g} s (--timeout)"

    def out_of_time(self) -> bool:
        return self.deadline is not None and time.monotonic() > self.deadline

    def elapsed(self) -> float:
        return time.monotonic() - self.started
