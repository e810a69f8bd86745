"""Condition variables (`cv: condition`): wait, signal, broadcast, and the re-acquisition.

`wait cv m` releases m and puts the thread to sleep on cv (status WAIT; waiting without holding
m is misuse); `signal` wakes one sleeper (each choice is an outcome), `broadcast` all of them; a
woken thread's next step re-acquires m (the `Reacquire` after the `Wait`), enabled when m is
free. With `--spurious-wakeups` a sleeper may also wake by itself (`semantics.Engine.step`). A
timed wait (`ok = wait cv m timeout`) is a `Wait` whose sleeper may also wake by its timeout at
any step (`timeout`, with ok false); a signal or a broadcast leaves ok true.
Dependence: `wait`, `signal`, `broadcast` and a wake-up write cv's location; `wait` also
releases m (W REL); the re-acquisition acquires m (W ACQ) and reads cv (the wake-up that
enabled it wrote cv).
"""
from __future__ import annotations

from checker.primitives import eventloop
from checker.primitives.base import (waits_for_it, ACQ, OTHER, READ, REL, RUN, STOP, WAIT, WRITE, Declaration, Operand, Outcome,
                                     Statement, Surface, holds_nothing, no_holders, touches_the_same)

KIND = "condition"
SURFACE = Surface(
    Declaration("a condition variable", "cv: condition", array_of="condition variables"),
    (Statement("wait", (Operand(("condition",), "first operand"), Operand(("mutex",), "mutex")), blocks=True,
               atomic_ok=False, usage="wait CONDITION MUTEX", timed="bool"),
     Statement("signal", (Operand(("condition",)),)),
     Statement("broadcast", (Operand(("condition",)),))))


def initial(obj) -> int:
    return 0


def enabled(obj, y, op: str, t: int) -> bool:
    return True


def apply(e, f, i, k: int, out):
    """signal / broadcast"""
    t, op = f.t, i.op
    waiters = [u for u, ts in enumerate(f.T) if u != t and ts.status == WAIT and sleeps_on(e, u, ts) == k
               and not cancelled_task(e, f, u)]
    if op == "broadcast" or not waiters:
        for u in waiters:
            f.T[u] = f.T[u]._replace(status=RUN)
        f.note("sync", op, [e.program.threads[u].name for u in waiters])
        f.pc += 1
        return None
    branches = []
    for u in f.choose(waiters):
        g = f.clone() if e.values is None else f
        g.choices.append(u)
        g.T[u] = g.T[u]._replace(status=RUN)
        g.note("sync", op, [e.program.threads[u].name])
        g.pc += 1
        branches.append(g)
    return e.continue_forks(branches, out)


def cancelled_task(e, f, u: int) -> bool:
    """Is thread u a cancelled task of an event loop (it has left the wait set: asyncio skips it)?"""
    k = e.loops[u]
    return k is not None and eventloop.cancelled(f.Y[k], u)


def sleeps_on(e, u: int, ts) -> int | None:
    """The condition variable thread u sleeps on (its pc is at the Reacquire after the Wait), or
    None if it waits at a barrier instead (`barrier.waits_at`)."""
    cv = getattr(e.code[u][ts.pc], "cv", None)
    return cv.id(ts.L) if cv is not None else None


def wait(e, f, i, out):
    m = i.mutex.id(f.L)
    if f.Y[m] != f.t:
        e.violate(f, "lock_misuse", f"{e.program.threads[f.t].name} waits on {i.cv.name} without holding {i.mutex.name}",
                  i.src, out)
        return STOP
    f.Y[m] = -1
    f.status = WAIT
    if i.dst is not None:  # a timed wait: true unless its timeout fires (`timeout`)
        f.L[i.dst] = True
    f.note("sync", "wait", i.cv.name)
    f.pc += 1
    out.append(Outcome(f.state(e.dead[f.t][f.pc]), tuple(f.choices), None, None, f.log, tuple(f.forks),
                       f.observed()))
    return STOP


def timed(e, u: int, ts) -> bool:
    """Is thread u (status WAIT) asleep in a timed wait, whose timeout may fire at any step?"""
    return getattr(e.code[u][ts.pc], "timed", None) is not None


def timeout(e, f, out, ok: bool = False) -> None:
    """The timeout of a timed wait fires (a step of the sleeper): it leaves cv's wait set with
    `ok == false` (ok true: a spurious wake-up); its next step re-acquires the mutex, as after a signal."""
    i = e.code[f.t][f.pc]
    f.status = RUN
    f.L[i.timed] = ok
    f.note("wake", "spurious wake-up" if ok else "timeout")
    out.append(Outcome(f.state(), tuple(f.choices), None, None, f.log))


def reacquire(e, f, i, out):
    f.Y[i.mutex.id(f.L)] = f.t
    f.note("sync", "reacquire", i.mutex.name)
    f.pc += 1


def reacquire_enabled(s, i, ts) -> bool:
    return s.Y[i.mutex.id(ts.L)] == -1


def access(dep, i, t: int, s, L):
    return dep.sync(i.obj, L, WRITE, OTHER)


def wait_access(dep, i, L) -> tuple:
    return (dep.sync(i.cv, L, WRITE, OTHER), dep.sync(i.mutex, L, WRITE, REL))


def reacquire_access(dep, i, L) -> tuple:
    return (dep.sync(i.mutex, L, WRITE, ACQ), dep.sync(i.cv, L, READ, OTHER))


def wakeup_access(dep, i, L) -> tuple:
    """A sleeper's pending step: being woken, which writes cv (signal, broadcast, spurious)."""
    return (dep.sync(i.cv, L, WRITE, OTHER),)


state_dependent = touches_the_same
holds = holds_nothing
holders = no_holders
waits_for = waits_for_it
