"""Threads as a resource: `join t`, the end of a joined thread, `spawn` and a spawned thread's start.

`join t` is enabled once t has finished. A thread that some other thread joins gets an `Exit`
step at its end, shown as "(thread ends)". Dependence: the exit writes a per-thread "finished"
location (a release, REL) and `join t` reads it (an acquire, ACQ), so a join depends on exactly
the joined thread's last step.

`spawn NAME(ARGS)` starts the group's first instance with status NEW: it becomes RUN with its
parameters set, and its first step is its `Start` (shown as "(starts)"). Dependence: a spawn
writes the group's location (two spawns of one group pick their instances in order: dependent)
and the instance's "finished" location as a release (REL); the `Start` reads that location as
an acquire (ACQ: it is disabled until the spawn), so the spawn happens before every step of the
new thread, and which instance a spawn starts is fixed by the spawns of its group before it.
"""
from __future__ import annotations

from checker.primitives.base import ACQ, DONE, NEW, OTHER, READ, REL, RUN, STOP, WRITE, Access, Operand, Statement, Surface

KIND = "thread"
SURFACE = Surface(None, (Statement("join", (Operand(("thread",)),), blocks=True),))


def join(e, f, i, out):
    u = i.target(f.L)
    if f.T[u].status != DONE:  # only inside an atomic block: outside, the step is disabled
        e.violate(f, "runtime", "an atomic block would block on a join", i.src, out)
        return STOP
    f.note("sync", "join", e.program.threads[u].name)
    f.pc += 1


def spawn(e, f, i, out):
    """Start the group's first instance not started yet, with its parameters; h = its index."""
    group = [u for u in i.group if f.T[u].status == NEW]
    th = e.program.threads[i.group[0]]
    if not group:
        e.violate(f, "runtime", f"spawns instance {len(i.group) + 1} of {th.group}, which has count {len(i.group)}",
                  i.src, out)
        return STOP
    u = group[0]
    values = []
    for fn in i.args:
        ok, v = e.eval(f, fn, i.src, out)
        if not ok:
            return STOP
        values.append(v)
    ts = f.T[u]
    L = list(ts.L)
    for k, v in zip(e.program.threads[u].params, values):
        L[k] = v
    f.T[u] = ts._replace(status=RUN, L=tuple(L))
    if i.dst is not None:
        f.L[i.dst] = i.group.index(u)
    f.note("sync", "spawn", e.program.threads[u].name)
    f.pc += 1


def start(e, f, i, out):
    f.note("sync", "start", None)
    f.pc += 1


def exit_(e, f, i, out):
    f.pc += 1


def join_enabled(s, i, ts) -> bool:
    return s.T[i.target(ts.L)].status == DONE


def join_access(dep, i, L) -> tuple:
    if i.local is not None and (L is None or type(L[i.local]) is not int):  # any instance
        return (Access(dep.fin0 + i.thread, dep.fin0 + i.thread + i.size, READ, ACQ),)
    k = dep.fin0 + i.target(L)
    return (Access(k, k + 1, READ, ACQ),)


def spawn_access(dep, i, s) -> tuple:
    """The group's location, and the "finished" location of the instance it starts (of every
    instance, in any state)."""
    group = Access(dep.spawn0[i.group[0]], dep.spawn0[i.group[0]] + 1, WRITE, OTHER)
    new = [u for u in i.group if s is not None and s.T[u].status == NEW]
    if s is None:
        return (group, Access(dep.fin0 + i.group[0], dep.fin0 + i.group[-1] + 1, WRITE, REL))
    if not new:  # spawning one too many: a runtime violation; it reads what the spawns wrote
        return (Access(group.lo, group.hi, READ, OTHER),)
    return (group, Access(dep.fin0 + new[0], dep.fin0 + new[0] + 1, WRITE, REL))


def start_access(dep, t: int) -> tuple:
    k = dep.fin0 + t
    return (Access(k, k + 1, READ, ACQ),)


def exit_access(dep, t: int) -> tuple:
    k = dep.fin0 + t
    return (Access(k, k + 1, WRITE, REL),)
