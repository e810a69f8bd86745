"""The simplest counterexample: the fewest preemptions, then the fewest steps.

A *preemption* is a context switch away from a thread that could still take a step (Musuvathi
and Qadeer, "Iterative context bounding for systematic testing of multithreaded programs",
PLDI 2007); a switch away from a thread that finished, blocked or is resting on a spin-wait is
free, and so is the first step. Counterexamples are ordered by (preemptions, steps), and
`minimal` finds one that comes first in that order: Dijkstra's algorithm over pairs (state, last
thread), whose cost is that pair of numbers compared lexicographically (both only grow along a
path, so the first violation popped is minimal). It searches every interleaving, not a reduced
set (a reduction keeps one order of independent steps, which need not be the one with the
fewest switches), within `MAX_NODES` pairs; past that it gives up and the search's own
counterexample is kept. A race's goal is a state with two racing steps pending
(race_states.pending_races), the schedule ending with both, adjacent, in either order; where that test cannot
decide the entry (`stateful_gaps`), and for `no_leak` (which compares executions), the
search's own counterexample is kept.
"""
from __future__ import annotations

import heapq
import time

from checker.explore.dependence import Dependence
from checker.explore.monitors import holds, on_stuck
from checker.explore.race_states import pending_races, stateful_gaps
from checker.explore.races import Watch
from checker.explore.search import Schedule, property_of
from checker.explore.semantics import Engine, enabled, stuck
from checker.explore.start import initial
from checker.explore.state import live as live_threads

MAX_NODES = 10_000  # (state, last thread) pairs expanded before giving up


def minimal(e: Engine, target: tuple, deadline: float | None = None):
    """(schedule, violation) of a counterexample of property `target` (as `property_of` names
    it) with the fewest preemptions, then the fewest steps; None when the property is not one a
    single state or step shows (race, leak), or when the search gives up (MAX_NODES, or
    `deadline` in `time.monotonic()` seconds)."""
    if target[0] == "leak":
        return None
    racing = _racing(e, target) if target[0] == "race" else None
    heap: list = []
    tick = 0

    def push(cost: tuple, item: tuple) -> None:
        nonlocal tick
        tick += 1
        heapq.heappush(heap, (cost, tick, item))

    for state, start, bad in initial(e):
        if bad is not None:
            if bad.violation is not None and property_of(bad.violation) == target:
                return Schedule(start, ()), bad.violation
            continue
        push((0, 0), (state, None, start, (), None))
    seen: set = set()
    while heap:
        (pre, steps), _, (s, last, start, path, violation) = heapq.heappop(heap)
        if violation is not None:  # a step that breaks the property, reached at this cost
            return Schedule(start, path), violation
        key = (s.key(), last)
        if key in seen:
            continue
        seen.add(key)
        if len(seen) > MAX_NODES or (deadline is not None and time.monotonic() > deadline):
            return None
        v = _breaks(e, s, target)
        if v is not None:
            return Schedule(start, path), v
        live = live_threads(s)
        en = [t for t in live if enabled(e, s, t)]
        switch = 1 if last in en else 0  # leaving a thread that could go on is a preemption
        if racing is not None:  # two racing steps pending here: the schedule ends with them, adjacent
            for vs, ((t, c1), (u, c2)), mid in racing(s, en):
                cost = (pre + (switch if t != last else 0) + (1 if enabled(e, mid, t) else 0), steps + 2)
                push(cost, (None, u, start, path + ((t, c1), (u, c2)), vs[0]))
        for t in en:
            cost = (pre + (switch if t != last else 0), steps + 1)
            for o in e.step(s, t):
                if o.cut is not None:
                    continue
                if o.violation is not None:
                    if property_of(o.violation) == target:
                        push(cost, (None, t, start, path + ((t, o.choices),), o.violation))
                    continue
                push(cost, (o.state, t, start, path + ((t, o.choices),), None))
    return None


def _racing(e: Engine, target: tuple):
    """A test of a state for two pending steps that race on a cell `target` (a `no_race` entry)
    watches (race_states.pending_race); None for a model it cannot decide (`stateful_gaps`)."""
    dep = Dependence(e.program, spurious=e.spurious)
    watch = Watch(e.program, dep)
    if any((p.kind, p.pos.line, p.pos.col) == target for p in stateful_gaps(e.program)):
        return None

    def only(p) -> bool:
        return (p.kind, p.pos.line, p.pos.col) == target

    return lambda s, en: pending_races(e, dep, watch, s, en, only)


def _breaks(e: Engine, s, target: tuple):
    """The violation of `target` that state s shows by itself, if any (always, final, deadlock)."""
    kind = target[0]
    live = live_threads(s)
    if kind == "always" or (kind == "final" and not live):
        prop = next(p for p in e.program.properties if (p.kind, p.pos.line, p.pos.col) == target)
        return holds(e, s, prop)
    if kind == "deadlock" and live and stuck(e, s, [t for t in live if enabled(e, s, t)]):
        return on_stuck(e, s)
    if kind == "runtime":  # a property whose evaluation fails (a missing map key, an index)
        for prop in e.program.properties:
            if prop.kind == "always" or (prop.kind == "final" and not live):
                v = holds(e, s, prop)
                if v is not None and v.kind == "runtime":
                    return v
    return None


def preemptions(names: list, enabled_before: list) -> int:
    """The preemptions of a schedule: `names` the thread of each step, `enabled_before` the
    threads enabled in the state before each step."""
    count = 0
    for k in range(1, len(names)):
        if names[k] != names[k - 1] and names[k - 1] in enabled_before[k]:
            count += 1
    return count
