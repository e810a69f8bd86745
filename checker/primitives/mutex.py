"""Mutexes (`m: mutex`, `forks: mutex[N]`): lock, trylock, unlock.

State: the holder's thread id, -1 when free. `lock` is enabled when the mutex is free (or held
by the locking thread: that is misuse, reported by the step); `unlock` by anyone but the holder
is misuse. Dependence: every operation writes the mutex's location; `lock` is an acquire (ACQ:
it needs the mutex free), `unlock` a release (REL); a `trylock` that finds the mutex held fails
and only reads it (two failing trylocks commute).
"""
from __future__ import annotations

from checker.primitives.base import waits_for_it, ACQ, OTHER, READ, REL, STOP, WRITE, Declaration, Operand, Statement, Surface

KIND = "mutex"
SURFACE = Surface(
    Declaration("a mutex", "m: mutex", array_of="mutexes"),
    (Statement("lock", (Operand(("mutex",)),), blocks=True, timed="bool"),
     Statement("unlock", (Operand(("mutex",)),)),
     Statement("trylock", (Operand(("mutex",), "mutex"),), returns="bool")))


def initial(obj) -> int:
    return -1


def enabled(obj, y, op: str, t: int) -> bool:
    return op != "lock" or y == -1 or y == t


def apply(e, f, i, k: int, out):
    obj, y, t, op = e.program.syncs[k], f.Y[k], f.t, i.op
    me = e.program.threads[t].name
    if op == "lock":
        if y == t:
            e.violate(f, "lock_misuse", f"{me} locks {obj.name}, which it already holds", i.src, out)
            return STOP
        if y != -1:  # only inside an atomic block: outside, a held mutex disables the step
            e.violate(f, "runtime", f"an atomic block would block on {obj.name}", i.src, out)
            return STOP
        f.Y[k] = t
    elif op == "trylock":
        took = y == -1
        if took:
            f.Y[k] = t
        f.L[i.dst] = took
        if f.seen is not None and t in e.watched_threads:  # a `no_leak` observer learns whether m was free
            f.seen.append((("thread", t), took))
    else:  # unlock
        if y != t:
            holder = "nobody" if y == -1 else e.program.threads[y].name
            e.violate(f, "lock_misuse", f"{me} unlocks {obj.name}, held by {holder}", i.src, out)
            return STOP
        f.Y[k] = -1
    f.note("sync", op, obj.name)
    f.pc += 1


def access(dep, i, t: int, s, L):
    if s is None:
        return dep.sync(i.obj, L, WRITE, OTHER)
    if i.op == "trylock":  # a failed trylock only reads the mutex
        return dep.sync(i.obj, L, READ if s.Y[i.obj.id(L)] != -1 else WRITE, OTHER)
    return dep.sync(i.obj, L, WRITE, ACQ if i.op == "lock" else REL)


def state_dependent(i) -> bool:
    return i.op == "trylock"


def holds(y, t: int) -> bool:
    return y == t


def holders(y) -> list[int]:
    """Who a thread blocked on this mutex waits for."""
    return [y] if y >= 0 else []
waits_for = waits_for_it
