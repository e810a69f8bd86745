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


def join_into(vc: list, c) -> None:
    """vc becomes the pointwise maximum of vc and c (the search's hot path: no new list)."""
    for k, x in enumerate(c):
        if x > vc[k]:
            vc[k] = x


class History:
    """Per location id: [(position, mode, thread)] of the current execution's accesses, oldest first."""

    __slots__ = ("at",)

    def __init__(self, size: int):
        self.at: list[list] = [[] for _ in range(size)]

    def add(self, pos: int, A: tuple, t: int) -> None:
        """Thread t's event at position pos has accesses A."""
        at = self.at
        for lo, hi, mode, _ in A:
            entry = (pos, mode, t)
            if hi - lo == 1:
                at[lo].append(entry)
            else:
                for loc in range(lo, hi):
                    at[loc].append(entry)

    def remove(self, A: tuple) -> None:
        """Undo `add` of the latest event (with accesses A)."""
        at = self.at
        for lo, hi, _, _ in A:
            if hi - lo == 1:
                at[lo].pop()
            else:
                for loc in range(lo, hi):
                    at[loc].pop()

    def conflicts(self, A: tuple, p: int, full: bool) -> list:
        """Positions of earlier events of threads other than p that conflict with accesses A (a
        common location, one side writing), latest first, each once. Without `full`, a
        location's scan stops at its last write: what precedes it happens before that write."""
        at = self.at
        if len(A) == 1 and A[0].hi - A[0].lo == 1:  # one location: its entries, newest first
            _, _, writes, _ = A[0]
            h = at[A[0].lo]
            latest = []
            for k in range(len(h) - 1, -1, -1):
                pos, mode, t = h[k]
                if not (mode or writes):
                    continue  # two reads commute
                if t != p and (not latest or latest[-1] != pos):  # an event's entries are adjacent
                    latest.append(pos)
                if mode == WRITE and not full:
                    break
            return latest
        found = set()
        for a in A:
            writes = a.mode
            for loc in range(a.lo, a.hi):
                h = at[loc]
                for k in range(len(h) - 1, -1, -1):
                    pos, mode, t = h[k]
                    if not (mode or writes):
                        continue  # two reads commute
                    if t != p:
                        found.add(pos)
                    if mode == WRITE and not full:
                        break
        return sorted(found, reverse=True)
