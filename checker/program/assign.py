"""Lowering of assignments: `x = EXPR`, `a[i] = EXPR`, `v = any LO..HI`, `old = fetch_add(x, 1)`,
`ok = cas(x, E, N)`, `old = swap(x, v)`, and the primitives' value statements `ok = trylock m`,
`ok, v = try_get q`, `ok = lock m timeout` (whose step is the primitive's, `sync`).

The reads of a target's index come first, then those of the value, left to right; the write to
a shared target is its own step. A local target comes into being here, with the value's type.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from checker.errors import ModelError
from checker.lang import syntax as S
from checker.lang.statements import ATOMICS
from checker.primitives import STATEMENTS
from checker.program import ir, maps, sync
from checker.program.ir import Src
from checker.program.names import describe_type

if TYPE_CHECKING:
    from checker.program.lower import Lowering


def shared_cell(low: Lowering, target: S.Name | S.Index, src: Src, what: str):
    """A shared int/bool cell: (reads for its index, var, index fn or None)."""
    base = target.base if isinstance(target, S.Index) else target
    if base.id not in low.layout.vars:
        kind = low.layout.names.kinds.get(base.id) or (low.locals.types.get(base.id) and "local")
        if kind is None:
            raise low.locals.undefined(base)
        raise ModelError(f"{what} needs a shared int variable or array cell; '{base.id}' is "
                         f"{'a local' if kind == 'local' else describe_type(kind)}", base.pos,
                         "atomic operations work on shared memory: declare a variable under 'shared:', e.g. 'x: 0'")
    var = low.layout.vars[base.id]
    if isinstance(target, S.Index):
        if not var.array:
            raise ModelError(f"'{base.id}' is not an array", target.pos,
                             f"name it without an index, or declare an array, e.g. '{base.id}: int[4]'")
        pre, ifn, it = low.exprs.expr(target.index, src)
        low.exprs.want(it, "int", target.index.pos, "an array index")
        return pre, var, ifn
    if var.array:
        raise ModelError(f"'{base.id}' is an array; name a cell", target.pos, f"write {base.id}[i]")
    return [], var, None


def lower(low: Lowering, s: S.Assign, src: Src) -> None:
    value = s.value
    target = s.target
    cell = None
    if isinstance(target, S.Index) and target.base.id in low.layout.vars:
        # left to right: the reads in the target's index come before those of the value
        pre, var, ifn = shared_cell(low, target, src, "assignment")
        low.emit_all(pre)
        cell = (var, ifn)
    elif isinstance(target, S.Index) and target.base.id in low.layout.maps:  # `cache[k] = v`: k's reads first
        pre, mv, kfn = maps.entry(low, target, src)
        low.emit_all(pre)
        cell = (mv, kfn)
    if isinstance(value, S.Call) and value.fn in STATEMENTS:  # `ok = trylock m`, `ok, v = try_get q`
        results = sync.giving(low, value, src)
        (typ, dst), rest = results[0], results[1:]
        step = len(low.code) - 1
        second = s.second
        if rest and isinstance(second, S.Name) and plain_local(low, second.id):
            # `ok, v = try_get q` into a local: the step writes v, or leaves it as it was
            v = low.locals.new(second.id, rest[0][0], second.pos)
            low.code[step] = replace(low.code[step], dst2=v)
            rest = []
        store(low, target, typ, src, source=dst, cell=cell)
        if rest:  # into a shared cell: written (a step of its own) only when ok is true
            branch = low.emit(None)
            store(low, second, rest[0][0], src, source=rest[0][1])
            low.code[branch] = ir.Branch(low.locals.read(dst, src.pos), len(low.code), src)
        return
    if isinstance(value, S.Call) and value.fn in ATOMICS:
        store(low, target, rmw(low, value, src), src, result=True, cell=cell)
        return
    if isinstance(value, S.AnyValue):
        lo, hi = bound(value.lo), bound(value.hi)
        if lo > hi:
            raise ModelError(f"the range {lo}..{hi} is empty", value.pos, f"write any {hi}..{lo}")
        tmp = low.locals.temp("int")
        low.emit(ir.AnyLocal(tmp, lo, hi, src))
        store(low, target, "int", src, source=tmp, cell=cell)
        return
    pre, fn, t = low.exprs.expr(value, src)
    low.emit_all(pre)
    store(low, target, t, src, fn=fn, cell=cell)


def plain_local(low: Lowering, name: str) -> bool:
    """Is `name` a thread-local (not shared, an input, a resource or `tid`)?"""
    return name != "tid" and name not in low.layout.names.kinds and name not in low.layout.input_slot


def bound(e: S.Expr) -> int:
    if isinstance(e, S.Num):
        return e.value
    raise ModelError("the bounds of 'any LO..HI' must be integer constants", e.pos,
                     "write numbers, e.g. 'v = any 0..9'; for a bound that varies, draw the widest range "
                     "and then 'assume v <= n'")


def store(low: Lowering, target, typ: str, src: Src, fn=None, source: int | None = None, result: bool = False,
          cell=None):
    """Assign the value (fn, or local `source`, or the last Rmw/trylock result) to target."""
    if result:
        # the Rmw/trylock/SyncOp just emitted wrote into a temp; move it to the target
        last = low.code[-1]
        source = last.dst
    if fn is None and source is not None:
        fn = low.locals.read(source, target.pos if target else src.pos)
    if target is None:
        return
    base = target.base if isinstance(target, S.Index) else target
    name = base.id
    if name == "tid":
        raise ModelError("'tid' is read-only", base.pos,
                         "tid is the instance's index; copy it into a local first, e.g. 'me = tid'")
    if name in low.layout.input_slot:
        raise ModelError(f"input '{name}' is read-only", base.pos, "copy it into a local or shared variable")
    if name in low.layout.maps:  # `cache[k] = v`: a step of the map
        maps.store(low, target, typ, src, fn, cell)
        return
    kind = low.layout.names.kinds.get(name)
    if kind is not None and name not in low.layout.vars:
        raise ModelError(f"cannot assign to '{name}': it is {describe_type(kind)}", base.pos,
                         "assign to a shared variable, an array cell or a local; a local needs a name of its own")
    if name in low.layout.vars:
        if cell is None:
            pre, var, ifn = shared_cell(low, target, src, "assignment")
            low.emit_all(pre)
        else:
            var, ifn = cell
        low.exprs.want(typ, var.type, src.pos, f"'{name}'")
        low.emit(ir.Write(var, ifn, fn, src))
        return
    if isinstance(target, S.Index):
        raise ModelError(f"'{name}' is not a shared array", target.pos,
                         "locals are scalars; arrays go under 'shared:'")
    k = low.locals.new(name, typ, base.pos)
    low.emit(ir.SetLocal(k, fn, src))


USAGE = {"fetch_add": "fetch_add(x, 1)", "swap": "swap(x, v)", "cas": "cas(x, EXPECTED, NEW)"}


def rmw(low: Lowering, call: S.Call, src: Src) -> str:
    """`old = fetch_add(x, 1)`, `swap`, `cas`: one atomic step on one cell; returns the result's type."""
    arity = {"fetch_add": 2, "swap": 2, "cas": 3}[call.fn]
    if len(call.args) != arity:
        raise ModelError(f"'{call.fn}' takes {arity} arguments, found {len(call.args)}", call.pos, USAGE[call.fn])
    loc = call.args[0]
    if not isinstance(loc, (S.Name, S.Index)):
        raise ModelError(f"the first argument of '{call.fn}' must be a shared variable or array cell", loc.pos,
                         f"write '{USAGE[call.fn]}' with x declared under 'shared:'")
    pre_cell, var, ifn = shared_cell(low, loc, src, f"'{call.fn}'")
    args = []
    pre_args = []
    for a in call.args[1:]:
        p, f, t = low.exprs.expr(a, src)
        low.exprs.want(t, var.type if call.fn != "fetch_add" else "int", a.pos, f"an argument of '{call.fn}'")
        pre_args += p
        args.append(f)
    if call.fn == "fetch_add" and var.type != "int":
        raise ModelError(f"'fetch_add' needs an int variable; '{var.name}' is {describe_type(var.type)}", loc.pos,
                         f"for a bool, write 'old = swap({var.name}, true)' or 'ok = cas({var.name}, false, true)'")
    low.emit_all(pre_args + pre_cell)
    result = "bool" if call.fn == "cas" else var.type
    dst = low.locals.temp(result)
    low.emit(ir.Rmw(call.fn, dst, var, ifn, tuple(args), src))
    return result
