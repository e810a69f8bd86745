"""The step relation: what one thread does when it is scheduled.

A step executes the visible instruction at the thread's pc (an atomic block counts as one),
then the thread's local work up to its next visible instruction or its end. Local work can
fork: a branch on a symbolic condition that z3 finds feasible both ways, an enumerated `any`,
a symbolic mutex index, the choice of waiter a `signal` wakes. Each fork yields its own
`Outcome`; choices other than symbolic branches are recorded, so `choices` replays the step.

Contract: `step` never mutates its input state; an `Outcome` with a violation ends its
execution; runtime checks on symbolic values become solver queries (`Engine.obligation`).
"""
from __future__ import annotations

from checker.errors import NOWHERE
from checker.explore import local, maps, memory, tasks
from checker.explore.frame import STOP, Frame
from checker.explore.state import DONE, RUN, SPIN, WAIT, Cut, Outcome, State, Violation
from checker.program import ir
from checker.primitives import SYNC, barrier, condition, thread
from checker.program.ir import Fault
from checker.program.model import Program
from checker.symbolic import values as V
from checker.symbolic.solver import Sat

class Engine:
    """Everything a step needs besides the state: the program, the solver, the options."""

    def __init__(self, program: Program, solver, *, values: dict | None = None, spurious: bool = False,
                 enumerate_any: bool = False, loop_bound: int | None = None, record: bool = False):
        self.program = program
        self.code = [t.code for t in program.threads]
        self.dead = [t.dead for t in program.threads]
        self.solver = solver
        self.values = values  # concrete input and `any` values when replaying, else None
        self.spurious = spurious
        self.enumerate_any = enumerate_any
        self.loop_bound = loop_bound
        self.record = record
        self.symbols: dict = {}  # name -> z3 constant, for counterexample models
        self.unknowns: list[str] = []
        self.nS = len(program.syncs)
        self.loops = tasks.loops(program)  # per thread: its event loop's sync id, or None
        # `no_leak` observers (model.Leak channels): threads whose reads, variables whose writes are seen
        self.watch = bool(program.leaks)
        self.watched_threads = frozenset(t for leak in program.leaks for k, t in leak.channels if k == "thread")
        self.watched_vars = frozenset(b for leak in program.leaks for k, b in leak.channels if k == "var")

    # -- obligations ----------------------------------------------------------------------
    def obligation(self, f: Frame, cond, kind: str, message: str, src: ir.Src, out: list) -> bool:
        """True if `cond` holds on every input that reaches here; else emits the violation."""
        if type(cond) is bool:
            if cond:
                return True
            self.violate(f, kind, message, src, out)
            return False
        r = self.solver.check(f.path, self.solver.terms.negate(cond))
        if r is Sat.UNSAT:
            return True
        if r is Sat.UNKNOWN:
            self.unknowns.append(f"solver returned unknown on '{src.text}' (line {src.pos.line})")
            return True
        self.violate(f, kind, message, src, out, negated=self.solver.terms.negate(cond))
        return False

    def violate(self, f: Frame, kind: str, message: str, src: ir.Src, out: list, negated=None, detail=None):
        f.note("violation", message)
        values = None
        if self.values is None:
            values = self.solver.model(f.path, negated, self.symbols) if (f.path or negated is not None or self.symbols) else {}
        out.append(Outcome(f.state(), tuple(f.choices), Violation(kind, message, src.text, src.pos.line,
                                                                   src.pos.col, values, detail), None, f.log))

    def feasible(self, f: Frame, cond) -> bool:
        r = self.solver.check(f.path, cond)
        if r is Sat.UNKNOWN:
            self.unknowns.append("solver returned unknown on a branch condition; both ways explored")
            return True
        return r is Sat.SAT

    def settle(self, f: Frame, src: ir.Src, out: list) -> bool:
        """Discharge the runtime obligations collected while evaluating expressions."""
        obs, f.ob = f.ob, []
        for cond, message, pos in obs:
            if not self.obligation(f, cond, "runtime", message, ir.Src(src.text, pos), out):
                return False
        return True

    def eval(self, f: Frame, fn, src: ir.Src, out: list):
        """Evaluate a closure; returns (ok, value). A runtime error becomes a violation."""
        try:
            v = fn(f)
        except Fault as e:
            self.violate(f, "runtime", e.message, ir.Src(src.text, e.pos), out)
            return False, None
        if f.ob and not self.settle(f, src, out):
            return False, None
        return True, v

    # -- the step ---------------------------------------------------------------------------
    def step(self, s: State, t: int, replay: list | None = None) -> list[Outcome]:
        f = Frame(s, t, self.record, replay, self.solver.terms, self.watch)
        f.loop = self.loops[t]
        out: list[Outcome] = []
        if f.loop is not None and tasks.step(self, f, s, out):  # a task's own step: cancelled, or parked
            return out
        if f.status == WAIT and condition.timed(self, t, s.T[t]):
            # its timeout fires; with --spurious-wakeups it may also wake spuriously (ok stays true)
            for ok in f.choose([False, True]) if self.spurious else [False]:
                g = f.clone()
                if self.spurious:
                    g.choices.append(ok)
                condition.timeout(self, g, out, ok)
            return out
        if f.status == WAIT:  # a spurious wake-up: leave the condition's wait set
            f.status = RUN
            f.note("wake", "spurious wake-up")
            out.append(Outcome(f.state(), (), None, None, f.log))
            return out
        self.run(f, out, first=True)
        return out

    def start(self, s: State, t: int, replay: list | None = None) -> list[Outcome]:
        """Run thread t's local work before its first visible instruction."""
        f = Frame(s, t, self.record, replay, self.solver.terms, self.watch)
        f.loop = self.loops[t]
        out: list[Outcome] = []
        self.run(f, out, first=False)
        return out

    def run(self, f: Frame, out: list, first: bool) -> None:
        code = self.code[f.t]
        dead = self.dead[f.t]
        n = len(code)
        while True:
            if f.pc >= n:
                self.finish(f, out)
                return
            instr = code[f.pc]
            if instr.visible and not first and not f.atomic:
                out.append(Outcome(f.state(dead[f.pc]), tuple(f.choices), None, None, f.log, tuple(f.forks),
                                   f.observed()))
                return
            first = False
            f.budget -= 1
            if f.budget < 0:
                self.cut(f, "a loop in an atomic: block ran 100000 instructions without leaving the block (no other "
                         "thread runs until it does)" if f.atomic else
                         "a loop ran 100000 local instructions without a shared step", instr.src, out)
                return
            kind = type(instr)
            if kind is ir.AtomicBegin or kind is ir.AtomicEnd:
                f.atomic = kind is ir.AtomicBegin
                f.pc += 1
                continue
            if HANDLERS[kind](self, f, instr, out) is STOP:
                return

    def finish(self, f: Frame, out: list) -> None:
        f.status = DONE
        f.L = [None] * len(f.L)
        held = self.held_by(f.Y, f.t)
        if held:
            self.violate(f, "lock_misuse", f"thread {self.program.threads[f.t].name} ends while holding {', '.join(held)}",
                         self.last_src(f.t), out)
            return
        out.append(Outcome(f.state(), tuple(f.choices), None, None, f.log, tuple(f.forks), f.observed()))

    def last_src(self, t: int) -> ir.Src:
        code = self.code[t]
        return code[-1].src if code else ir.Src("(empty thread)", NOWHERE)

    def held_by(self, Y, t: int) -> list[str]:
        return [obj.name for k, obj in enumerate(self.program.syncs) if SYNC[obj.kind].holds(Y[k], t)]

    def cut(self, f: Frame, reason: str, src: ir.Src, out: list) -> None:
        out.append(Outcome(f.state(), tuple(f.choices), None,
                           Cut(reason, self.program.threads[f.t].name, src.text, src.pos.line), f.log))

    def continue_forks(self, branches: list, out: list) -> object:
        for g in branches:
            self.run(g, out, first=False)
        return STOP


def _sync(e: Engine, f: Frame, i: ir.SyncOp, out):
    k = i.obj.id(f.L)
    return SYNC[e.program.syncs[k].kind].apply(e, f, i, k, out)


HANDLERS = {
    **local.HANDLERS, **memory.HANDLERS, **maps.HANDLERS, ir.SyncOp: _sync, ir.Wait: condition.wait,
    ir.Reacquire: condition.reacquire, ir.Depart: barrier.depart, ir.Join: thread.join, ir.Exit: thread.exit_,
    ir.Spawn: thread.spawn, ir.Start: thread.start, **tasks.HANDLERS,
}


def enabled(e: Engine, s: State, t: int) -> bool:
    """Can thread t take a step in s? (A misuse step is enabled: it reports the violation.) A
    task of an event loop, only while the loop is free or its own (`tasks.may_step`)."""
    plain = instruction_enabled(e, s, t)
    return plain if e.loops[t] is None else tasks.may_step(e, s, t, plain)


def instruction_enabled(e: Engine, s: State, t: int) -> bool:
    """Is thread t's next step enabled, as far as its own instruction is concerned?"""
    ts = s.T[t]
    if ts.status == SPIN:  # resting on a spin-wait: only if testing again can leave it
        return can_leave(e, s, t)
    if ts.status != RUN:  # a thread waiting at a barrier never wakes by itself; a timed wait's timeout may fire
        return ts.status == WAIT and barrier.waits_at(e, t, ts) is None and (e.spurious or condition.timed(e, t, ts))
    code = e.code[t]
    if ts.pc >= len(code):
        return False
    i = code[ts.pc]
    kind = type(i)
    if kind is ir.SyncOp:
        k = i.obj.id(ts.L)
        obj = e.program.syncs[k]
        return SYNC[obj.kind].enabled(obj, s.Y[k], i.op, t)
    if kind is ir.Reacquire:
        return condition.reacquire_enabled(s, i, ts)
    if kind is ir.Join:
        return thread.join_enabled(s, i, ts)
    return True


def can_leave(e: Engine, s: State, t: int) -> bool:
    """Can thread t, resting on a spin-wait, leave it now: is its test false in s, for some input
    on the path? (What it does after leaving does not matter here: an `assume` there that
    drops the execution does not make the thread spin.) A test that fails with a runtime error
    has an outcome, the violation: then too the thread can move."""
    f = Frame(s, t, False, None, e.solver.terms)
    code = e.code[t]
    out: list = []
    while type(code[f.pc]) is not ir.Spin:  # the read at the head, then the test's local work
        i = code[f.pc]
        if HANDLERS[type(i)](e, f, i, out) is STOP:
            return bool(out)
    i = code[f.pc]
    ok, c = e.eval(f, i.cond, i.src, out)
    if not ok:
        return True
    return (not c) if type(c) is bool else e.feasible(f, V.not_(c))


def stuck(e: Engine, s: State, en: list[int]) -> bool:
    """No thread can move except by a spurious wake-up: a deadlock (progress would rest on luck).
    A timed wait's timeout is not luck, nor a cancellation: a thread whose timeout can fire, or a
    cancelled task, can move."""
    return all(s.T[t].status == WAIT and not condition.timed(e, t, s.T[t]) and not tasks.ending(e, s, t) for t in en)
