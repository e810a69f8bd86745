"""Happens-before over the current execution: vector clocks and the accesses per location.

An execution is a sequence of events (steps); event e of thread t is the `seq`-th of t and its
vector clock `c` counts, per thread u, u's events that happen before it (itself included):
program order plus every earlier dependent event, transitively (Lamport; Mattern 1989). `History`
keeps, per location id, the reads and the writes of the execution's events in order, so that the
earlier events a new access depends on are found without scanning the whole execution: for a
location, its last write, and for a new write the reads since (everything before the last write
happens before it), or every conflicting access when the caller needs every candidate (an event
that can be disabled).
"""
from __future__ import annotations


def join(a, b) -> list:
    """The pointwise maximum of two vector clocks."""
    return [x if x >= y else y for x, y in zip(a, b)]


def join_into(vc: list, c) -> None:
    """vc becomes the pointwise maximum of vc and c (the search's hot path: no new list)."""
    for k, x in enumerate(c):
        if x > vc[k]:
            vc[k] = x


class History:
    """Per location id, the current execution's reads and writes apart: [(position, thread)],
    oldest first. A read conflicts with the writes only, so its earlier conflicts are found
    without looking at the reads."""

    __slots__ = ("reads", "writes")

    def __init__(self, size: int):
        self.reads: list[list] = [[] for _ in range(size)]
        self.writes: list[list] = [[] for _ in range(size)]

    def add(self, pos: int, A: tuple, t: int) -> None:
        """Thread t's event at position pos has accesses A."""
        entry = (pos, t)
        for lo, hi, mode, _ in A:
            at = self.writes if mode else self.reads
            if hi - lo == 1:
                at[lo].append(entry)
            else:
                for loc in range(lo, hi):
                    at[loc].append(entry)

    def remove(self, A: tuple) -> None:
        """Undo `add` of the latest event (with accesses A)."""
        for lo, hi, mode, _ in A:
            at = self.writes if mode else self.reads
            if hi - lo == 1:
                at[lo].pop()
            else:
                for loc in range(lo, hi):
                    at[loc].pop()

    def push(self, pos: int, A: tuple, t: int, full: bool) -> list:
        """`conflicts` of thread t's event at position pos (accesses A), then `add` it."""
        if len(A) == 1 and not full:
            lo, hi, writes, _ = A[0]
            if hi - lo == 1:  # one location (the search's hot path)
                w = self.writes[lo]
                last = -1
                if w:
                    last, u = w[-1]
                if writes:  # the reads since the last write, then the last write
                    found = []
                    for r, v in reversed(self.reads[lo]):
                        if r <= last:
                            break  # (a read at the last write's position is that event's)
                        if v != t and (not found or found[-1] != r):
                            found.append(r)
                    if last >= 0 and u != t:
                        found.append(last)
                    w.append((pos, t))
                    return found
                self.reads[lo].append((pos, t))  # a read: the last write, if another thread's
                return [last] if last >= 0 and u != t else []
        found = self.conflicts(A, t, full)
        self.add(pos, A, t)
        return found

    def conflicts(self, A: tuple, p: int, full: bool) -> list:
        """Positions of earlier events of threads other than p that conflict with accesses A (a
        common location, one side writing), latest first, each once. Without `full`, only a
        location's last write and the reads since: what precedes that write happens before it."""
        found = set()
        for lo, hi, writes, _ in A:
            for loc in range(lo, hi):
                w = self.writes[loc]
                if full:
                    for pos, t in w:
                        if t != p:
                            found.add(pos)
                    if writes:
                        for pos, t in self.reads[loc]:
                            if t != p:
                                found.add(pos)
                    continue
                last = -1
                if w:
                    last, t = w[-1]
                    if t != p:
                        found.add(last)
                if writes:
                    for pos, t in reversed(self.reads[loc]):
                        if pos <= last:
                            break
                        if t != p:
                            found.add(pos)
        return sorted(found, reverse=True)
