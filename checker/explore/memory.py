"""Shared memory: int and bool variables and arrays, plain and read-modify-write.

Semantics: `read`, `write` and the atomics `fetch_add`, `swap`, `cas` on one cell; an index is
checked against the array's size (a symbolic index by the solver), a symbolic index reads and
writes through the run's array terms. Dependence: a read reads its cell, a write or an atomic
writes it, and a `cas` whose comparison is concretely false only reads (two failed `cas` commute);
a symbolic index touches the whole array (an over-approximation: docs/soundness.md).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from checker.explore.frame import STOP, Frame
from checker.explore.local import _fork
from checker.explore.state import ATOMIC, OTHER, READ, WRITE, Access
from checker.program import ir
from checker.program.ir import Fault
from checker.program.model import Var
from checker.symbolic import values as V

if TYPE_CHECKING:
    from checker.explore.semantics import Engine


class _View:
    """Locals and memory for evaluating an index outside a step (no obligations kept)."""

    __slots__ = ("L", "M", "T", "ob")

    def __init__(self, L, M):
        self.L, self.M, self.T, self.ob = L, M, (), []


def index(e: Engine, f: Frame, i, out):
    """The concrete or symbolic index of an array access, guarded. Returns (ok, index)."""
    if i.index is None:
        return True, None
    ok, k = e.eval(f, i.index, i.src, out)
    if not ok:
        return False, None
    if type(k) is int:
        if not 0 <= k < i.var.size:
            e.violate(f, "runtime", f"index {k} out of range for '{i.var.name}' (size {i.var.size})", i.src, out)
            return False, None
        return True, k
    in_range = f.terms.in_range(k, i.var.size)
    if not e.obligation(f, in_range, "runtime", f"index out of range for '{i.var.name}' (size {i.var.size})",
                        i.src, out):
        return False, None
    return True, k


def cell_name(var: Var, k) -> str:
    return var.name if k is None else f"{var.name}[{V.show(k)}]"


def read_cell(f: Frame, var: Var, k):
    if k is None:
        return f.M[var.base]
    if type(k) is int:
        return f.M[var.base + k]
    return f.terms.select(f.M[var.base:var.base + var.size], k)


def write_cell(f: Frame, var: Var, k, v) -> None:
    if k is None:
        f.M[var.base] = v
    elif type(k) is int:
        f.M[var.base + k] = v
    else:
        f.M[var.base:var.base + var.size] = f.terms.store(f.M[var.base:var.base + var.size], k, v)


def read(e: Engine, f: Frame, i: ir.Read, out):
    ok, k = index(e, f, i, out)
    if not ok:
        return STOP
    v = read_cell(f, i.var, k)
    f.L[i.dst] = v
    if f.seen is not None and f.t in e.watched_threads:  # a `no_leak` observer sees what it reads
        f.seen.append((("thread", f.t), v))
    if f.log is not None:  # the name of a symbolic cell is text: only when recording
        f.note("read", cell_name(i.var, k), v)
    f.pc += 1


def write(e: Engine, f: Frame, i: ir.Write, out):
    ok, v = e.eval(f, i.value, i.src, out)
    if not ok:
        return STOP
    ok, k = index(e, f, i, out)
    if not ok:
        return STOP
    write_cell(f, i.var, k, v)
    if f.seen is not None and i.var.base in e.watched_vars:  # an observed variable: each value written
        f.seen.append((("var", i.var.base), v))
    if f.log is not None:
        f.note("write", cell_name(i.var, k), v)
    f.pc += 1


def rmw(e: Engine, f: Frame, i: ir.Rmw, out):
    args = []
    for a in i.args:
        ok, v = e.eval(f, a, i.src, out)
        if not ok:
            return STOP
        args.append(v)
    ok, k = index(e, f, i, out)
    if not ok:
        return STOP
    old = read_cell(f, i.var, k)
    if i.op == "fetch_add":
        new, result = V.add(old, args[0]), old
    elif i.op == "swap":
        new, result = args[0], old
    else:  # cas
        hit = V.compare("==", old, args[0])
        if type(hit) is not bool and f.seen is not None and i.var.base in e.watched_vars:
            # an observed variable sees a write only when the cas succeeds: follow each way
            def go(g: Frame, value: bool) -> bool:
                _rmw_done(e, g, i, k, old, args[1] if value else old, value, value)
                return True
            return _fork(e, f, hit, go, out)
        new, result = V.ite(hit, args[1], old), hit
    _rmw_done(e, f, i, k, old, new, result, i.op != "cas" or hit is not False)


def _rmw_done(e: Engine, f: Frame, i: ir.Rmw, k, old, new, result, wrote) -> None:
    write_cell(f, i.var, k, new)
    if i.dst is not None:
        f.L[i.dst] = result
    if f.seen is not None:  # `no_leak`: the observer sees the result; an observed variable each write
        if f.t in e.watched_threads:
            f.seen.append((("thread", f.t), result))
        if wrote and i.var.base in e.watched_vars:
            f.seen.append((("var", i.var.base), new))
    if f.log is not None:
        f.note("rmw", cell_name(i.var, k), old, new)
    f.pc += 1


HANDLERS = {ir.Read: read, ir.Write: write, ir.Rmw: rmw}


# ---- dependence --------------------------------------------------------------------------------

def cell(v: Var, at, L, M, mode: int, op: int = OTHER) -> Access:
    """The cells an access to v at index `at` touches: the one cell when it is known here (locals L,
    memory M; L None: an atomic block's access, known only if the index is a constant), else
    the whole array. `op` is ATOMIC for an atomic access."""
    if at is None:
        return Access(v.base, v.base + 1, mode, op)
    k = index_value(at, L, M)
    if type(k) is int and 0 <= k < v.size:
        return Access(v.base + k, v.base + k + 1, mode, op)
    return Access(v.base, v.base + v.size, mode, op)


def index_value(at, L, M):
    """An access's index from locals L and memory M (an int, a term, or None if it cannot be
    evaluated here)."""
    try:
        return at(_View(() if L is None else L, M))
    except (Fault, LookupError, TypeError, AttributeError):
        return None


def cas_fails(i: ir.Rmw, L, M) -> bool:
    """A `cas` whose comparison is concretely false here reads and does not write."""
    if i.op != "cas" or L is None:
        return False
    try:
        view = _View(L, M)
        expected = i.args[0](view)
        k = 0 if i.index is None else i.index(view)
    except Fault:
        return False
    if type(k) is not int or not 0 <= k < i.var.size or view.ob:
        return False
    old = M[i.var.base + k]
    return type(old) in (int, bool) and type(expected) in (int, bool) and old != expected


def access(i, t: int, s, L) -> tuple:
    """The accesses of memory instruction i of thread t (s None: any state)."""
    M = s.M if s is not None else ()
    kind = type(i)
    op = ATOMIC if i.var.atomic or kind is ir.Rmw else OTHER
    if kind is ir.Read:
        return (cell(i.var, i.index, L, M, READ, op),)
    if kind is ir.Write:
        return (cell(i.var, i.index, L, M, WRITE, op),)
    return (cell(i.var, i.index, L, M, READ if cas_fails(i, L, M) else WRITE, op),)


def state_dependent(i) -> bool:
    """Does what i touches depend on shared values (a `cas` may fail and only read)?"""
    return type(i) is ir.Rmw and i.op == "cas"
