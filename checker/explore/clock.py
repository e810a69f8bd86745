"""Happens-before over the current execution: vector clocks and the accesses per location.

An execution is a sequence of events (steps); event e of thread t is the `seq`-th of t and its
vector clock `c` counts, per thread u, u's events that happen before it (itself included):
program order plus every earlier dependent event, transitively (Lamport; Mattern 1989). `History`
keeps, per location id, the accesses of the execution's events in order, so that the earlier
events a new access depends on are found without scanning the whole execution: for a location,
the reads since the last write and that write (everything before it happens before the write),
or the full list when the caller needs every candidate (an event that can be disabled).
"""
from __future__ import annotations

from checker.explore.state import WRITE


def join(a, b) -> list:
    """The pointwise maximum of two vector clocks."""
    return [x if x >= y else y for x, y in zip(a, b)]


class History:
    """Per location id: [(position, mode, op)] of the current execution's accesses, oldest first."""

    __slots__ = ("at",)

    def __init__(self, size: int):
        self.at: list[list] = [[] for _ in range(size)]

    def add(self, pos: int, A: tuple) -> None:
        for a in A:
            for loc in range(a.lo, a.hi):
                self.at[loc].append((pos, a.mode, a.op))

    def remove(self, A: tuple) -> None:
        """Undo `add` of the latest event (with accesses A)."""
        for a in A:
            for loc in range(a.lo, a.hi):
                self.at[loc].pop()

    def conflicts(self, A: tuple, mine, full: bool) -> set:
        """Positions of earlier events that conflict with accesses A (a common location, one side
        writing), except those for which `mine(pos)` is true (the same thread's). Without `full`,
        a location's scan stops at its last write: what precedes it happens before that write."""
        found = set()
        at = self.at
        for a in A:
            for loc in range(a.lo, a.hi):
                h = at[loc]
                for k in range(len(h) - 1, -1, -1):
                    pos, mode, _ = h[k]
                    if not (mode or a.mode):
                        continue  # two reads commute
                    if not mine(pos):
                        found.add(pos)
                    if mode == WRITE and not full:
                        break
        return found
