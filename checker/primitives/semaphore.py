"""Counting semaphores (`s: semaphore N`): acquire, release.

State: the number of permits. `acquire` is enabled when there is one and takes it; `release`
adds one (there is no upper bound and no owner); `ok = acquire s timeout` (op `tryacquire`)
never blocks: it takes a permit if there is one, else it times out (docs/semantics.md, "Timed waits"). Dependence: both write the semaphore's
location; `acquire` is an acquire (ACQ), `release` a release (REL).
"""
from __future__ import annotations

from checker.primitives.base import (ACQ, OTHER, READ, REL, STOP, WRITE, Declaration, Operand, Param, Statement, Surface,
                                     holds_nothing, no_holders)

KIND = "semaphore"
SURFACE = Surface(
    Declaration("a semaphore", "s: semaphore 1", Param("permits", 0, 1000, 2), array_of="semaphores"),
    (Statement("acquire", (Operand(("semaphore",)),), blocks=True, timed="bool"),
     Statement("release", (Operand(("semaphore",)),))))


def initial(obj) -> int:
    return obj.permits


def enabled(obj, y, op: str, t: int) -> bool:
    return op != "acquire" or y > 0


def apply(e, f, i, k: int, out):
    obj, y = e.program.syncs[k], f.Y[k]
    if i.op == "acquire":
        if y == 0:  # only inside an atomic block: outside, no permit disables the step
            e.violate(f, "runtime", f"an atomic block would block on {obj.name}", i.src, out)
            return STOP
        f.Y[k] = y - 1
    elif i.op == "tryacquire":  # `ok = acquire s timeout`: a permit if there is one, else it times out
        f.L[i.dst] = y > 0
        if y > 0:
            f.Y[k] = y - 1
        f.note("sync", "tryacquire", obj.name)
    else:
        f.Y[k] = y + 1
    if i.op != "tryacquire":
        f.note("sync", i.op, obj.name)
    f.pc += 1


def access(dep, i, t: int, s, L):
    if s is None:
        return dep.sync(i.obj, L, WRITE, OTHER)
    if i.op == "tryacquire":  # never blocks; one that times out (no permit) only reads
        return dep.sync(i.obj, L, WRITE if s.Y[i.obj.id(L)] > 0 else READ, OTHER)
    return dep.sync(i.obj, L, WRITE, ACQ if i.op == "acquire" else REL)


def state_dependent(i) -> bool:
    return i.op == "tryacquire"
holds = holds_nothing
holders = no_holders


def waits_for(obj, y, op: str) -> tuple[str, str]:
    """What a thread blocked on this semaphore waits for, in a deadlock report."""
    return "semaphore", f"a permit of {obj.name}"
