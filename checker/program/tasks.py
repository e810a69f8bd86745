"""Lowering of event-loop tasks and `finally:` (docs/semantics.md, "Event loops").

`await` is one `Await` step, and only a task (a thread with `loop: NAME`) may await, outside
any atomic block. `cancel NAME[i]` is one `Cancel` step on a task (a computed index gets a
`Resolve` first). A thread's `finally:` block is lowered after its body: a thread's `return`
jumps to it, and a cancelled task goes there (`ThreadCode.final`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from checker.errors import ModelError, did_you_mean
from checker.lang import syntax as S
from checker.program import calls, ir
from checker.program.ir import Src

if TYPE_CHECKING:
    from checker.program.lower import Lowering


def await_(low: Lowering, s: S.Await, src: Src) -> None:
    if s.task is not None:
        cancel(low, s, src)
        return
    if low.decl.loop is None:
        raise ModelError(f"'await' outside a task: thread '{low.decl.name}' is not on an event loop", s.pos,
                         "give the thread 'loop: NAME' to run it as a task of event loop NAME")
    if low.atomic_depth:
        raise ModelError("'await' cannot be inside an atomic block", s.pos, "an atomic block never yields")
    low.emit(ir.Await(src))


def cancel(low: Lowering, s: S.Await, src: Src) -> None:
    e = s.task
    base = e.base if isinstance(e, S.Index) else e
    decls = {d.name: d for d in low.layout.model.threads}
    if base.id not in decls:
        raise ModelError(f"'{base.id}' is not a thread", base.pos,
                         did_you_mean(base.id, list(decls)) or f"threads: {', '.join(decls)}")
    if decls[base.id].loop is None:
        raise ModelError(f"'{base.id}' is not a task: only a task of an event loop can be cancelled", base.pos,
                         f"give thread '{base.id}' 'loop: NAME'")
    if low.atomic_depth:
        raise ModelError("'cancel' cannot be inside an atomic block", s.pos, "cancel before or after the block")
    ids = low.layout.thread_index[base.id]
    if isinstance(e, S.Index) and not isinstance(e.index, S.Num):
        pre, ifn, it = low.exprs.expr(e.index, src)
        low.exprs.want(it, "int", e.index.pos, "a task index")
        low.emit_all(pre)
        k = low.locals.temp("int")
        low.emit(ir.Resolve(k, ifn, len(ids), src, "thread"))
        low.emit(ir.Cancel(ids[0], src, k, len(ids)))
        return
    low.emit(ir.Cancel(low.layout.thread_ref(e, e.pos), src))


def finish(low: Lowering) -> int | None:
    """After the body: a `return` goes to the `finally:` block, lowered here; its own `return`s
    go to the end. The pc the block starts at (None without one)."""
    if not low.decl.final:
        calls.patch(low, low, len(low.code))
        return None
    start = len(low.code)
    calls.patch(low, low, start)
    for s in low.decl.final:
        low.stmt(s)
    calls.patch(low, low, len(low.code))
    return start


def loop_of(low: Lowering) -> int | None:
    return low.layout.loops[low.decl.loop[0]] if low.decl.loop is not None else None
