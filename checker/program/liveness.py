"""Live locals: which locals of a thread may still be read before they are written again.

A step ends with the thread at a visible instruction; there the dead locals are cleared, so
two states that differ only in values nobody will read are one state. This is exact, not an
approximation: a dead local's value cannot influence any future step, property or check
(properties read shared memory and program counters only). Standard backward dataflow over
the thread's control-flow graph; each closure carries the set of locals it reads (`uses`).
"""
from __future__ import annotations

from checker.program import ir


def _uses(fn) -> frozenset:
    return getattr(fn, "uses", frozenset()) if fn is not None else frozenset()


def uses_defs(i) -> tuple[frozenset, frozenset]:
    k = type(i)
    if k is ir.SetLocal:
        return _uses(i.fn), frozenset((i.dst,))
    if k is ir.AnyLocal:
        return frozenset(), frozenset((i.dst,))
    if k in (ir.Branch, ir.Assert, ir.Assume, ir.Spin):
        return _uses(i.cond), frozenset()
    if k is ir.Resolve:
        return _uses(i.fn), frozenset((i.dst,))
    if k is ir.Read:
        return _uses(i.index), frozenset((i.dst,))
    if k is ir.Write:
        return _uses(i.index) | _uses(i.value), frozenset()
    if k is ir.MapOp:
        return _uses(i.key) | _uses(i.value), frozenset(() if i.dst is None else (i.dst,))
    if k is ir.Rmw:
        u = _uses(i.index).union(*(_uses(a) for a in i.args))
        return u, frozenset((i.dst,)) if i.dst is not None else frozenset()
    if k is ir.Spawn:
        u = frozenset().union(*(_uses(a) for a in i.args))
        return u, frozenset((i.dst,)) if i.dst is not None else frozenset()
    if k in (ir.Join, ir.Cancel) and i.local is not None:
        return frozenset((i.local,)), frozenset()
    refs = []
    if k is ir.SyncOp:
        refs = [i.obj]
    elif k in (ir.Wait, ir.Reacquire):
        refs = [i.cv, i.mutex]
    elif k is ir.Depart:
        refs = [i.barrier]
    used = frozenset(r.local for r in refs if r.local is not None)
    if k is ir.SyncOp:
        used = used | _uses(i.arg)
        if i.dst2 is not None:  # `ok, v = try_get q`: v keeps its value when nothing is taken
            return used | {i.dst2}, frozenset((i.dst, i.dst2))
    if k in (ir.SyncOp, ir.Wait) and i.dst is not None:
        return used, frozenset((i.dst,))
    return used, frozenset()


def successors(code: tuple, pc: int) -> list[int]:
    i = code[pc]
    if type(i) is ir.Jump:
        return [i.target]
    if type(i) is ir.Branch:
        return [pc + 1, i.target]
    if type(i) is ir.Spin:
        return [pc + 1, i.head]
    return [pc + 1]


def dead_locals(code: tuple, nlocals: int, final: int | None = None) -> tuple:
    """For each pc (and len(code), the end): the locals that are dead on arrival there. With a
    `finally:` block starting at `final`, a cancellation may go there from every step before
    it (a task's await points), so what the block reads stays live there."""
    n = len(code)
    live = [frozenset()] * (n + 1)
    ud = [uses_defs(i) for i in code]
    changed = True
    while changed:
        changed = False
        for pc in range(n - 1, -1, -1):
            succ = successors(code, pc)
            if final is not None and pc < final and code[pc].visible:
                succ = succ + [final]
            out = frozenset().union(*(live[s] for s in succ))
            u, d = ud[pc]
            new = u | (out - d)
            if new != live[pc]:
                live[pc] = new
                changed = True
    everything = frozenset(range(nlocals))
    return tuple(tuple(sorted(everything - lv)) for lv in live)


def step_body(code: tuple, pc: int) -> frozenset:
    """The pcs that the step from visible pc may run: pc, the rest of an atomic block that
    starts there, then local instructions up to the next visible one."""
    i = code[pc]
    ks = set(range(pc, i.end)) if type(i) is ir.AtomicBegin else {pc}
    todo = [i.end if type(i) is ir.AtomicBegin else pc + 1]
    while todo:
        k = todo.pop()
        if k >= len(code) or k in ks or code[k].visible:
            continue
        ks.add(k)
        todo.extend(successors(code, k))
    return frozenset(ks)


def guarded(code: tuple) -> tuple:
    """For each visible pc: may the state leave its step with no outcome? So it is when the step
    runs an `assume`, or is a spin-wait's test (which a spinning thread takes only when it can
    exit). Such a step is enabled only where its guard holds: the reduction treats it as one
    that can block."""
    return tuple(i.visible and any(type(code[k]) in (ir.Assume, ir.Spin) for k in step_body(code, pc))
                 for pc, i in enumerate(code))


def local_reads(code: tuple) -> tuple:
    """For each visible pc: the memory ranges read in place (by `assume`) in the local work
    its step runs afterwards, up to the next visible instruction. Dependence needs them:
    those reads belong to that step. An atomic block's own body is accounted for separately."""
    n = len(code)
    out = []
    for pc, i in enumerate(code):
        if not i.visible:
            out.append(())
            continue
        start = i.end if type(i) is ir.AtomicBegin else pc + 1
        seen, todo, ranges = set(), [start], set()
        while todo:
            k = todo.pop()
            if k >= n or k in seen or code[k].visible:
                continue
            seen.add(k)
            if type(code[k]) is ir.Assume:
                ranges |= code[k].reads
            todo.extend(successors(code, k))
        out.append(tuple(sorted(ranges)))
    return tuple(out)
