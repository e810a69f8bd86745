"""Lowering of threads that start later: `start: spawned`, `params:`, `spawn NAME(ARGS)`,
`h = spawn NAME(ARGS)` and `join NAME[h]` (docs/semantics.md, "Threads that start later").

A spawned thread's code starts with a `Start` step, enabled once another thread has spawned
the instance; its parameters are locals (ints) that the `Spawn` step sets. A `Spawn` starts
the group's first instance not yet started, so the instances start in index order and `h`
is that index. A join of an instance by a computed index gets a `Resolve` first, as an array
of sync objects does.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from checker.errors import ModelError, did_you_mean
from checker.lang import syntax as S
from checker.program import ir
from checker.program.ir import Src

if TYPE_CHECKING:
    from checker.program.lower import Lowering


def begin(low: Lowering) -> tuple[int, ...]:
    """A spawned thread's first instruction, `Start`, and its parameters' locals."""
    params = tuple(low.locals.new(p, "int", pos) for p, pos in low.decl.params)
    low.emit(ir.Start(Src("(starts)", low.decl.pos, low.via)))
    return params


def spawn(low: Lowering, s: S.Spawn, src: Src) -> None:
    """`spawn NAME(ARGS)`: the reads of the arguments, left to right, then the spawn step."""
    if low.atomic_depth:
        raise ModelError("'spawn' cannot be inside an atomic block", s.pos, "spawn before or after the block")
    name = s.name.id
    decls = {d.name: d for d in low.layout.model.threads}
    if name not in decls:
        raise ModelError(f"'{name}' is not a thread", s.name.pos,
                         did_you_mean(name, list(decls)) or f"threads: {', '.join(decls)}")
    d = decls[name]
    if not d.spawned:
        raise ModelError(f"thread '{name}' starts with the model, not by 'spawn'", s.name.pos,
                         "give it 'start: spawned' (and 'count: N' for N instances) to spawn it")
    if len(s.args) != len(d.params):
        want = ", ".join(p for p, _ in d.params)
        raise ModelError(f"thread '{name}' takes {len(d.params)} parameter{'s' * (len(d.params) != 1)}, "
                         f"found {len(s.args)}", s.pos, f"write 'spawn {name}({want})'" if want else f"write 'spawn {name}'")
    fns = []
    for a, (p, _) in zip(s.args, d.params):
        pre, fn, t = low.exprs.expr(a, src)
        low.exprs.want(t, "int", a.pos, f"parameter '{p}' of '{name}'")
        low.emit_all(pre)
        fns.append(fn)
    dst = low.locals.temp("int") if s.target is not None else None
    low.emit(ir.Spawn(tuple(low.layout.thread_index[name]), tuple(fns), dst, src))
    if s.target is not None:
        from checker.program import assign  # the store of h, as any assignment's
        assign.store(low, s.target, "int", src, source=dst)


JOIN_SELF = "it would wait forever for its own end: name another thread"


def join(low: Lowering, e: S.Name | S.Index, src: Src) -> None:
    """`join t`, `join t[K]`, or `join t[h]` with h computed (a `Resolve`, then a `Join` by index)."""
    if isinstance(e, S.Index) and not isinstance(e.index, S.Num) and e.base.id in low.layout.thread_index:
        ids = low.layout.thread_index[e.base.id]
        if low.index in ids and len(ids) == 1:
            raise ModelError("a thread cannot join itself", e.pos, JOIN_SELF)
        pre, ifn, it = low.exprs.expr(e.index, src)
        low.exprs.want(it, "int", e.index.pos, "a thread index")
        low.emit_all(pre)
        k = low.locals.temp("int")
        low.emit(ir.Resolve(k, ifn, len(ids), src, "thread"))
        low.joins.update(ids)
        low.emit(ir.Join(ids[0], src, k, len(ids)))
        return
    t = low.layout.thread_ref(e, e.pos)
    if t == low.index:
        raise ModelError("a thread cannot join itself", e.pos, JOIN_SELF)
    low.joins.add(t)
    low.emit(ir.Join(t, src))
