"""The global state of a model (the small records a step produces come from `checker.primitives.base`).

A `State` is immutable and hashable by `key()`: memory (inputs first), sync objects, thread
states and the path condition. Values are ints/bools or z3 terms (keyed by their hash-consed
id). Two states with equal keys have the same future: everything a step reads is in the key.
"""
from __future__ import annotations

from typing import NamedTuple

from checker.primitives.base import (ACQ, ATOMIC, DONE, OTHER, READ, REL, RUN, SPIN, WAIT,  # noqa: F401
                                     WRITE, Access, Cut, Outcome, Violation)
from checker.symbolic.values import key as value_key


class Thread(NamedTuple):
    pc: int
    status: int  # RUN / WAIT (asleep on a condition variable) / DONE / SPIN (resting on a spin-wait's test)
    L: tuple  # locals; None until assigned
    loops: int  # loop back edges taken so far (not part of the state key)
    anys: int  # `any` values drawn so far (names fresh symbols: THREAD.anyK; not part of the key)


class State(NamedTuple):
    M: tuple  # shared memory cells, inputs first
    Y: tuple  # sync objects: mutex holder (-1 free) | (writer, readers) | permits | 0
    T: tuple  # Thread per thread
    pc: tuple  # path condition: z3 terms, conjoined

    def key(self, with_loops: bool = False):
        """A hashable identity. It holds z3 term ids, and z3 reuses the id of a freed term: a
        table of keys must keep the states (hence their terms) alive as long as the keys."""
        # `anys` only names the next fresh symbol; states equal up to it have isomorphic futures
        threads = tuple((t.pc, t.status, tuple(value_key(v) for v in t.L), t.loops if with_loops else 0)
                        for t in self.T)
        # the path condition is a conjunction: its order does not matter (sorted ids)
        return (tuple(value_key(v) for v in self.M), self.Y, threads, tuple(sorted(c.get_id() for c in self.pc)))
