"""Lowering of jumps and calls: `break`, `continue`, `return [EXPR]`, `f(ARGS)`, `v = f(ARGS)`.

`break` is a forward `Jump` past its loop; `continue` is a `Jump(head, back=True)`, counted
against the loop bound exactly like the loop's own back edge. A call is inlined: the target's
index reads (for `a[i] = f(...)`), then the arguments' reads (steps, left to right, as in an
assignment), then the parameters are set (local work), then the body, lowered in a scope of its
own (its parameters and locals get fresh slots at each call site; the caller's locals are not
visible), then the result is stored as an assignment would store it. A call costs no step of
its own. `return` jumps to the end of the inlined body; a thread's `return` to the end of the
thread. Every instruction of the body carries the call in its `Src.via`, for traces.

Forward jumps are emitted as `Pending` placeholders and patched when their target is known
(`patch`): a placeholder moves with the code when a loop's `Pause` is inserted before it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from checker.errors import ModelError
from checker.lang import syntax as S
from checker.program import assign, ir
from checker.program.ir import Fault, Src

if TYPE_CHECKING:
    from checker.program.lower import Lowering

INLINE_LIMIT = 20_000  # instructions: inlining stops here (compile.MAX_INSTRS says the same)


@dataclass(frozen=True)
class Pending:
    """A forward jump whose target is not known yet: `key` names the loop or call it leaves."""

    key: object
    src: Src
    visible = False


class Frame:
    """One inlined call being lowered: where its returns go and the slot of its value."""

    def __init__(self, proc: S.ProcedureDecl, call: S.Invoke):
        self.proc, self.call = proc, call
        self.result: int | None = None  # the slot of `return EXPR`'s value
        self.type: str | None = None
        self.where = None  # the position of the first `return EXPR`
        self.missing = object()  # key of the bare returns of a call that wants a value


def patch(low: Lowering, key: object, target: int) -> None:
    for k, i in enumerate(low.code):
        if type(i) is Pending and i.key is key:
            low.code[k] = ir.Jump(target, False, i.src)


def jump(low: Lowering, s: S.Jump, src: Src) -> None:
    if s.op == "continue":
        low.emit(ir.Jump(low.loops[-1][0], True, src))
    elif s.op == "break":
        low.emit(Pending(low.loops[-1][1], src))
    elif not low.frames:  # a thread's `return`: to its end
        low.emit(Pending(low, src))
    else:
        frame = low.frames[-1]
        if s.value is None:
            low.emit(Pending(frame.missing if frame.call.target is not None else frame, src))
            return
        pre, fn, t = low.exprs.expr(s.value, src)
        low.emit_all(pre)
        if frame.result is None:
            frame.result, frame.type, frame.where = low.locals.temp(t), t, s.pos
        elif frame.type != t:
            raise ModelError(f"procedure '{frame.proc.name}' returns {describe(t)} here and "
                             f"{describe(frame.type)} at line {frame.where.line}", s.value.pos,
                             "every 'return EXPR' of a procedure gives a value of the same type")
        low.emit(ir.SetLocal(frame.result, fn, src))
        low.emit(Pending(frame, src))


def describe(t: str) -> str:
    from checker.program.names import describe_type
    return describe_type(t)


def invoke(low: Lowering, s: S.Invoke, src: Src) -> None:
    proc = low.procedures[s.name]  # `procedures.check` made sure it exists and fits
    if len(low.code) > INLINE_LIMIT:
        raise ModelError(f"inlining the calls makes more than {INLINE_LIMIT} instructions", s.pos,
                         "call fewer procedures, or make them shorter")
    cell = None
    if isinstance(s.target, S.Index) and s.target.base.id in low.layout.vars:
        pre, var, ifn = assign.shared_cell(low, s.target, src, "assignment")
        low.emit_all(pre)
        cell = (var, ifn)
    args = []
    for a in s.args:  # in the caller: their reads are steps, left to right
        pre, fn, t = low.exprs.expr(a, src)
        low.emit_all(pre)
        args.append((fn, t))
    caller = low.locals
    scope = caller.child(set(low.collect_assigned(proc.body, set())))
    for (fn, t), (name, pos) in zip(args, proc.params):
        low.emit(ir.SetLocal(scope.new(name, t, pos), fn, src))
    frame = Frame(proc, s)
    low.locals = low.exprs.locals = scope
    low.frames.append(frame)
    outer_via, outer_loops = low.via, low.loops
    low.via, low.loops = low.via + ((s.call or s.name, s.pos.line),), []
    try:
        for lname, e, pos in proc.locals:
            fn, t = low.initial_value(lname, e, pos, "constants, inputs, parameters or tid")
            low.emit(ir.SetLocal(scope.new(lname, t, pos), fn, src))
        fresh = low.emit_resets(scope, proc) if low.loop_depth else None
        for b in proc.body:
            low.stmt(b)
        if fresh is not None:
            fresh()
    finally:
        low.locals = low.exprs.locals = caller
        low.frames.pop()
        low.via, low.loops = outer_via, outer_loops
    if s.target is not None:  # falling off the end, or a bare `return`: no value
        patch(low, frame.missing, len(low.code))
        low.emit(ir.SetLocal(frame.result, no_value(proc.name, s), src))
    patch(low, frame, len(low.code))
    low.emit(ir.Jump(len(low.code) + 1, False, src))  # where the call returns to
    if s.target is not None:
        assign.store(low, s.target, frame.type, src, source=frame.result, cell=cell)


def no_value(name: str, s: S.Invoke):
    def missing(X):
        raise Fault(f"procedure '{name}' ended without 'return EXPR', so '{s.call}' has no value", s.pos)
    missing.uses = frozenset()
    return missing


def unset(X):
    """A fresh call's local before its first assignment (`Lowering.emit_resets`)."""
    return None


unset.uses = frozenset()
