"""The global state of a model and the small records a step produces.

A `State` is immutable and hashable by `key()`: memory (inputs first), sync objects, thread
states and the path condition. Values are ints/bools or z3 terms (keyed by their hash-consed
id). Two states with equal keys have the same future: everything a step reads is in the key.
"""
from __future__ import annotations

from typing import NamedTuple

from checker.symbolic.values import key as value_key

RUN, WAIT, DONE, SPIN = 0, 1, 2, 3
READ, WRITE = 0, 1
OTHER, ACQ, REL, ATOMIC = 0, 1, 2, 3  # ATOMIC: a memory access that never races (races.py)


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


class Access(NamedTuple):
    """One resource touched by a step: location ids [lo, hi), READ/WRITE, and ACQ/REL/OTHER
    (an acquire needs the object free, a release needs it held: never enabled together), or
    ATOMIC for a memory access that is atomic (an `atomic` variable, `fetch_add`/`cas`/`swap`,
    inside an `atomic:` block): the same as OTHER for dependence, never a data race."""

    lo: int
    hi: int
    mode: int
    op: int


class Violation(NamedTuple):
    kind: str  # PropertyKind value
    message: str
    text: str  # the statement or property as written
    line: int
    col: int
    values: dict | None  # a model of the inputs, when the violation depends on them
    detail: dict | None = None  # e.g. the wait-for cycle of a deadlock


class Cut(NamedTuple):
    """Exploration stopped here by a bound, not by the model."""

    reason: str
    thread: str
    text: str
    line: int


class Outcome(NamedTuple):
    state: State
    choices: tuple  # the choices made inside the step (signal target, enumerated any, index)
    violation: Violation | None
    cut: Cut | None
    log: list | None  # what the step read and wrote, when recording a trace
    forks: tuple = ()  # symbolic branch directions taken: with `choices`, which outcome of the step this is
    seen: tuple = ()  # what `no_leak` observers saw in the step: ((channel, value), ...) (ir.Leak)
