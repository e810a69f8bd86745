"""The global state of a model (the small records a step produces come from `checker.primitives.base`).

A `State` is immutable and hashable by `key()`: memory (inputs first), sync objects, thread
states and the path condition. Values are ints/bools or z3 terms (keyed by their hash-consed
id). Two states with equal keys have the same future: everything a step reads is in the key.
"""
from __future__ import annotations

from typing import NamedTuple

from checker.primitives.base import (ACQ, ATOMIC, DONE, NEW, OTHER, READ, REL, RUN, SPIN, WAIT,  # noqa: F401
                                     WRITE, Access, Cut, Outcome, Violation)
from checker.symbolic.values import key as value_key


class Thread(NamedTuple):
    pc: int
    status: int  # RUN / WAIT (asleep on a condition variable) / DONE / SPIN (resting on a spin-wait's test) / NEW
    L: tuple  # locals; None until assigned
    loops: int  # loop back edges taken so far (not part of the state key)
    anys: int  # `any` values drawn so far (names fresh symbols: THREAD.anyK; not part of the key)


class State(NamedTuple):
    M: tuple  # shared memory cells, inputs first
    Y: tuple  # sync objects: mutex holder (-1 free) | (writer, readers) | permits | 0 | a queue's (head, items)
    T: tuple  # Thread per thread
    pc: tuple  # path condition: z3 terms, conjoined

    def key(self, with_loops: bool = False):
        """A hashable identity. It holds z3 term ids, and z3 reuses the id of a freed term: a
        table of keys must keep the states (hence their terms) alive as long as the keys."""
        # `anys` only names the next fresh symbol; states equal up to it have isomorphic futures
        threads = tuple((t.pc, t.status, tuple(value_key(v) for v in t.L), t.loops if with_loops else 0)
                        for t in self.T)
        # the path condition is a conjunction: its order does not matter (sorted ids)
        return (tuple(value_key(v) for v in self.M), tuple(map(_sync_key, self.Y)), threads,
                tuple(sorted(c.get_id() for c in self.pc)))


def live(s: State) -> list[int]:
    """The threads that exist and have not finished (not DONE, not NEW: a `start: spawned` thread
    not spawned yet does not exist for deadlock and `final`)."""
    return [t for t, ts in enumerate(s.T) if ts.status != DONE and ts.status != NEW]


def _sync_key(y):
    """A sync object's state, hashable: a queue's (head, items) holds values (`value_key`)."""
    if type(y) is tuple and len(y) == 2 and type(y[1]) is tuple and type(y[0]) is int:
        return (y[0], tuple(value_key(v) for v in y[1]))
    return y
