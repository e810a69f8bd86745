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
from checker.explore.state import (DONE, RUN, SPIN, WAIT, Cut, Outcome, State, Thread, Violation)
from checker.program import ir
from checker.program.ir import Fault
from checker.symbolic import values as V
from checker.symbolic.solver import Sat

ENUMERATE_LIMIT = 64  # `any` ranges of at most this many values are enumerated in looping models
LOCAL_BUDGET = 100_000  # local instructions one step may run before it is cut (a local spin)


class Frame:
    """The mutable working copy of a state during one step of thread `t`."""

    __slots__ = ("M", "Y", "T", "t", "L", "pc", "status", "loops", "anys", "path", "ob", "choices",
                 "forks", "log", "budget", "replay", "atomic", "terms")

    def __init__(self, s: State, t: int, log: bool, replay, terms=None):
        ts = s.T[t]
        self.M = list(s.M)
        self.Y = list(s.Y)
        self.T = list(s.T)
        self.t = t
        self.L = list(ts.L)
        self.pc, self.status, self.loops, self.anys = ts.pc, ts.status, ts.loops, ts.anys
        self.path = s.pc
        self.ob: list = []
        self.choices: list = []
        self.forks: list = []  # the directions of symbolic branches taken (with choices: the outcome's identity)
        self.log = [] if log else None
        self.budget = LOCAL_BUDGET
        self.replay = replay
        self.atomic = False  # inside an atomic block: visible instructions do not end the step
        self.terms = terms  # the run's array terms at symbolic indices (values.Terms)

    def clone(self) -> "Frame":
        f = object.__new__(Frame)
        f.M, f.Y, f.T, f.L = list(self.M), list(self.Y), list(self.T), list(self.L)
        f.t, f.pc, f.status, f.loops, f.anys = self.t, self.pc, self.status, self.loops, self.anys
        f.path, f.ob, f.choices, f.forks = self.path, [], list(self.choices), list(self.forks)
        f.log = list(self.log) if self.log is not None else None
        f.budget, f.replay, f.atomic, f.terms = self.budget, self.replay, self.atomic, self.terms
        return f

    def state(self, dead: tuple = ()) -> State:
        L = self.L
        for k in dead:  # values that will never be read again do not distinguish states
            L[k] = None
        T = self.T
        T[self.t] = Thread(self.pc, self.status, tuple(L), self.loops, self.anys)
        return State(tuple(self.M), tuple(self.Y), tuple(T), self.path)

    def choose(self, options: list) -> list:
        """At a recorded fork: all options while exploring, the recorded one when replaying."""
        if self.replay is None:
            return options
        if not self.replay:
            raise ReplayDiverged("the schedule has fewer choices than the replay needs")
        want = self.replay.pop(0)
        if want not in options:
            raise ReplayDiverged(f"choice {want} is not possible here (options: {options})")
        return [want]

    def note(self, *entry) -> None:
        if self.log is not None:
            self.log.append((self.pc, entry))


class ReplayDiverged(Exception):
    """A recorded schedule does not fit the program (edited model, or a foreign schedule)."""


class Engine:
    """Everything a step needs besides the state: the program, the solver, the options."""

    def __init__(self, program: ir.Program, solver, *, values: dict | None = None, spurious: bool = False,
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
        f = Frame(s, t, self.record, replay, self.solver.terms)
        out: list[Outcome] = []
        if f.status == WAIT:  # a spurious wake-up: leave the condition's wait set
            f.status = RUN
            f.note("wake", "spurious wake-up")
            out.append(Outcome(f.state(), (), None, None, f.log))
            return out
        self.run(f, out, first=True)
        return out

    def start(self, s: State, t: int, replay: list | None = None) -> list[Outcome]:
        """Run thread t's local work before its first visible instruction."""
        f = Frame(s, t, self.record, replay, self.solver.terms)
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
                out.append(Outcome(f.state(dead[f.pc]), tuple(f.choices), None, None, f.log, tuple(f.forks)))
                return
            first = False
            f.budget -= 1
            if f.budget < 0:
                self.cut(f, "a loop ran 100000 local instructions without a shared step", instr.src, out)
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
        out.append(Outcome(f.state(), tuple(f.choices), None, None, f.log, tuple(f.forks)))

    def last_src(self, t: int) -> ir.Src:
        code = self.code[t]
        return code[-1].src if code else ir.Src("(empty thread)", NOWHERE)

    def held_by(self, Y, t: int) -> list[str]:
        names = []
        for k, obj in enumerate(self.program.syncs):
            y = Y[k]
            if obj.kind == "mutex" and y == t:
                names.append(obj.name)
            elif obj.kind == "rwlock" and (y[0] == t or t in y[1]):
                names.append(obj.name)
        return names

    def cut(self, f: Frame, reason: str, src: ir.Src, out: list) -> None:
        out.append(Outcome(f.state(), tuple(f.choices), None,
                           Cut(reason, self.program.threads[f.t].name, src.text, src.pos.line), f.log))

    def continue_forks(self, branches: list, out: list) -> object:
        for g in branches:
            self.run(g, out, first=False)
        return STOP

    def sleeps_on(self, u: int, ts: Thread) -> int:
        """The condition variable thread u sleeps on (its pc is at the Reacquire after the Wait)."""
        return self.code[u][ts.pc].cv.id(ts.L)


STOP = object()


# ---- local instructions -----------------------------------------------------------------------

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
            v = e.symbols[name] = V.int_var(name)
        bounds = f.terms.between(v, i.lo, i.hi)
        f.path = f.path + (bounds,)
    f.L[i.dst] = v
    f.note("any", i.dst, v)
    f.pc += 1


def _branch(e: Engine, f: Frame, i: ir.Branch, out):
    ok, c = e.eval(f, i.cond, i.src, out)
    if not ok:
        return STOP
    if type(c) is bool:
        f.note("branch", c)
        f.pc = f.pc + 1 if c else i.target
        return None
    ways = [(outcome, cond, target) for outcome, cond, target in ((True, c, f.pc + 1), (False, V.not_(c), i.target))
            if e.feasible(f, cond)]
    if len(ways) == 1:  # implied by the path condition: nothing to add (so loops can close)
        f.forks.append(ways[0][0])
        f.note("branch", ways[0][0])
        f.pc = ways[0][2]
        return None
    branches = []
    for outcome, cond, target in ways:
        g = f.clone()
        g.path = g.path + (cond,)
        g.forks.append(outcome)
        g.note("branch", outcome)
        g.pc = target
        branches.append(g)
    return e.continue_forks(branches, out)


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
    if type(c) is bool:
        ways = [(c, None)]
    else:
        ways = [(w, cond) for w, cond in ((True, c), (False, V.not_(c))) if e.feasible(f, cond)]
        if len(ways) == 1:  # implied by the path condition: nothing to add
            f.forks.append(ways[0][0])
            ways = [(ways[0][0], None)]
    branches = []
    for spins, cond in ways:
        if spins and f.status == SPIN:
            continue
        g = f.clone() if len(ways) > 1 else f
        if cond is not None:
            g.path = g.path + (cond,)
            g.forks.append(spins)
        g.note("branch", spins)
        g.status, g.pc = (SPIN, i.head) if spins else (RUN, g.pc + 1)
        branches.append(g)
    return e.continue_forks(branches, out)


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
        e.violate(f, "runtime", f"index out of range for a mutex array of size {i.size}", ir_src, out,
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


# ---- visible instructions ---------------------------------------------------------------------

def _index(e: Engine, f: Frame, i, out):
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


def _cell_name(var: ir.Var, k) -> str:
    return var.name if k is None else f"{var.name}[{V.show(k)}]"


def _read_cell(f: Frame, var: ir.Var, k):
    if k is None:
        return f.M[var.base]
    if type(k) is int:
        return f.M[var.base + k]
    return f.terms.select(f.M[var.base:var.base + var.size], k)


def _write_cell(f: Frame, var: ir.Var, k, v) -> None:
    if k is None:
        f.M[var.base] = v
    elif type(k) is int:
        f.M[var.base + k] = v
    else:
        f.M[var.base:var.base + var.size] = f.terms.store(f.M[var.base:var.base + var.size], k, v)


def _read(e: Engine, f: Frame, i: ir.Read, out):
    ok, k = _index(e, f, i, out)
    if not ok:
        return STOP
    v = _read_cell(f, i.var, k)
    f.L[i.dst] = v
    if f.log is not None:  # the name of a symbolic cell is text: only when recording
        f.note("read", _cell_name(i.var, k), v)
    f.pc += 1


def _write(e: Engine, f: Frame, i: ir.Write, out):
    ok, v = e.eval(f, i.value, i.src, out)
    if not ok:
        return STOP
    ok, k = _index(e, f, i, out)
    if not ok:
        return STOP
    _write_cell(f, i.var, k, v)
    if f.log is not None:
        f.note("write", _cell_name(i.var, k), v)
    f.pc += 1


def _rmw(e: Engine, f: Frame, i: ir.Rmw, out):
    args = []
    for a in i.args:
        ok, v = e.eval(f, a, i.src, out)
        if not ok:
            return STOP
        args.append(v)
    ok, k = _index(e, f, i, out)
    if not ok:
        return STOP
    old = _read_cell(f, i.var, k)
    if i.op == "fetch_add":
        new, result = V.add(old, args[0]), old
    elif i.op == "swap":
        new, result = args[0], old
    else:  # cas
        hit = V.compare("==", old, args[0])
        new, result = V.ite(hit, args[1], old), hit
    _write_cell(f, i.var, k, new)
    if i.dst is not None:
        f.L[i.dst] = result
    if f.log is not None:
        f.note("rmw", _cell_name(i.var, k), old, new)
    f.pc += 1


def _sync(e: Engine, f: Frame, i: ir.SyncOp, out):
    k = i.obj.id(f.L)
    obj = e.program.syncs[k]
    y = f.Y[k]
    t = f.t
    op = i.op
    me = e.program.threads[t].name
    if obj.kind == "mutex":
        if op == "lock":
            if y == t:
                e.violate(f, "lock_misuse", f"{me} locks {obj.name}, which it already holds", i.src, out)
                return STOP
            if y != -1:  # only inside an atomic block: outside, a held mutex disables the step
                e.violate(f, "runtime", f"an atomic block would block on {obj.name}", i.src, out)
                return STOP
            f.Y[k] = t
        elif op == "trylock":
            took = y == -1
            if took:
                f.Y[k] = t
            f.L[i.dst] = took
        else:  # unlock
            if y != t:
                holder = "nobody" if y == -1 else e.program.threads[y].name
                e.violate(f, "lock_misuse", f"{me} unlocks {obj.name}, held by {holder}", i.src, out)
                return STOP
            f.Y[k] = -1
    elif obj.kind == "rwlock":
        writer, readers = y
        if op == "read_lock":
            if writer == t or t in readers:
                e.violate(f, "lock_misuse", f"{me} read-locks {obj.name}, which it already holds", i.src, out)
                return STOP
            if writer != -1:
                e.violate(f, "runtime", f"an atomic block would block on {obj.name}", i.src, out)
                return STOP
            f.Y[k] = (writer, tuple(sorted(readers + (t,))))
        elif op == "write_lock":
            if writer == t or t in readers:
                e.violate(f, "lock_misuse", f"{me} write-locks {obj.name}, which it already holds", i.src, out)
                return STOP
            if writer != -1 or readers:
                e.violate(f, "runtime", f"an atomic block would block on {obj.name}", i.src, out)
                return STOP
            f.Y[k] = (t, ())
        elif writer == t:
            f.Y[k] = (-1, readers)
        elif t in readers:
            f.Y[k] = (writer, tuple(r for r in readers if r != t))
        else:
            e.violate(f, "lock_misuse", f"{me} unlocks {obj.name}, which it does not hold", i.src, out)
            return STOP
    elif obj.kind == "semaphore":
        if op == "acquire":
            if y == 0:
                e.violate(f, "runtime", f"an atomic block would block on {obj.name}", i.src, out)
                return STOP
            f.Y[k] = y - 1
        else:
            f.Y[k] = y + 1
    else:  # condition: signal / broadcast
        waiters = [u for u, ts in enumerate(f.T) if u != t and ts.status == WAIT and e.sleeps_on(u, ts) == k]
        if op == "broadcast" or not waiters:
            for u in waiters:
                f.T[u] = f.T[u]._replace(status=RUN)
            f.note("sync", op, [e.program.threads[u].name for u in waiters])
            f.pc += 1
            return None
        branches = []
        for u in f.choose(waiters):
            g = f.clone() if e.values is None else f
            g.choices.append(u)
            g.T[u] = g.T[u]._replace(status=RUN)
            g.note("sync", op, [e.program.threads[u].name])
            g.pc += 1
            branches.append(g)
        return e.continue_forks(branches, out)
    f.note("sync", op, obj.name)
    f.pc += 1


def _wait(e: Engine, f: Frame, i: ir.Wait, out):
    m = i.mutex.id(f.L)
    if f.Y[m] != f.t:
        e.violate(f, "lock_misuse", f"{e.program.threads[f.t].name} waits on {i.cv.name} without holding {i.mutex.name}",
                  i.src, out)
        return STOP
    f.Y[m] = -1
    f.status = WAIT
    f.note("sync", "wait", i.cv.name)
    f.pc += 1
    out.append(Outcome(f.state(e.dead[f.t][f.pc]), tuple(f.choices), None, None, f.log, tuple(f.forks)))
    return STOP


def _reacquire(e: Engine, f: Frame, i: ir.Reacquire, out):
    f.Y[i.mutex.id(f.L)] = f.t
    f.note("sync", "reacquire", i.mutex.name)
    f.pc += 1


def _join(e: Engine, f: Frame, i: ir.Join, out):
    if f.T[i.thread].status != DONE:  # only inside an atomic block: outside, the step is disabled
        e.violate(f, "runtime", "an atomic block would block on a join", i.src, out)
        return STOP
    f.note("sync", "join", e.program.threads[i.thread].name)
    f.pc += 1


def _exit(e: Engine, f: Frame, i: ir.Exit, out):
    f.pc += 1


def _pause(e: Engine, f: Frame, i: ir.Pause, out):
    f.pc += 1


HANDLERS = {
    ir.SetLocal: _set_local, ir.AnyLocal: _any_local, ir.Branch: _branch, ir.Jump: _jump,
    ir.Assert: _assert, ir.Assume: _assume, ir.Spin: _spin, ir.Resolve: _resolve, ir.Read: _read, ir.Write: _write,
    ir.Rmw: _rmw, ir.SyncOp: _sync, ir.Wait: _wait, ir.Reacquire: _reacquire, ir.Join: _join,
    ir.Exit: _exit, ir.Pause: _pause,
}


def enabled(e: Engine, s: State, t: int) -> bool:
    """Can thread t take a step in s? (A misuse step is enabled: it reports the violation.)"""
    ts = s.T[t]
    if ts.status == SPIN:  # resting on a spin-wait: only if testing again can leave it
        return bool(e.step(s, t))
    if ts.status != RUN:
        return ts.status == WAIT and e.spurious
    code = e.code[t]
    if ts.pc >= len(code):
        return False
    i = code[ts.pc]
    kind = type(i)
    if kind is ir.SyncOp:
        k = i.obj.id(ts.L)
        y = s.Y[k]
        op = i.op
        if op == "lock":
            return y == -1 or y == t
        if op == "read_lock":
            return y[0] == -1 or y[0] == t or t in y[1]
        if op == "write_lock":
            return (y[0] == -1 and not y[1]) or y[0] == t or t in y[1]
        if op == "acquire":
            return y > 0
        return True
    if kind is ir.Reacquire:
        k = i.mutex.id(ts.L)
        return s.Y[k] == -1
    if kind is ir.Join:
        return s.T[i.thread].status == DONE
    return True


def stuck(s: State, en: list[int]) -> bool:
    """No thread can move except by a spurious wake-up: a deadlock (progress would rest on luck)."""
    return all(s.T[t].status == WAIT for t in en)
