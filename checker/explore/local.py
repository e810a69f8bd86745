"""Local work: what a thread does between its shared steps (docs/semantics.md, "What one step is").

Assignments to locals, draws (`any`), branches, jumps (a loop's back edge counts against the
loop bound), `assert`, `assume` (reads shared memory in place), a spin-wait's test, resolving a
mutex-array index, and the pause that gives a loop with no shared step a scheduling point.
None of these writes shared state. Each handler follows the contract of `frame.py`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from checker.explore.frame import STOP, Frame
from checker.explore.state import RUN, SPIN
from checker.program import ir
from checker.symbolic import values as V
from checker.symbolic.solver import Sat

if TYPE_CHECKING:
    from checker.explore.semantics import Engine

ENUMERATE_LIMIT = 64  # `any` ranges of at most this many values are enumerated in looping models


def _set_local(e: Engine, f: Frame, i: ir.SetLocal, out):
    ok, v = e.eval(f, i.fn, i.src, out)
    if not ok:
        return STOP
    f.L[i.dst] = v
    f.note("local", i.dst, v)
    f.pc += 1


def _enumerated(e: Engine, i: ir.AnyLocal) -> bool:
    """Is this `any` draw enumerated, one outcome per value, rather than a fresh symbolic
    constant?

    Either way is sound: a symbolic draw is one path whose path condition holds for every value
    in the range (it stands for all of them), an enumerated draw is one path per value; both
    cover the same executions. What differs is cost, and whether the stateful search closes:
    a loop that keeps drawing symbolically makes a fresh constant on every turn, and its states
    would never repeat. So a draw is enumerated only in a model with a loop that can turn
    forever, and only for a range of at most ENUMERATE_LIMIT values. When every loop of the
    model is a counted loop (`while k < N` with k a local that each turn increases,
    `compile.counted`), every execution is finite, the search ends whatever the draws are,
    and draws stay symbolic as in a loop-free model: `while k < 2` around `i = any 0..9` is
    then one path per schedule instead of ten per draw, and commuting updates of symbolic
    cells meet in equal states. The rule is the engine's `enumerate_any`, set by the caller
    from the program alone (`verify.enumerates`), so a replay makes the same choice.
    """
    return e.enumerate_any and i.hi - i.lo + 1 <= ENUMERATE_LIMIT


def _any_local(e: Engine, f: Frame, i: ir.AnyLocal, out):
    name = f"{e.program.threads[f.t].name}.any{f.anys}"
    f.anys += 1
    if _enumerated(e, i):
        branches = []
        for v in f.choose(list(range(i.lo, i.hi + 1))):
            g = f.clone() if e.values is None else f
            g.choices.append(v)
            g.L[i.dst] = v
            g.note("any", i.dst, v)
            g.pc += 1
            branches.append(g)
        return e.continue_forks(branches, out)
    if e.values is not None:
        v = e.values.get(name, i.lo)
    else:
        v = e.symbols.get(name)
        if v is None:
            v = e.symbols[name] = V.int_var(name, e.solver.ctx)
        bounds = f.terms.between(v, i.lo, i.hi)
        f.path = f.path + (bounds,)
    f.L[i.dst] = v
    f.note("any", i.dst, v)
    f.pc += 1


def _fork(e: Engine, f: Frame, c, go, out):
    """Follow condition c each way it can go here. `go(g, value)` sets frame g up for one way and
    says whether it continues (False: that way has no outcome). A concrete condition, or a
    symbolic one that the path implies (nothing is added to the path, so loops can close, but
    the direction is recorded), goes one way on f itself: returns None (f goes on) or STOP. A
    symbolic condition feasible both ways forks: each way on a clone with its condition added."""
    if type(c) is bool:
        return None if go(f, c) else STOP
    ways = [(w, cond) for w, cond in ((True, c), (False, V.not_(c))) if e.feasible(f, cond)]
    if len(ways) == 1:
        f.forks.append(ways[0][0])
        return None if go(f, ways[0][0]) else STOP
    branches = []
    for value, cond in ways:
        g = f.clone()
        g.path = g.path + (cond,)
        g.forks.append(value)
        if go(g, value):
            branches.append(g)
    return e.continue_forks(branches, out)


def _branch(e: Engine, f: Frame, i: ir.Branch, out):
    ok, c = e.eval(f, i.cond, i.src, out)
    if not ok:
        return STOP

    def go(g: Frame, value: bool) -> bool:
        g.note("branch", value)
        g.pc = g.pc + 1 if value else i.target
        return True

    return _fork(e, f, c, go, out)


def _jump(e: Engine, f: Frame, i: ir.Jump, out):
    if i.back:
        f.loops += 1
        if e.loop_bound is not None and f.loops > e.loop_bound:
            e.cut(f, f"loop bound {e.loop_bound} reached", i.src, out)
            return STOP
    f.pc = i.target


def _assert(e: Engine, f: Frame, i: ir.Assert, out):
    ok, c = e.eval(f, i.cond, i.src, out)
    if not ok or not e.obligation(f, c, "assert", f"assertion '{i.src.text}' fails", i.src, out):
        return STOP
    f.note("assert", True)
    f.pc += 1


def _assume(e: Engine, f: Frame, i: ir.Assume, out):
    ok, c = e.eval(f, i.cond, i.src, out)
    if not ok:
        return STOP
    if type(c) is bool:
        if not c:
            return STOP  # the execution is discarded
    else:
        if not e.feasible(f, c):
            return STOP
        f.path = f.path + (c,)
    f.note("assume", True)
    f.pc += 1


def _spin(e: Engine, f: Frame, i: ir.Spin, out):
    """A spin-wait's test, right after its read. True: the thread rests at the read with status
    SPIN (a thread already resting there gains nothing by testing again: no outcome). False:
    it leaves the loop. A symbolic test forks like a branch."""
    ok, c = e.eval(f, i.cond, i.src, out)
    if not ok:
        return STOP
    resting = f.status == SPIN

    def go(g: Frame, spins: bool) -> bool:
        if spins and resting:
            return False
        g.note("branch", spins)
        g.status, g.pc = (SPIN, i.head) if spins else (RUN, g.pc + 1)
        return True

    return _fork(e, f, c, go, out)


def _resolve(e: Engine, f: Frame, i: ir.Resolve, out):
    ok, v = e.eval(f, i.fn, i.src, out)
    if not ok:
        return STOP
    if type(v) is int:
        options = [v] if 0 <= v < i.size else []
        outside = not options
    else:
        options = e.solver.value_in(f.path, v, 0, i.size - 1)
        outside = e.solver.check(f.path, V.or_(V.compare("<", v, 0), V.compare(">=", v, i.size))) is Sat.SAT
    if outside and (e.values is None or not options):
        ir_src = i.src
        bad = V.or_(V.compare("<", v, 0), V.compare(">=", v, i.size))
        e.violate(f, "runtime", f"index out of range for a {i.kind} array of size {i.size}", ir_src, out,
                  negated=None if type(v) is int else bad)
        return STOP
    branches = []
    for k in f.choose(options):
        g = f.clone() if e.values is None else f
        g.choices.append(k)
        if type(v) is not int:
            g.path = g.path + (V.compare("==", v, k),)
        g.L[i.dst] = k
        g.pc += 1
        branches.append(g)
    return e.continue_forks(branches, out)


def _pause(e: Engine, f: Frame, i: ir.Pause, out):
    f.pc += 1


HANDLERS = {
    ir.SetLocal: _set_local, ir.AnyLocal: _any_local, ir.Branch: _branch, ir.Jump: _jump,
    ir.Assert: _assert, ir.Assume: _assume, ir.Spin: _spin, ir.Resolve: _resolve, ir.Pause: _pause,
}
