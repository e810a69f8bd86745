"""Lowering of the primitives' statements: `lock m`, `wait cv m`, `join t`, `ok = trylock m`, ...

What each statement takes comes from `checker.primitives.STATEMENTS`: the kinds of its operands
(checked here, with the primitive's noun and example declaration in the message) and the type of
the value it gives. A statement is one `SyncOp` step on the object its operand names, which the
explorer hands to that object's kind; the exceptions are in `SPECIAL` (`join`; `wait`, whose
re-acquisition of the mutex is a later step; `arrive_and_wait`, whose departure is a later step). An operand that indexes an array of objects with a
value that may be symbolic gets a `Resolve` first: the object is concrete at the step.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from checker.errors import ModelError
from checker.lang import syntax as S
from checker.primitives import KINDS, STATEMENTS
from checker.primitives.base import Statement
from checker.program import ir, spawns
from checker.program.ir import Src
from checker.program.model import SyncRef
from checker.program.names import describe_type

if TYPE_CHECKING:
    from checker.program.lower import Lowering


def lower(low: Lowering, s: S.Sync, src: Src) -> None:
    """A primitive's statement, `WORD OPERAND...`."""
    form = STATEMENTS[s.op]
    if not form.atomic_ok and low.atomic_depth:
        raise ModelError(f"'{s.op}' cannot be inside an atomic block", s.pos, NEVER_WAITS)
    if s.op in SPECIAL:
        SPECIAL[s.op](low, s, src, form)
        return
    obj, pre = sync_ref(low, s.args[0], src, form, 0)
    low.emit_all(pre)
    arg = item(low, s.value, src, form) if form.value else None
    low.emit(ir.SyncOp(s.op, obj, None, src, arg))


def item(low: Lowering, e: S.Expr, src: Src, form: Statement):
    """The value a statement takes (`put q EXPR`): its reads come first, after the operand's."""
    pre, fn, t = low.exprs.expr(e, src)
    low.exprs.want(t, "int", e.pos, f"the {form.value} of '{form.word}'")
    low.emit_all(pre)
    return fn


NEVER_WAITS = "an atomic block never waits: put it before or after the block"
TRIES = {"lock": "trylock", "acquire": "tryacquire", "get": "try_get"}  # a timed wait is its `try` form


def giving(low: Lowering, call: S.Call, src: Src) -> list[tuple[str, int]]:
    """`ok = trylock m`, `ok = try_put q EXPR`, `ok, v = try_get q`, `ok = lock m timeout`,
    `ok = wait cv m timeout`: the step writes its values into temps; returns (type, temp) per value.
    A timed wait on a mutex, a semaphore or a queue is its `try` form (docs/semantics.md, "Timed
    waits"); a timed `wait` is a `Wait` whose timeout may fire while it sleeps."""
    form = STATEMENTS[call.fn]
    gives = form.timed if call.timed else form.returns
    types = list(gives) if isinstance(gives, tuple) else [gives]
    if call.fn == "wait":
        if not form.atomic_ok and low.atomic_depth:
            raise ModelError("'wait' cannot be inside an atomic block", call.pos, NEVER_WAITS)
        dst = low.locals.temp("bool")
        wait(low, S.Sync("wait", call.args, src.pos, src.text), src, form, dst)
        return [("bool", dst)]
    if call.timed and low.atomic_depth:  # it may wait for its timeout
        raise ModelError(f"a timed '{call.fn}' cannot be inside an atomic block", call.pos,
                         "it may wait for its timeout, and an atomic block never waits: put it before or after the block")
    obj, pre = sync_ref(low, call.args[0], src, form, 0)
    low.emit_all(pre)
    arg = item(low, call.args[-1], src, form) if form.value else None
    temps = [low.locals.temp(t) for t in types]
    op = TRIES[call.fn] if call.timed else call.fn
    low.emit(ir.SyncOp(op, obj, temps[0], src, arg, temps[1] if len(temps) > 1 else None, call.timed))
    return list(zip(types, temps))


def join(low: Lowering, s: S.Sync, src: Src, form: Statement) -> None:
    spawns.join(low, s.args[0], src)


def wait(low: Lowering, s: S.Sync, src: Src, form: Statement, dst: int | None = None) -> None:
    """`wait cv m` (and a timed wait, whose result goes to `dst`): the release and sleep, then
    the re-acquisition of m after the wake-up."""
    cv, pre1 = sync_ref(low, s.args[0], src, form, 0)
    m, pre2 = sync_ref(low, s.args[1], src, form, 1)
    low.emit_all(pre1 + pre2)
    low.emit(ir.Wait(cv, m, src, dst))
    low.emit(ir.Reacquire(m, cv, Src(f"(wake up: take {m.name} again)", s.pos), dst))


def arrive_and_wait(low: Lowering, s: S.Sync, src: Src, form: Statement) -> None:
    """The arrival (one step), then the departure, a step of its own unless this arrival
    releases the phase (`checker.primitives.barrier`)."""
    b, pre = sync_ref(low, s.args[0], src, form, 0)
    low.emit_all(pre)
    low.emit(ir.SyncOp(s.op, b, None, src))
    words = s.text.split(None, 1)  # the operand as written: `bs[i]`
    operand = words[1].strip() if len(words) > 1 else b.name
    low.emit(ir.Depart(b, Src(f"(leaves barrier {operand})", s.pos)))


SPECIAL = {"join": join, "wait": wait, "arrive_and_wait": arrive_and_wait}


def sync_ref(low: Lowering, e: S.Name | S.Index, src: Src, form: Statement, k: int):
    """Resolve operand k of a statement to a sync object, with the instructions that must come first."""
    kinds, op, layout = form.operands[k].kinds, form.word, low.layout
    base = e.base if isinstance(e, S.Index) else e
    if base.id not in layout.sync_refs:
        kind = layout.names.kinds.get(base.id) or (base.id in low.locals and "local")
        if not kind:
            raise low.locals.undefined(base)
        words = " or ".join(describe_type(want) for want in kinds)
        raise ModelError(f"'{op}' needs {words}; '{base.id}' is {describe_type(kind)}", base.pos,
                         f"declare one under 'shared:', e.g. '{KINDS[kinds[0]].example}'")
    kind, sbase, size = layout.sync_refs[base.id]
    decl_kind = layout.names.kinds[base.id]
    if kind not in kinds:
        words = " or ".join(describe_type(want) for want in kinds)
        fits = [n if layout.names.kinds[n] == ref[0] else f"{n}[i]" for n, ref in layout.sync_refs.items()
                if ref[0] in kinds]
        hint = (f"write '{form.usage}'" if form.usage else f"write '{op} {fits[0]}'" if fits
                else f"declare one under 'shared:', e.g. '{KINDS[kinds[0]].example}'")
        raise ModelError(f"'{op}' needs {words}; '{base.id}' is {describe_type(decl_kind)}", base.pos, hint)
    if decl_kind != kind:  # an array of objects: `lock locks[i]`
        if not isinstance(e, S.Index):
            raise ModelError(f"'{base.id}' is an array of {size} {KINDS[kind].array_of}; name one", e.pos,
                             f"write {op} {base.id}[i]")
        pre, ifn, it = low.exprs.expr(e.index, src)
        low.exprs.want(it, "int", e.index.pos, f"a {kind} index")
        dst = low.locals.temp("int")
        return SyncRef(base.id, kind, sbase, size, dst), pre + [ir.Resolve(dst, ifn, size, src, kind)]
    if isinstance(e, S.Index):
        raise ModelError(f"'{base.id}' is not an array", e.pos,
                         f"write '{op} {base.id}', or declare an array, e.g. '{base.id}: {kind}[4]'")
    return SyncRef(base.id, kind, sbase, 1, None), []
