"""Reader-writer locks (`rw: rwlock`): read_lock, write_lock, unlock.

State: (writer or -1, sorted tuple of readers). `read_lock` is enabled without a writer,
`write_lock` without a writer and without readers (re-locking one's own is misuse, reported by
the step); no reader or writer preference. Dependence: `read_lock` and a reader's `unlock` read
the lock's location (readers commute with each other), `write_lock` and the writer's `unlock`
write it; locks are acquires (ACQ), unlocks releases (REL).
"""
from __future__ import annotations

from checker.primitives.base import (waits_for_it, ACQ, OTHER, READ, REL, STOP, WRITE, Declaration, Operand, Statement, Surface,
                                     touches_the_same)

KIND = "rwlock"
SURFACE = Surface(
    Declaration("a read-write lock", "rw: rwlock", array_of="read-write locks"),
    (Statement("read_lock", (Operand(("rwlock",)),), blocks=True),
     Statement("write_lock", (Operand(("rwlock",)),), blocks=True),
     Statement("unlock", (Operand(("rwlock",)),))))


def initial(obj) -> tuple:
    return (-1, ())


def enabled(obj, y, op: str, t: int) -> bool:
    if op == "read_lock":
        return y[0] == -1 or y[0] == t or t in y[1]
    if op == "write_lock":
        return (y[0] == -1 and not y[1]) or y[0] == t or t in y[1]
    return True


def apply(e, f, i, k: int, out):
    obj, (writer, readers), t, op = e.program.syncs[k], f.Y[k], f.t, i.op
    me = e.program.threads[t].name
    if op in ("read_lock", "write_lock"):
        if writer == t or t in readers:
            verb = "read-locks" if op == "read_lock" else "write-locks"
            e.violate(f, "lock_misuse", f"{me} {verb} {obj.name}, which it already holds", i.src, out)
            return STOP
        if writer != -1 or (op == "write_lock" and readers):
            e.violate(f, "runtime", f"an atomic block would block on {obj.name}", i.src, out)
            return STOP
        f.Y[k] = (writer, tuple(sorted(readers + (t,)))) if op == "read_lock" else (t, ())
    elif writer == t:
        f.Y[k] = (-1, readers)
    elif t in readers:
        f.Y[k] = (writer, tuple(r for r in readers if r != t))
    else:
        e.violate(f, "lock_misuse", f"{me} unlocks {obj.name}, which it does not hold", i.src, out)
        return STOP
    f.note("sync", op, obj.name)
    f.pc += 1


def access(dep, i, t: int, s, L):
    if i.op == "read_lock":
        return dep.sync(i.obj, L, READ, ACQ)
    if i.op == "write_lock":
        return dep.sync(i.obj, L, WRITE, ACQ)
    if s is not None:  # unlock: a reader's release commutes with other readers
        writer, _ = s.Y[i.obj.id(L)]
        return dep.sync(i.obj, L, WRITE if writer == t else READ, REL)
    return dep.sync(i.obj, L, WRITE, OTHER)


state_dependent = touches_the_same


def holds(y, t: int) -> bool:
    return y[0] == t or t in y[1]


def holders(y) -> list[int]:
    return ([y[0]] if y[0] >= 0 else []) + list(y[1])
waits_for = waits_for_it
