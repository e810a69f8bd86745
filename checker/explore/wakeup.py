"""Optimal DPOR's data: events, the nodes of the current path, and wake-up trees.

A wake-up tree (Abdulla, Aronis, Jonsson, Sagonas, JACM 64(4), 2017, Section 6) is an ordered
tree of event sequences, stored as nested lists `[[key, footprint, subtree(, covered)], ...]`:
`key` is an event's identity (`key_of`), `footprint` what it touches (`dependence.footprint`;
None when the event ends its execution: it covers nothing). `Initials.weak_initial` and `insert` are the paper's operations,
extended as docs/soundness.md ("Reduction 1", points 4 and 5) argues.
"""
from __future__ import annotations

from checker.explore.dependence import footprint
from checker.explore.known import Info
from checker.explore.state import State


class Event:
    """One executed step: thread, identity (thread, choices, forks), accesses, vector clock.
    `seq` is the event's 1-based position in its thread; `clock[t]` counts t's events that
    happen before it (itself included); `pos` its position in the execution (-1: a step not
    executed, the last event of a reversal); `fp` the accesses' `footprint` (computed from
    them when not given)."""

    __slots__ = ("thread", "key", "acc", "clock", "seq", "choices", "blocking", "pos", "fp")

    def __init__(self, thread, key, acc, clock, seq, choices, blocking, pos=-1, fp=None):
        self.thread, self.key, self.acc, self.clock, self.seq = thread, key, acc, clock, seq
        self.choices, self.blocking, self.pos = choices, blocking, pos
        self.fp = footprint(acc) if fp is None else fp


class Ended(tuple):
    """The footprint of an event that ended its execution (a violation, a cut): it sleeps like
    any explored event, but covers no reversal, since nothing after it was explored."""


class Node:
    """A state on the current path: its wake-up tree, sleep set and computed steps."""

    __slots__ = ("state", "clock", "sleep", "wut", "info", "assumed", "explored")

    def __init__(self, state: State, clock: list, sleep: dict, wut: list, info: Info):
        self.state = state
        self.clock = clock  # per thread: the vector clock of its last event
        self.sleep = sleep  # event key -> footprint: explored from an ancestor, nothing dependent since
        self.wut = wut  # wake-up tree: [[key, footprint, subtree(, covered)], ...] in order
        self.info = info  # the state's steps, accesses, live and enabled threads (known.py)
        self.assumed = None  # threads whose step `assume` discarded here, counted once per node
        self.explored = False


def key_of(t: int, o) -> tuple:
    """An event's identity: thread, recorded choices, symbolic branch directions (and whether
    the step ended in a violation or a cut, which is an outcome of its own)."""
    if o.violation is not None or o.cut is not None:
        return (t, o.choices, o.forks + ("end",))
    return (t, o.choices, o.forks)


def covering(o, fp):
    """A branch's footprint for the weak-initial test; None for a step that ends its execution
    (a violation, a cut): nothing is explored after it, so it covers no reversal."""
    return None if o.violation is not None or o.cut is not None else fp


class Initials:
    """A sequence v of events with, per thread, the position of its first event in v, and the
    union of their footprints, so that the weak-initial test of many events against one v
    costs one pass over v."""

    __slots__ = ("v", "first", "ordered", "touched", "written")

    def __init__(self, v: list):
        self.v = v
        self.first = first = {}
        touched = written = 0
        for k, g in enumerate(v):
            if g.thread not in first:
                first[g.thread] = k
            t, w = g.fp
            touched |= t
            written |= w
        self.touched, self.written = touched, written
        self.ordered: dict = {}  # position -> does something earlier in v happen before it?

    def weak_initial(self, key, fp) -> bool:
        """Is the event `key` (with footprint fp) a weak initial of v: its thread's first event
        in v is this event and nothing in v before it happens before it, or its thread is not in
        v and the event is independent of all of v?"""
        if fp is None:
            return False  # it ends its execution: nothing after it is explored
        v = self.v
        k = self.first.get(key[0])
        if k is None:  # independent of every event of v: of the union of their footprints
            return not (fp[1] & self.touched or fp[0] & self.written)
        g = v[k]  # a wildcard (any outcome of the step) matches every outcome
        if g.key != key and g.key[1] is not None and key[1] is not None:
            return False
        ordered = self.ordered.get(k)
        if ordered is None:
            c = g.clock
            ordered = False
            for h in v[:k]:
                if c[h.thread] >= h.seq:
                    ordered = True
                    break
            self.ordered[k] = ordered
        return not ordered


def insert(tree: list, v: list, fixed: int = -1, initials: Initials | None = None) -> bool:
    """insert_[E](v, wut) of the paper: follow the branches whose event is a weak initial of
    what is left of v; a leaf reached means v is covered; else v's rest becomes a new branch.
    A leaf that is a thread's next step with any outcome (key[1] None) may turn out to end its
    execution or be discarded: it keeps what it covers, to insert again if so (next_child).

    `fixed` >= 0 says that v's first `fixed` events and its last one are the same in every
    execution that will propose v again (u1 and the racing event; the events between them,
    u2, may change): the answer is True when a leaf was reached through those events alone.
    That leaf stays a leaf and covers every such v (docs/soundness.md, "Settled races").
    `initials`: Initials(v), when the caller has it."""
    stable = fixed >= 0
    tail = True  # v's last event (the racing step) is still in v
    while True:
        if initials is None:
            initials = Initials(v)
        for child in tree:
            key, fp, sub = child[0], child[1], child[2]
            if initials.weak_initial(key, fp):
                k = initials.first.get(key[0])
                if k is not None:
                    if k < fixed:
                        fixed -= 1
                    elif tail and k == len(v) - 1:
                        tail = False
                    else:
                        stable = False  # an event of u2
                    v = v[:k] + v[k + 1:]
                    initials = None  # v changed
                elif key[1] is None:
                    child[3].append(v)
                    return False
                else:
                    stable = False  # it commutes with all of v, u2 included
                if not sub:
                    return stable and key[1] is not None  # a wildcard leaf may yet cover nothing
                if not v:
                    return False
                tree = sub
                break
        else:
            branch = tree
            for g in v:
                nxt = []
                branch.append([g.key, g.fp, nxt] if g.key[1] is not None else [g.key, g.fp, nxt, []])
                branch = nxt
            return False
