"""Barriers (`b: barrier N`, `bs: barrier[2] 3`): arrive_and_wait, and the departure after it.

`arrive_and_wait b` is two instructions: the arrival (a `SyncOp`, one step for each arriving
thread) and the departure (an `ir.Depart` after it). An arrival that is not the N-th of its
phase counts itself and waits (status WAIT, like a condition wait; never woken spuriously); the
N-th releases the phase: the count goes back to 0 (the barrier resets at once), every thread
waiting at the barrier is made runnable, and the releasing thread moves on in the same step
(past its own departure). A released thread's next step is its departure, "(leaves barrier b)".
A thread that arrives after a release waits for the next phase.

State: the number of threads arrived in the current phase. The phase itself is not stored: a
waiting thread is released by the step that fills its phase (its status), so the phase number
would only tell apart states whose futures are the same (a server loop's states stay finite).

Dependence: an arrival writes the barrier's location (OTHER: it never blocks, and it may be
enabled together with a departure); a departure reads it and is an acquire (ACQ: it is
disabled until its phase is released), so it is dependent with the arrival that released it.
"""
from __future__ import annotations

from checker.primitives.base import (waits_for_it, ACQ, OTHER, READ, RUN, STOP, WAIT, WRITE, Declaration, Operand, Outcome, Param,
                                     Statement, Surface, holds_nothing, no_holders, touches_the_same)

KIND = "barrier"
SURFACE = Surface(
    Declaration("a barrier", "b: barrier 2", Param("threads", 1, 64, 2), array_of="barriers"),
    (Statement("arrive_and_wait", (Operand(("barrier",)),), blocks=True, atomic_ok=False,
               usage="arrive_and_wait BARRIER"),))


def initial(obj) -> int:
    return 0


def enabled(obj, y, op: str, t: int) -> bool:
    return True


def apply(e, f, i, k: int, out):
    """The arrival. Not the N-th: wait (the step ends here). The N-th: release the phase."""
    obj, y = e.program.syncs[k], f.Y[k]
    if y + 1 < obj.permits:
        f.Y[k] = y + 1
        f.status = WAIT
        f.note("sync", "arrive_and_wait", (obj.name, y + 1, obj.permits, ()))
        f.pc += 1  # at the departure
        out.append(Outcome(f.state(e.dead[f.t][f.pc]), tuple(f.choices), None, None, f.log, tuple(f.forks),
                           f.observed()))
        return STOP
    waiters = [u for u, ts in enumerate(f.T) if u != f.t and ts.status == WAIT and waits_at(e, u, ts) == k]
    for u in waiters:
        f.T[u] = f.T[u]._replace(status=RUN)
    f.Y[k] = 0
    f.note("sync", "arrive_and_wait", (obj.name, y + 1, obj.permits, tuple(e.program.threads[u].name
                                                                         for u in waiters)))
    f.pc += 2  # past its own departure: the releasing thread moves on in this step
    return None


def waits_at(e, u: int, ts) -> int | None:
    """The barrier thread u (status WAIT) waits at, or None if it sleeps on a condition."""
    ref = getattr(e.code[u][ts.pc], "barrier", None)
    return ref.id(ts.L) if ref is not None else None


def arrived(e, u: int, ts, Y) -> tuple[str, int, int]:
    """(the barrier's name, how many have arrived in its phase, N) for thread u waiting there."""
    k = waits_at(e, u, ts)
    obj = e.program.syncs[k]
    return obj.name, Y[k], obj.permits


def depart(e, f, i, out):
    f.note("sync", "leave", e.program.syncs[i.barrier.id(f.L)].name)
    f.pc += 1


def access(dep, i, t: int, s, L):
    return dep.sync(i.obj, L, WRITE, OTHER)


def depart_access(dep, i, L) -> tuple:
    """A departure (and a waiting thread's pending step): reads what the releasing arrival wrote."""
    return (dep.sync(i.barrier, L, READ, ACQ),)


state_dependent = touches_the_same
holds = holds_nothing
holders = no_holders
waits_for = waits_for_it
