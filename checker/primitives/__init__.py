"""One module per resource kind, owning how a model writes it and what it does (the stage before `lang`).

`mutex`, `rwlock`, `condition` (with `wait` and the re-acquisition), `semaphore`, `barrier`
(`arrive_and_wait` and the departure after it), `queue` (put, get, their `try_` forms, `len`),
and `thread` (`join` and a joined thread's exit). Each module has `KIND`, its `SURFACE` (`base.Surface`: the
declaration and the statement keywords, read by `checker.lang` and `checker.program`) and its
step semantics, read by `checker.explore`. A sync object's operations go through `SYNC[kind]`:
`initial(obj)`, `enabled(obj, y, op, t)`, `apply(e, f, i, k, out)`, `access(dep, i, t, s, L)`,
`state_dependent(i)`, `holds(y, t)`, `holders(y)`, `waits_for(obj, y, op)`; `e` is the explorer's `Engine`, `f` its
`Frame`, `dep` its `Dependence` (docs/extending.md). Shared memory (variables and arrays) is not
a primitive here: its keywords are the language's own, its semantics `checker.explore.memory`.

A primitive imports only `checker.errors`, `checker.symbolic` and this package.
"""
from __future__ import annotations

from dataclasses import replace

from checker.primitives import barrier, condition, eventloop, mutex, queue, rwlock, semaphore, thread
from checker.primitives.base import Declaration, Operand, Statement

PRIMITIVES = (mutex, rwlock, condition, semaphore, barrier, queue, thread, eventloop)  # the order of words in messages
# kind -> its declaration under `shared:`, for the kinds declared there
KINDS: dict[str, Declaration] = {m.KIND: m.SURFACE.declaration for m in PRIMITIVES if m.SURFACE.declaration}
# `NAME: KIND[N]` declares N objects with the initial state of `NAME: KIND`; a kind that takes a
# number takes it after the size, for every object of the array (`sems: semaphore[4] 1`)
# the kinds of sync object, with their state (an event loop is one, though not declared under `shared:`)
SYNC = {m.KIND: m for m in PRIMITIVES if m.KIND in KINDS or hasattr(m, "initial")}


def _statements() -> dict[str, Statement]:
    """Every statement keyword. A keyword two kinds share (`unlock` of a mutex or a rwlock) is one
    statement whose operand names either kind; the step goes to the kind of the object named."""
    table: dict[str, Statement] = {}
    for m in PRIMITIVES:
        for s in m.SURFACE.statements:
            old = table.get(s.word)
            if old is None:
                table[s.word] = s
                continue
            assert replace(old, operands=s.operands) == s and len(old.operands) == len(s.operands), s.word
            table[s.word] = replace(old, operands=tuple(Operand(a.kinds + b.kinds, a.noun)
                                                        for a, b in zip(old.operands, s.operands)))
    return table


STATEMENTS = _statements()
