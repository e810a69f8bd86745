"""Threads as a resource: `join t` and the end of a joined thread.

`join t` is enabled once t has finished. A thread that some other thread joins gets an `Exit`
step at its end, shown as "(thread ends)". Dependence: the exit writes a per-thread "finished"
location (a release, REL) and `join t` reads it (an acquire, ACQ), so a join depends on exactly
the joined thread's last step.
"""
from __future__ import annotations

from checker.primitives.base import ACQ, DONE, READ, REL, STOP, WRITE, Access, Operand, Statement, Surface

KIND = "thread"
SURFACE = Surface(None, (Statement("join", (Operand(("thread",)),), blocks=True),))


def join(e, f, i, out):
    if f.T[i.thread].status != DONE:  # only inside an atomic block: outside, the step is disabled
        e.violate(f, "runtime", "an atomic block would block on a join", i.src, out)
        return STOP
    f.note("sync", "join", e.program.threads[i.thread].name)
    f.pc += 1


def exit_(e, f, i, out):
    f.pc += 1


def join_enabled(s, i) -> bool:
    return s.T[i.thread].status == DONE


def join_access(dep, i) -> tuple:
    k = dep.fin0 + i.thread
    return (Access(k, k + 1, READ, ACQ),)


def exit_access(dep, t: int) -> tuple:
    k = dep.fin0 + t
    return (Access(k, k + 1, WRITE, REL),)
