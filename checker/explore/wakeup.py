"""Optimal DPOR's data: events, the nodes of the current path, and wake-up trees.

A wake-up tree (Abdulla, Aronis, Jonsson, Sagonas, JACM 64(4), 2017, Section 6) is an ordered
tree of event sequences, stored as nested lists `[[key, footprint, subtree(, covered)], ...]`:
`key` is an event's identity (`key_of`), `footprint` what it touches (`dependence.footprint`;
None when the event ends its execution: it covers nothing). `weak_initial` and `insert` are the paper's operations,
extended as docs/soundness.md ("Reduction 1", points 4 and 5) argues.
"""
from __future__ import annotations

from checker.explore.known import Info
from checker.explore.state import State


class Event:
    """One executed step: thread, identity (`key_of`: thread, recorded choices, forks; the
    choices are None for a thread's next step with any outcome), accesses, vector clock.
    `seq` is the event's 1-based position in its thread; `clock[t]` counts t's events that
    happen before it (itself included); `pos` its position in the execution (-1: a step not
    executed, the last event of a reversal); `fp` the accesses' `footprint`."""

    __slots__ = ("thread", "key", "acc", "clock", "seq", "blocking", "pos", "fp")

    def __init__(self, thread, key, acc, clock, seq, blocking, pos, fp):
        self.thread, self.key, self.acc, self.clock = thread, key, acc, clock
        self.seq, self.blocking, self.pos, self.fp = seq, blocking, pos, fp


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


def weak_initial(v: list, key, fp) -> int | None:
    """Is the event `key` (with footprint fp) a weak initial of v? Either its thread's first
    event in v is this event and nothing in v before it happens before it: the answer is that
    event's position; or its thread is not in v and the event is independent of every event
    of v: -1. None when it is not a weak initial (and for fp None: an event that ends its
    execution covers nothing). A wildcard (any outcome of the step, key[1] None) matches
    every outcome. v is short (a few events): two passes over it cost less than keeping
    per-thread positions and unions for it."""
    if fp is None:
        return None
    t = key[0]
    for k, g in enumerate(v):  # (loops, not generators: the search's hot path)
        if g.thread == t:
            if g.key != key and g.key[1] is not None and key[1] is not None:
                return None
            c = g.clock
            for h in v[:k]:
                if c[h.thread] >= h.seq:
                    return None
            return k
    touched, written = fp
    for g in v:
        f = g.fp
        if written & f[0] or touched & f[1]:
            return None
    return -1


def insert(tree: list, v: list, fixed: int = -1) -> bool:
    """insert_[E](v, wut) of the paper: follow the branches whose event is a weak initial of
    what is left of v; a leaf reached means v is covered; else v's rest becomes a new branch.
    A leaf that is a thread's next step with any outcome (key[1] None) may turn out to end its
    execution or be discarded: it keeps what it covers, to insert again if so (next_child).

    `fixed` >= 0 says that v's first `fixed` events and its last one are the same in every
    execution that will propose v again (u1 and the racing event; the events between them,
    u2, may change): the answer is True when a leaf was reached through those events alone.
    That leaf stays a leaf and covers every such v (docs/soundness.md, "Settled races")."""
    stable = fixed >= 0
    tail = True  # v's last event (the racing step) is still in v
    while True:
        for child in tree:
            key = child[0]
            k = weak_initial(v, key, child[1])
            if k is None:
                continue
            if k >= 0:
                if k < fixed:
                    fixed -= 1
                elif tail and k == len(v) - 1:
                    tail = False
                else:
                    stable = False  # an event of u2
                v = v[:k] + v[k + 1:]
            elif key[1] is None:
                child[3].append(v)
                return False
            else:
                stable = False  # it commutes with all of v, u2 included
            sub = child[2]
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
