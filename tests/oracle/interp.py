"""The oracle: a brute-force concrete interpreter of models, and a Mazurkiewicz trace counter.

This is the oracle's *independent* implementation of the model semantics (docs/semantics.md,
docs/language.md) and of the dependence table of docs/soundness.md. It imports nothing from
the checker but the parser (`checker.lang`) and `checker.errors`: no lowering, no explorer,
no solver. It walks the syntax tree itself, runs every interleaving (every enabled thread at
every state, every choice inside a step), with no reduction and no state caching, and reports

* the shared states of every finished execution (`finals`) and of every deadlock
  (`deadlocks`), each a tuple of strings, one per memory slot: inputs in declaration order,
  then the shared variables in declaration order with arrays expanded cell by cell; values as
  `str(int)` or `"true"`/`"false"` (sync objects are not slots);
* every violation reached, as (kind, line, col);
* the number of Mazurkiewicz traces among the complete executions (every thread finished, or
  deadlocked; executions that end in a violation of a step or are discarded by `assume` are
  not complete and not counted), plus the number of complete interleavings.

What one step is (docs/semantics.md): one visible operation (a shared read, a shared write,
an atomic read-modify-write, a synchronisation operation, an `any` draw, an atomic block, the
re-acquisition after a wake-up, a joined thread's `(thread ends)`, the pause at the head of a
loop with no visible operation) followed by all of the thread's local work up to its next
visible operation or its end. Local work is eager: right after the step, and at start-up,
thread by thread in declaration order, before any step.

Procedures and jumps (here, not as the checker does it: no inlining). A call `f(ARGS)` /
`v = f(ARGS)` reads its arguments through the statement's tape like an assignment, then swaps
the thread's locals for a fresh dict of the parameters (and the procedure's `locals:`) and
pushes the body followed by a `ret` item that holds the caller's locals; reaching it (by the end
of the body, or by `return`, which drops the items up to it) restores them and stores the value
(a missing value is a `runtime` violation at the call). A loop's re-test is an `again` item after
its body: `break` drops the items up to and including it, `continue` up to it. A thread's
`return` drops everything up to its end (its joined `exit`, if any).

How statements are run here (not how the checker does it): the thread's program counter is a
continuation (a linked list of statements still to run), and a statement in progress keeps a
*tape* of the results of its visible operations so far (the values read, the result of an
atomic operation or a draw). To find a statement's next operation, its expressions are
evaluated left to right against the tape; the first shared read beyond the tape is the next
step. So `x = x + y` is read x, read y, write x, exactly as the language table says.

Runtime faults (division by zero, an unset local) inside an expression are *deferred*: they
poison the value and strike where the value is used, which is where the step rule puts them:
an array index is needed by the read or write of its cell (the fault belongs to that step),
the value of a shared write to the write step, the value of a local assignment or of a
condition to the local work after the statement's last read.

Spin-waits (the spec, /work/shared/spec/model-language.md, "Loops"): "A spin-wait (a `while`
whose body writes nothing shared and has no effect but to test again, like
`{while: "flag == 0", do: []}`) blocks its thread until another thread's write could make the
condition false; in a trace it costs the reads of its last test. A state where every
unfinished thread is blocked or spinning in such a loop is a deadlock." The class of loops
meant (docs/semantics.md, "Spin-waits"): a `while` outside any atomic block whose body is
empty or only `skip`, and whose condition makes exactly one shared read (one occurrence of a
shared variable or array cell: `flag == 0`, `not ready`, `d[i] == 0` with i local; not
`x == 0 or x == 1`, which stays an ordinary loop). Here a thread at a spin-wait has the
pending operation "spin" on the cell its condition reads: it is disabled while the condition,
evaluated on the current memory and the thread's locals, is true; when it is false its step
is that one read (a read access for dependence) and leaves the loop. A thread resting there
counts as stuck for deadlock. (The checker makes each failed test an event of its own, so
its trace counts differ on such models: `Result.spins`, and `Result.count_safe` is false.)

The dependence table (the contract the reduction must implement; docs/soundness.md) is
`DEPENDENCE` below; two events of different threads are dependent iff they access a common
location and at least one of the two accesses writes it.
"""
from __future__ import annotations

import itertools
import sys
from array import array
from dataclasses import dataclass, field
from typing import NamedTuple

from checker.errors import Pos
from checker.lang import parse_model
from checker.lang import syntax as S

R, W = "R", "W"
RUN, WAIT, DONE = "run", "wait", "done"
NOWHERE = Pos(1, 1)
MAX_INPUT_VALUES = 64  # inputs are enumerated: every value of every input, in every combination


class Unsupported(Exception):
    """The model uses a form this oracle does not implement (labels, at(), mutex arrays, ...)."""


class TooBig(Exception):
    """The brute-force search ran past its step budget."""


# ---- the dependence table ---------------------------------------------------------------------
# Locations: a memory cell (one per scalar and per array cell), a sync object, the "finished"
# flag of a thread. Each entry maps the facts of one executed operation to its accesses.

def cell(slot: int):
    return ("cell", slot)


def obj(k: int):
    return ("sync", k)


def fin(t: int):
    return ("fin", t)


DEPENDENCE = {
    # plain variable / array cell: an array access touches only its cell
    "read": lambda f: [(cell(f["slot"]), R)],
    "write": lambda f: [(cell(f["slot"]), W)],
    "fetch_add": lambda f: [(cell(f["slot"]), W)],
    "swap": lambda f: [(cell(f["slot"]), W)],
    "cas": lambda f: [(cell(f["slot"]), W if f["ok"] else R)],  # two failed CASes commute
    # mutex
    "lock": lambda f: [(obj(f["m"]), W)],
    "unlock": lambda f: [(obj(f["m"]), W)],
    "trylock": lambda f: [(obj(f["m"]), W if f["ok"] else R)],
    # rwlock
    "read_lock": lambda f: [(obj(f["rw"]), R)],
    "write_lock": lambda f: [(obj(f["rw"]), W)],
    "rw_unlock": lambda f: [(obj(f["rw"]), R if f["reader"] else W)],
    # semaphore
    "acquire": lambda f: [(obj(f["s"]), W)],
    "release": lambda f: [(obj(f["s"]), W)],
    # condition variable cv, with the mutex m named by the wait
    "wait": lambda f: [(obj(f["cv"]), W), (obj(f["m"]), W)],
    "signal": lambda f: [(obj(f["cv"]), W)],
    "broadcast": lambda f: [(obj(f["cv"]), W)],
    "reacquire": lambda f: [(obj(f["m"]), W), (obj(f["cv"]), R)],
    # barrier b: every arrival writes it; a departure (after its phase is released) reads it
    "arrive": lambda f: [(obj(f["b"]), W)],
    "depart": lambda f: [(obj(f["b"]), R)],
    # threads: `join t` reads fin(t); the last step of a joined thread t (its `(thread ends)`) writes it
    "join": lambda f: [(fin(f["target"]), R)],
    "exit": lambda f: [(fin(f["thread"]), W)],
    # touch nothing shared
    "any": lambda f: [],
    "pause": lambda f: [],
    "atomic": lambda f: [],  # an atomic block: the union of the accesses of what runs inside it
    # the in-place reads of an `assume`, counted in the step whose local work runs it
    "assume_read": lambda f: [(cell(f["slot"]), R)],
}


def dependent(a: dict, b: dict) -> bool:
    """Accesses are {location: mode}; dependent iff a common location is written by one."""
    for loc, mode in a.items():
        other = b.get(loc)
        if other is not None and (mode == W or other == W):
            return True
    return False


# ---- the resolved model -----------------------------------------------------------------------

@dataclass
class Var:
    name: str
    base: int
    size: int
    array: bool
    atomic: bool = False  # declared `atomic` (tests/oracle/races.py)


@dataclass
class ThreadInfo:
    name: str
    tid: int
    body: tuple
    locals: tuple  # (name, expr)
    joined: bool = False
    last: Pos = NOWHERE  # where a lock held at the end is reported


@dataclass
class Model:
    text: str
    inputs: list  # (name, slot, values)
    slots: list  # slot names
    vars: dict  # name -> Var
    syncs: list  # (name, kind, permits)
    sync_index: dict  # name -> index in syncs
    threads: list
    thread_names: dict  # name -> list of thread indices
    props: list  # (kind, expr, pos)
    inits: list  # (slot, expr)
    has_loops: bool = False
    uses_any: bool = False
    counted_loops: bool = True  # every loop is a counted loop (or there is none)
    spins: set = field(default_factory=set)  # id() of every spin-wait `while`
    procs: dict = field(default_factory=dict)  # name -> syntax.ProcedureDecl
    sync_size: dict = field(default_factory=dict)  # name -> how many objects (an array of them: N)


MISSING = object()  # a call's value when its procedure ended without `return EXPR`


def walk(body):
    for s in body:
        yield s
        if isinstance(s, S.If):
            yield from walk(s.then)
            yield from walk(s.orelse)
        elif isinstance(s, (S.While, S.Atomic)):
            yield from walk(s.body)
        elif isinstance(s, S.Labeled):
            yield from walk((s.stmt,))


def last_pos(body) -> Pos | None:
    """Where the last instruction of a statement list stands (None if it does nothing): a
    thread that ends holding a lock is reported there ("at the thread's last statement")."""
    for s in reversed(body):
        p = stmt_last_pos(s)
        if p is not None:
            return p
    return None


def stmt_last_pos(s) -> Pos | None:
    if isinstance(s, S.Skip):
        return None
    if isinstance(s, S.If):
        # an `if` ends with its else-branch, or with its then-branch when it has no else;
        # an empty branch ends at the `if` itself (its test, or the jump over the else)
        return last_pos(s.orelse if s.orelse else s.then) or s.pos
    if isinstance(s, S.Labeled):
        raise Unsupported("labels")
    return s.pos  # assignments, sync operations, assert/assume, atomic blocks, loops


def resolve(text: str) -> Model:
    tree = parse_model(text, "m.yaml")
    m = Model(text, [], [], {}, [], {}, [], {}, [], [])
    m.procs = {p.name: p for p in tree.procedures}
    for d in tree.inputs:
        if d.type == "bool":
            values = [False, True]
        elif d.lo is not None:
            if d.hi - d.lo >= MAX_INPUT_VALUES:
                raise TooBig(f"input '{d.name}' has {d.hi - d.lo + 1} values")
            values = list(range(d.lo, d.hi + 1))
        else:
            raise Unsupported(f"input '{d.name}' has no range")
        m.inputs.append((d.name, len(m.slots), values))
        m.slots.append(d.name)
    for d in tree.shared:
        if d.kind == "var":
            m.vars[d.name] = Var(d.name, len(m.slots), 1, False, d.atomic)
            m.inits.append((len(m.slots), d.init))
            m.slots.append(d.name)
        elif d.kind in ("int_array", "bool_array"):
            m.vars[d.name] = Var(d.name, len(m.slots), d.size, True, d.atomic)
            for k, e in enumerate(d.init):
                m.inits.append((len(m.slots), e))
                m.slots.append(f"{d.name}[{k}]")
        elif d.kind.removesuffix("_array") in ("mutex", "rwlock", "condition", "semaphore", "barrier"):
            kind = d.kind.removesuffix("_array")  # `sems: semaphore[4] 1`: objects sems[0], sems[1], ...
            m.sync_index[d.name] = len(m.syncs)
            m.sync_size[d.name] = d.size
            number = d.init if kind in ("semaphore", "barrier") else 0  # permits; a barrier's N
            names = [d.name] if kind == d.kind else [f"{d.name}[{k}]" for k in range(d.size)]
            m.syncs.extend((name, kind, number) for name in names)
        else:
            raise Unsupported(f"shared resource kind {d.kind}")
    for d in tree.threads:
        first = len(m.threads)
        for i in range(d.count or 1):
            name = f"{d.name}[{i}]" if d.count is not None else d.name
            m.threads.append(ThreadInfo(name, i, d.body, d.locals))
        m.thread_names[d.name] = list(range(first, len(m.threads)))
    bodies = [th.body for th in m.threads] + [p.body for p in m.procs.values()]
    for p in m.procs.values():
        spin_waits(m, p.body, False)
    for th in m.threads:
        spin_waits(m, th.body, False)
        th.last = last_pos(th.body) or NOWHERE
    for body in bodies:
        for s in walk(body):
            if isinstance(s, S.Labeled):
                raise Unsupported("labels")
            if isinstance(s, S.While):
                m.has_loops = True
            if isinstance(s, S.Assign) and isinstance(s.value, S.AnyValue):
                m.uses_any = True
            if isinstance(s, S.Sync) and s.op == "join":
                m.threads[thread_of(m, s.args[0])].joined = True
    m.counted_loops = all(counted(s, m) for body in bodies for s in walk(body) if isinstance(s, S.While))
    for p in tree.properties:
        if p.kind in ("final", "always"):
            m.props.append((p.kind, p.expr, p.pos))
    return m


def spin_waits(m: Model, body, in_atomic: bool) -> None:
    """Record the spin-waits of a statement list in `m.spins` (see the module docstring)."""
    for s in body:
        if isinstance(s, S.While):
            if (not in_atomic and all(isinstance(b, S.Skip) for b in s.body)
                    and shared_reads(m, s.cond) == 1):
                m.spins.add(id(s))
            spin_waits(m, s.body, in_atomic)
        elif isinstance(s, S.If):
            spin_waits(m, s.then, in_atomic)
            spin_waits(m, s.orelse, in_atomic)
        elif isinstance(s, S.Atomic):
            spin_waits(m, s.body, True)
        elif isinstance(s, S.Labeled):
            spin_waits(m, (s.stmt,), in_atomic)


def shared_reads(m: Model, e) -> int:
    """How many shared reads evaluating `e` makes (each shared name or array cell is one)."""
    if isinstance(e, S.Name):
        return 1 if e.id in m.vars else 0
    if isinstance(e, S.Index):
        return 1 + shared_reads(m, e.index)
    if isinstance(e, S.Unary):
        return shared_reads(m, e.operand)
    if isinstance(e, S.Binary):
        return shared_reads(m, e.left) + shared_reads(m, e.right)
    if isinstance(e, S.Call):
        if e.fn == "len":
            return 0
        return sum(shared_reads(m, a) for a in e.args)
    return 0


def counted(w: S.While, m: Model) -> bool:
    """A counted loop (docs/semantics.md, `any`): `while k < N` or `k <= N` with k a local and
    N a literal, whose body increases k by a positive literal in a statement that runs on every
    turn (at the top of the body, or of an atomic block there) and assigns k nowhere else. In a
    model whose loops are all counted, the checker keeps `any` symbolic, as without loops."""
    c = w.cond
    if not (isinstance(c, S.Binary) and c.op in ("<", "<=") and isinstance(c.left, S.Name)
            and isinstance(c.right, S.Num)):
        return False
    k = c.left.id
    if k == "tid" or k in m.vars or any(k == name for name, _, _ in m.inputs):
        return False

    def restarts(body) -> bool:  # a `continue` of this loop (not of a nested one) may skip the bump
        for s in body:
            if isinstance(s, S.Jump) and s.op == "continue":
                return True
            if isinstance(s, S.If) and (restarts(s.then) or restarts(s.orelse)):
                return True
            if isinstance(s, S.Atomic) and restarts(s.body):
                return True
        return False

    if restarts(w.body):
        return False

    def assigns(s) -> bool:
        return isinstance(s, S.Assign) and isinstance(s.target, S.Name) and s.target.id == k

    def bump(s) -> bool:
        if not assigns(s):
            return False
        v = s.value
        return isinstance(v, S.Binary) and v.op == "+" and (
            (isinstance(v.left, S.Name) and v.left.id == k and isinstance(v.right, S.Num) and v.right.value > 0)
            or (isinstance(v.right, S.Name) and v.right.id == k and isinstance(v.left, S.Num) and v.left.value > 0))

    every_turn = list(w.body) + [b for s in w.body if isinstance(s, S.Atomic) for b in s.body]
    bumps = [s for s in every_turn if bump(s)]
    return len(bumps) == 1 and all(not assigns(s) or s is bumps[0] for s in walk(w.body))


def thread_of(m: Model, e) -> int:
    if isinstance(e, S.Index):
        return m.thread_names[e.base.id][e.index.value]
    return m.thread_names[e.id][0]


# ---- expressions ------------------------------------------------------------------------------

class Poison:
    """A runtime fault inside an expression, carried as its value until the value is used."""

    __slots__ = ("message", "pos")

    def __init__(self, message: str, pos: Pos):
        self.message, self.pos = message, pos


class NeedRead(Exception):
    """The expression needs a shared read that the statement has not done yet: its next step."""

    def __init__(self, slot: int):
        self.slot = slot


class StepFault(Exception):
    """The next shared read cannot be done (a bad index): a runtime violation in that step."""

    def __init__(self, message: str, pos: Pos):
        self.message, self.pos = message, pos


class Eval:
    """Evaluates an expression left to right. Shared reads come from `tape` (mode 'tape': the
    values this statement's earlier steps read; past its end, `NeedRead`), or straight from
    memory (mode 'direct': `assume` and properties, which read in place)."""

    def __init__(self, m: Model, mem, locs: dict, tid: int, mode: str, tape: tuple = (), stmt_pos=None):
        self.m, self.mem, self.locs, self.tid, self.mode = m, mem, locs, tid, mode
        self.tape, self.at, self.stmt_pos = tape, 0, stmt_pos
        self.reads: list[int] = []  # direct mode: the cells read

    def shared(self, slot: int):
        if self.mode == "direct":
            self.reads.append(slot)
            return self.mem[slot]
        if self.at < len(self.tape):
            v = self.tape[self.at]
            self.at += 1
            return v
        raise NeedRead(slot)

    def take(self):
        """The next recorded result on the tape (an atomic's result, a draw), or None."""
        if self.at < len(self.tape):
            v = self.tape[self.at]
            self.at += 1
            return v, True
        return None, False

    def ev(self, e):
        m = self.m
        if isinstance(e, (S.Num, S.Bool)):
            return e.value
        if isinstance(e, S.Name):
            n = e.id
            if n == "tid":
                return self.tid
            for name, slot, _ in m.inputs:
                if name == n:
                    return self.mem[slot]
            if n in m.vars:
                return self.shared(m.vars[n].base)
            v = self.locs.get(n)
            if v is None:
                return Poison(f"local '{n}' is read before it has a value", e.pos)
            return v
        if isinstance(e, S.Index):
            var = m.vars[e.base.id]
            i = self.ev(e.index)
            if self.mode == "direct":
                if isinstance(i, Poison):
                    return i
                if not 0 <= i < var.size:
                    return Poison(f"index {i} out of range for '{var.name}'", e.pos)
                return self.shared(var.base + i)
            if self.at < len(self.tape):  # this read was done: its index was good
                return self.shared(var.base)
            if isinstance(i, Poison):
                raise StepFault(i.message, i.pos)
            if not 0 <= i < var.size:
                raise StepFault(f"index {i} out of range for '{var.name}'", self.stmt_pos)
            raise NeedRead(var.base + i)
        if isinstance(e, S.Unary):
            a = self.ev(e.operand)
            if isinstance(a, Poison):
                return a
            return -a if e.op == "-" else not a
        if isinstance(e, S.Binary):
            a = self.ev(e.left)
            b = self.ev(e.right)  # both sides, always (no short-circuit)
            if isinstance(a, Poison):
                return a
            if isinstance(b, Poison):
                return b
            return binary(e.op, a, b, e.pos)
        if isinstance(e, S.Call):
            if e.fn == "len":
                return m.vars[e.args[0].id].size
            if e.fn == "sum" and self.mode == "direct":
                var = m.vars[e.args[0].id]
                return sum(self.shared(var.base + k) for k in range(var.size))
            raise Unsupported(f"function {e.fn} in an expression")
        raise Unsupported(f"expression {type(e).__name__}")


def binary(op: str, a, b, pos: Pos):
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op in ("//", "%"):
        if b == 0:
            return Poison(f"division by zero in '{op}'", pos)
        return a // b if op == "//" else a % b  # floor semantics, as in the language
    if op == "and":
        return bool(a) and bool(b)
    if op == "or":
        return bool(a) or bool(b)
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    if op == ">=":
        return a >= b
    raise Unsupported(f"operator {op}")


def constant(m: Model, e, env: dict):
    """Initial values: constants, inputs (and tid for locals), - and + - * of those."""
    if isinstance(e, (S.Num, S.Bool)):
        return e.value
    if isinstance(e, S.Name):
        return env[e.id]
    if isinstance(e, S.Unary):
        v = constant(m, e.operand, env)
        return -v if e.op == "-" else not v
    if isinstance(e, S.Binary):
        return binary(e.op, constant(m, e.left, env), constant(m, e.right, env), e.pos)
    raise Unsupported("initial value")


def show(v) -> str:
    if type(v) is bool:
        return "true" if v else "false"
    return str(v)


# ---- states -----------------------------------------------------------------------------------

class Thread(NamedTuple):
    cont: object  # what is left to run: None, or (item, rest)
    tape: tuple  # results of the visible operations of the statement in progress
    locs: dict  # locals (never mutated once part of a World)
    status: str  # RUN / WAIT (asleep on a condition) / DONE
    cv: int | None  # the condition it sleeps on
    k: int  # steps taken so far
    op: tuple | None  # the pending visible operation: (kind, pos, args...)


class World(NamedTuple):
    mem: tuple
    sync: tuple  # mutex: holder or None; rwlock: (writer or None, frozenset of readers); semaphore: permits
    threads: tuple


class Outcome(NamedTuple):
    world: World | None
    violation: tuple | None  # (kind, line, col)
    discarded: bool
    choices: tuple
    acc: dict
    ops: tuple = ()  # every touch of the step: (kind, facts, statement position, inside an atomic block)


class Violation(Exception):
    def __init__(self, kind: str, pos: Pos):
        self.kind, self.pos = kind, pos


class Discard(Exception):
    pass


def push(body, cont):
    for s in reversed(body):
        cont = (s, cont)
    return cont


# ---- one step ---------------------------------------------------------------------------------

class Step:
    """The working copy of a world while thread t takes a step (or does its start-up work)."""

    def __init__(self, m: Model, world: World, t: int, pause_cache: dict):
        th = world.threads[t]
        self.m, self.t = m, t
        self.mem, self.sync, self.threads = list(world.mem), list(world.sync), list(world.threads)
        self.cont, self.tape, self.locs = th.cont, th.tape, dict(th.locs)
        self.status, self.cv, self.k = th.status, th.cv, th.k
        self.depth = 0  # atomic blocks open
        self.acc: dict = {}
        self.choices: list = []
        self.pause_cache = pause_cache
        self.ops: list = []  # the touches, in order (tests/oracle/races.py)
        self.at = NOWHERE  # the position of the statement being executed

    def clone(self) -> "Step":
        c = object.__new__(Step)
        c.__dict__.update(self.__dict__)
        c.mem, c.sync, c.threads = list(self.mem), list(self.sync), list(self.threads)
        c.locs, c.acc, c.choices = dict(self.locs), dict(self.acc), list(self.choices)
        c.ops = list(self.ops)
        return c

    # -- bookkeeping
    def touch(self, kind: str, **facts) -> None:
        self.ops.append((kind, facts, self.at, self.depth > 0))
        for loc, mode in DEPENDENCE[kind](facts):
            if self.acc.get(loc) != W:
                self.acc[loc] = mode

    def pop(self) -> None:
        self.cont = self.cont[1]
        self.tape = ()

    def world(self, op) -> World:
        threads = list(self.threads)
        threads[self.t] = Thread(self.cont, self.tape, self.locs, self.status, self.cv, self.k, op)
        return World(tuple(self.mem), tuple(self.sync), tuple(threads))

    def outcome(self, op) -> Outcome:
        return Outcome(self.world(op), None, False, tuple(self.choices), self.acc, tuple(self.ops))

    # -- running
    def run(self, out: list, op=None) -> None:
        """Execute `op` (the step's visible operation), then local work up to the next one."""
        try:
            forks = [self] if op is None else self.execute(op)
        except Violation as v:
            out.append(Outcome(None, (v.kind, v.pos.line, v.pos.col), False, tuple(self.choices), self.acc,
                               tuple(self.ops)))
            return
        for f in forks:
            f.local_work(out)

    def local_work(self, out: list) -> None:
        try:
            while True:
                if self.cont is None:
                    self.finish()
                    out.append(self.outcome(None))
                    return
                op = self.plan()
                if op is None:
                    continue
                if self.depth == 0:  # the next step's operation: the step ends here
                    out.append(self.outcome(op))
                    return
                forks = self.execute(op)  # inside an atomic block: no interleaving
                if forks != [self]:
                    for f in forks:
                        f.local_work(out)
                    return
        except Violation as v:
            out.append(Outcome(None, (v.kind, v.pos.line, v.pos.col), False, tuple(self.choices), self.acc,
                               tuple(self.ops)))
        except Discard:
            out.append(Outcome(None, None, True, tuple(self.choices), self.acc))

    def finish(self) -> None:
        self.status = DONE
        for k, (name, kind, _) in enumerate(self.m.syncs):
            y = self.sync[k]
            if (kind == "mutex" and y == self.t) or (kind == "rwlock" and (y[0] == self.t or self.t in y[1])):
                raise Violation("lock_misuse", self.m.threads[self.t].last)

    def evaluator(self, mode: str, tape: tuple = (), pos=None) -> Eval:
        return Eval(self.m, self.mem, self.locs, self.m.threads[self.t].tid, mode, tape, pos)

    # -- planning: local work, or the next visible operation
    def plan(self):
        """Do the local work at the head of the continuation (returns None), or return the
        visible operation that comes next, as (kind, pos, args...)."""
        item = self.cont[0]
        if isinstance(item, tuple) and item[0] == "again":  # a loop's next test
            item = item[1]
        if isinstance(item, tuple):  # internal items
            if item[0] == "ret":
                return self.ret(item)
            if item[0] == "store":
                return self.store(item)
            if item[0] == "atomic_end":
                self.depth -= 1
                self.pop()
                return None
            return item[1]  # ("reacquire", op) / ("exit", op): the op is stored in the item
        s = item
        if isinstance(s, S.Skip):
            self.pop()
            return None
        if isinstance(s, S.Atomic):
            return ("atomic", s.pos, s)
        if isinstance(s, S.Sync):
            return self.sync_op(s)
        if isinstance(s, S.Check):
            return self.check(s)
        if isinstance(s, S.If):
            return self.branch(s, s.cond, s.then, s.orelse, 0)
        if isinstance(s, S.While):
            if id(s) in self.m.spins:  # a spin-wait: its one read is a "spin" operation
                op = self.branch(s, s.cond, s.body + (s,), (), 0)
                return ("spin", s.pos, op[2], s.cond) if op is not None and op[0] == "read" else op
            start = 0
            if self.depth == 0 and not self.has_visible(s):
                if not self.tape:
                    return ("pause", s.pos)
                start = 1
            return self.branch(s, s.cond, s.body + (("again", s),), (), start)
        if isinstance(s, S.Assign):
            return self.assign(s)
        if isinstance(s, S.Jump):
            return self.jump(s)
        if isinstance(s, S.Invoke):
            return self.invoke(s)
        raise Unsupported(type(s).__name__)

    # -- procedures and jumps
    def drop_until(self, stop) -> None:
        """Drop continuation items until `stop(item)` holds for the head (or nothing is left)."""
        self.tape = ()
        while self.cont is not None and not stop(self.cont[0]):
            self.cont = self.cont[1]

    def jump(self, s: S.Jump):
        tagged = lambda word: lambda item: isinstance(item, tuple) and item[0] == word  # noqa: E731
        if s.op == "break":
            self.drop_until(tagged("again"))
            self.pop()
            return None
        if s.op == "continue":
            self.drop_until(tagged("again"))
            return None
        value = MISSING
        if s.value is not None:
            ev = self.evaluator("tape", self.tape, s.pos)
            try:
                value = ev.ev(s.value)
            except NeedRead as n:
                return ("read", s.pos, n.slot)
            except StepFault as f:
                return ("fault", s.pos, "runtime", f.pos)
            if isinstance(value, Poison):
                raise Violation("runtime", value.pos)
        if not any(isinstance(item, tuple) and item[0] == "ret" for item in self.items()):
            self.drop_until(tagged("exit"))  # a thread's return: to its end
            return None
        self.drop_until(tagged("ret"))
        self.cont = (self.cont[0][:4] + (value,), self.cont[1])
        return None

    def items(self):
        c = self.cont
        while c is not None:
            yield c[0]
            c = c[1]

    def invoke(self, s: S.Invoke):
        p = self.m.procs[s.name]
        ev = self.evaluator("tape", self.tape, s.pos)
        try:
            index = ev.ev(s.target.index) if isinstance(s.target, S.Index) else None
            args = [ev.ev(a) for a in s.args]
        except NeedRead as n:
            return ("read", s.pos, n.slot)
        except StepFault as f:
            return ("fault", s.pos, "runtime", f.pos)
        for a in args:
            if isinstance(a, Poison):
                raise Violation("runtime", a.pos)
        fresh = {name: v for (name, _), v in zip(p.params, args)}
        env = {**{name: self.mem[slot] for name, slot, _ in self.m.inputs}, "tid": self.m.threads[self.t].tid, **fresh}
        for name, e, _ in p.locals:
            fresh[name] = constant(self.m, e, env)
        saved = self.locs
        self.pop()
        self.locs = fresh
        self.cont = push(p.body, (("ret", saved, s, index, MISSING), self.cont))
        return None

    def ret(self, item):
        """The end of a call: the caller's locals again; then the value is stored (`store`)."""
        _, saved, s, index, value = item
        self.locs = dict(saved)
        self.cont = (("store", s, index, value), self.cont[1])
        return None

    def store(self, item):
        _, s, index, value = item
        target = s.target
        if target is None:
            self.pop()
            return None
        if value is MISSING:
            raise Violation("runtime", s.pos)
        base = target.base.id if isinstance(target, S.Index) else target.id
        if base not in self.m.vars:
            self.locs[base] = value
            self.pop()
            return None
        var = self.m.vars[base]
        k = 0
        if index is not None:
            if isinstance(index, Poison):
                return ("fault", s.pos, "runtime", index.pos)
            if not 0 <= index < var.size:
                return ("fault", s.pos, "runtime", s.pos)
            k = index
        return ("write", s.pos, var.base + k, value)

    def branch(self, s, cond, then, orelse, start: int):
        ev = self.evaluator("tape", self.tape[start:], s.pos)
        try:
            c = ev.ev(cond)
        except NeedRead as n:
            return ("read", s.pos, n.slot)
        except StepFault as f:
            return ("fault", s.pos, "runtime", f.pos)
        if isinstance(c, Poison):
            raise Violation("runtime", c.pos)
        self.pop()
        self.cont = push(then if c else orelse, self.cont)
        return None

    def check(self, s: S.Check):
        if s.op == "assume":  # no step: reads memory in place, as the step's own reads
            ev = self.evaluator("direct")
            c = ev.ev(s.cond)
            self.at = s.pos
            for slot in ev.reads:
                self.touch("assume_read", slot=slot)
            if isinstance(c, Poison):
                raise Violation("runtime", c.pos)
            if not c:
                raise Discard()
            self.pop()
            return None
        ev = self.evaluator("tape", self.tape, s.pos)
        try:
            c = ev.ev(s.cond)
        except NeedRead as n:
            return ("read", s.pos, n.slot)
        except StepFault as f:
            return ("fault", s.pos, "runtime", f.pos)
        if isinstance(c, Poison):
            raise Violation("runtime", c.pos)
        if not c:
            raise Violation("assert", s.pos)
        self.pop()
        return None

    def assign(self, s: S.Assign):
        m = self.m
        target, value = s.target, s.value
        ev = self.evaluator("tape", self.tape, s.pos)
        try:
            index = None
            if isinstance(target, S.Index):  # the target's index is read first
                index = ev.ev(target.index)
            if isinstance(value, S.Call) and value.fn in ("fetch_add", "cas", "swap"):
                args = [ev.ev(a) for a in value.args[1:]]  # the value arguments, then the cell's index
                loc = value.args[0]
                var = m.vars[loc.base.id if isinstance(loc, S.Index) else loc.id]
                k = ev.ev(loc.index) if isinstance(loc, S.Index) else 0
                result, done = ev.take()
                if not done:
                    for a in args:
                        if isinstance(a, Poison):
                            return ("fault", s.pos, "runtime", a.pos)
                    if isinstance(k, Poison):
                        return ("fault", s.pos, "runtime", k.pos)
                    if not 0 <= k < var.size:
                        return ("fault", s.pos, "runtime", s.pos)
                    return ("rmw", s.pos, value.fn, var.base + k, tuple(args))
            elif isinstance(value, S.Call) and value.fn == "trylock":
                k = self.sync_of(value.args[0], ev, s.pos)  # an array index's reads come first
                result, done = ev.take()
                if not done:
                    return ("trylock", s.pos, k)
            elif isinstance(value, S.AnyValue):
                result, done = ev.take()
                if not done:
                    return ("any", s.pos, value.lo.value, value.hi.value)
            else:
                result = ev.ev(value)
        except NeedRead as n:
            return ("read", s.pos, n.slot)
        except StepFault as f:
            return ("fault", s.pos, "runtime", f.pos)
        if target is None:  # an atomic operation whose result is dropped
            self.pop()
            return None
        base = target.base.id if isinstance(target, S.Index) else target.id
        if base not in m.vars:  # a local: local work
            if isinstance(result, Poison):
                raise Violation("runtime", result.pos)
            self.locs[base] = result
            self.pop()
            return None
        var = m.vars[base]
        if isinstance(result, Poison):  # the write step computes the value, then the index
            return ("fault", s.pos, "runtime", result.pos)
        k = 0
        if index is not None:
            if isinstance(index, Poison):
                return ("fault", s.pos, "runtime", index.pos)
            if not 0 <= index < var.size:
                return ("fault", s.pos, "runtime", s.pos)
            k = index
        return ("write", s.pos, var.base + k, result)

    def sync_of(self, e, ev: Eval | None = None, pos: Pos = NOWHERE) -> int:
        """The object `e` names; `arr[i]` evaluates i on the statement's tape (its shared reads
        are steps before the operation: NeedRead), an index out of range is a runtime violation."""
        if not isinstance(e, S.Index):
            return self.m.sync_index[e.id]
        k = (ev or self.evaluator("tape", self.tape, pos)).ev(e.index)
        if isinstance(k, Poison):
            raise Violation("runtime", k.pos)
        if not 0 <= k < self.m.sync_size[e.base.id]:
            raise Violation("runtime", pos)
        return self.m.sync_index[e.base.id] + k

    def sync_op(self, s: S.Sync):
        if s.op == "join":
            return ("join", s.pos, thread_of(self.m, s.args[0]))
        ev = self.evaluator("tape", self.tape, s.pos)
        try:
            return self.sync_operation(s, ev)
        except NeedRead as n:
            return ("read", s.pos, n.slot)
        except StepFault as f:
            return ("fault", s.pos, "runtime", f.pos)

    def sync_operation(self, s: S.Sync, ev: Eval):
        if s.op == "wait":
            return ("wait", s.pos, self.sync_of(s.args[0], ev, s.pos), self.sync_of(s.args[1], ev, s.pos))
        k = self.sync_of(s.args[0], ev, s.pos)
        if s.op == "arrive_and_wait":
            return ("arrive", s.pos, k)
        if s.op == "unlock" and self.m.syncs[k][1] == "rwlock":
            return ("rw_unlock", s.pos, k)
        return (s.op, s.pos, k)

    def has_visible(self, s) -> bool:
        """Does a loop (outside atomic blocks) contain a visible operation? If not, each test
        of its condition is a step of its own (a pause that touches nothing)."""
        key = id(s)
        if key not in self.pause_cache:
            self.pause_cache[key] = (s, self.reads_shared(s.cond) or any(self.visible(b) for b in s.body))
        return self.pause_cache[key][1]

    def visible(self, s) -> bool:
        if isinstance(s, S.Skip):
            return False
        if isinstance(s, S.Check):
            return s.op == "assert" and self.reads_shared(s.cond)
        if isinstance(s, S.Assign):
            if isinstance(s.value, (S.AnyValue, S.Call)) and not (isinstance(s.value, S.Call) and s.value.fn == "len"):
                return True
            base = s.target.base.id if isinstance(s.target, S.Index) else s.target.id
            return base in self.m.vars or self.reads_shared(s.value)
        if isinstance(s, S.If):
            return self.reads_shared(s.cond) or any(self.visible(b) for b in s.then + s.orelse)
        if isinstance(s, S.Jump):
            return s.value is not None and self.reads_shared(s.value)
        if isinstance(s, S.Invoke):
            target = s.target.base.id if isinstance(s.target, S.Index) else s.target.id if s.target else None
            return (target in self.m.vars or any(self.reads_shared(a) for a in s.args)
                    or any(self.visible(b) for b in self.m.procs[s.name].body))
        return True  # sync operations, atomic blocks, and loops (a visible body, or their own pause)

    def reads_shared(self, e) -> bool:
        if isinstance(e, S.Name):
            return e.id in self.m.vars
        if isinstance(e, S.Index):
            return True
        if isinstance(e, S.Unary):
            return self.reads_shared(e.operand)
        if isinstance(e, S.Binary):
            return self.reads_shared(e.left) or self.reads_shared(e.right)
        return False

    # -- executing a visible operation
    def execute(self, op) -> list:
        """Run one visible operation; returns the continuations (several at a choice)."""
        kind, pos = op[0], op[1]
        t, sync = self.t, self.sync
        self.at = pos
        if kind in ("read", "spin"):  # a spin-wait's test (only once its condition is false)
            slot = op[2]
            self.touch("read", slot=slot)
            self.tape += (self.mem[slot],)
        elif kind == "write":
            slot = op[2]
            self.touch("write", slot=slot)
            self.mem[slot] = op[3]
            self.pop()
        elif kind == "rmw":
            fn, slot, args = op[2], op[3], op[4]
            old = self.mem[slot]
            if fn == "fetch_add":
                new, result = old + args[0], old
            elif fn == "swap":
                new, result = args[0], old
            else:
                result = old == args[0]
                new = args[1] if result else old
            self.touch(fn, slot=slot, ok=result)
            self.mem[slot] = new
            self.tape += (result,)
        elif kind == "fault":
            raise Violation(op[2], op[3])
        elif kind == "any":
            forks = []
            for v in range(op[2], op[3] + 1):
                f = self.clone()
                f.touch("any")
                f.choices.append(v)
                f.tape += (v,)
                forks.append(f)
            return forks
        elif kind == "pause":
            self.touch("pause")
            self.tape += ("paused",)
        elif kind == "atomic":
            self.touch("atomic")
            block = op[2]
            self.pop()
            self.cont = push(block.body, (("atomic_end",), self.cont))
            self.depth += 1
        elif kind == "lock":
            k = op[2]
            self.touch("lock", m=k)
            if sync[k] == t:
                raise Violation("lock_misuse", pos)
            if sync[k] is not None:  # only inside an atomic block: outside, the step is disabled
                raise Violation("runtime", pos)
            sync[k] = t
            self.pop()
        elif kind == "unlock":
            k = op[2]
            self.touch("unlock", m=k)
            if sync[k] != t:
                raise Violation("lock_misuse", pos)
            sync[k] = None
            self.pop()
        elif kind == "trylock":
            k = op[2]
            took = sync[k] is None
            self.touch("trylock", m=k, ok=took)
            if took:
                sync[k] = t
            self.tape += (took,)
        elif kind in ("read_lock", "write_lock"):
            k = op[2]
            self.touch(kind, rw=k)
            writer, readers = sync[k]
            if writer == t or t in readers:
                raise Violation("lock_misuse", pos)
            if writer is not None or (kind == "write_lock" and readers):
                raise Violation("runtime", pos)  # only inside an atomic block
            sync[k] = (writer, readers | {t}) if kind == "read_lock" else (t, readers)
            self.pop()
        elif kind == "rw_unlock":
            k = op[2]
            writer, readers = sync[k]
            if writer == t:
                self.touch("rw_unlock", rw=k, reader=False)
                sync[k] = (None, readers)
            elif t in readers:
                self.touch("rw_unlock", rw=k, reader=True)
                sync[k] = (writer, readers - {t})
            else:
                self.touch("rw_unlock", rw=k, reader=False)
                raise Violation("lock_misuse", pos)
            self.pop()
        elif kind == "acquire":
            k = op[2]
            self.touch("acquire", s=k)
            if sync[k] == 0:
                raise Violation("runtime", pos)  # only inside an atomic block
            sync[k] -= 1
            self.pop()
        elif kind == "release":
            k = op[2]
            self.touch("release", s=k)
            sync[k] += 1
            self.pop()
        elif kind in ("signal", "broadcast"):
            k = op[2]
            waiters = [u for u, th in enumerate(self.threads)
                       if u != t and th.status == WAIT and th.cv == k]
            if kind == "broadcast" or not waiters:  # a signal with no waiter is lost
                self.touch(kind, cv=k, woken=tuple(waiters))
                self.pop()
                for u in waiters:
                    self.threads[u] = self.threads[u]._replace(status=RUN, cv=None)
            else:  # wake any one of them: every choice
                forks = []
                for u in waiters:
                    f = self.clone()
                    f.touch(kind, cv=k, woken=(u,))
                    f.pop()
                    f.choices.append(u)
                    f.threads[u] = f.threads[u]._replace(status=RUN, cv=None)
                    forks.append(f)
                return forks
        elif kind == "wait":
            cv, mx = op[2], op[3]
            self.touch("wait", cv=cv, m=mx)
            if sync[mx] != t:
                raise Violation("lock_misuse", pos)
            sync[mx] = None
            self.status, self.cv = WAIT, cv
            self.pop()
            self.cont = (("reacquire", ("reacquire", pos, mx, cv)), self.cont)
        elif kind == "reacquire":
            mx, cv = op[2], op[3]
            self.touch("reacquire", m=mx, cv=cv)
            sync[mx] = t
            self.pop()
        elif kind == "join":
            target = op[2]
            self.touch("join", target=target)
            if self.threads[target].status != DONE:
                raise Violation("runtime", pos)  # only inside an atomic block
            self.pop()
        elif kind == "exit":
            self.touch("exit", thread=t)
            self.pop()
        elif kind == "arrive":  # the barrier's state: (arrived in this phase, phase number)
            k = op[2]
            count, phase = sync[k]
            full = count + 1 == self.m.syncs[k][2]
            self.touch("arrive", b=k, phase=phase, releases=full)
            sync[k] = (0, phase + 1) if full else (count + 1, phase)
            self.pop()
            if not full:  # wait for this phase's release, then leave: a step of its own
                self.cont = (("depart", ("depart", pos, k, phase)), self.cont)
        elif kind == "depart":
            self.touch("depart", b=op[2], phase=op[3])
            self.pop()
        else:
            raise Unsupported(kind)
        return [self]


def enabled(m: Model, world: World, t: int) -> bool:
    """Can thread t take a step? (A step that will report a misuse is enabled.)"""
    th = world.threads[t]
    if th.status != RUN:
        return False
    kind = th.op[0]
    if kind == "spin":  # rests while its condition is true (a fault in it is the step's)
        c = Eval(m, world.mem, th.locs, m.threads[t].tid, "direct").ev(th.op[3])
        return isinstance(c, Poison) or not c
    if kind == "lock":
        return world.sync[th.op[2]] in (None, t)
    if kind in ("read_lock", "write_lock"):
        writer, readers = world.sync[th.op[2]]
        if writer == t or t in readers:
            return True
        return writer is None and (kind == "read_lock" or not readers)
    if kind == "acquire":
        return world.sync[th.op[2]] > 0
    if kind == "reacquire":
        return world.sync[th.op[2]] is None
    if kind == "depart":  # once the phase it arrived in has been released
        return world.sync[th.op[2]][1] != th.op[3]
    if kind == "join":
        return world.threads[th.op[2]].status == DONE
    return True


# ---- the search -------------------------------------------------------------------------------

@dataclass
class Result:
    finals: set = field(default_factory=set)
    deadlocks: set = field(default_factory=set)
    violations: set = field(default_factory=set)
    traces: int = 0  # Mazurkiewicz traces of the complete executions
    executions: int = 0  # complete executions (interleavings, with their choices)
    step_violation: bool = False  # some execution ended in a violation of a step (or at start-up)
    assumed: bool = False  # some execution was discarded by `assume`
    steps: int = 0
    has_loops: bool = False
    spins: bool = False  # the model has spin-waits (the checker counts their failed tests as events)
    inputs: bool = False  # the model has inputs: the checker keeps them symbolic
    symbolic_any: bool = False  # the model draws `any` and every loop is counted: `checker verify`
    # keeps those draws symbolic (tests/helpers.search enumerates them)

    @property
    def count_safe(self) -> bool:
        """May the checker's execution count be compared with `traces` / `executions`? Only
        for loop-free models (so without spin-waits) whose executions all complete."""
        return not (self.step_violation or self.assumed or self.has_loops or self.spins)

    def symbolic(self, enumerated_any: bool = True) -> bool:
        """Does the checker run this model on symbolic values (its inputs, or its `any` draws
        unless the search enumerates them)?"""
        return self.inputs or (self.symbolic_any and not enumerated_any)


class Oracle:
    def __init__(self, text: str, budget: int = 200_000, max_depth: int = 500):
        self.m = resolve(text)
        self.budget = budget
        self.max_depth = max_depth  # steps in one execution (a thread that loops forever)
        self.res = Result(has_loops=self.m.has_loops, spins=bool(self.m.spins),
                          inputs=bool(self.m.inputs), symbolic_any=self.m.uses_any and self.m.counted_loops)
        self.pause_cache: dict = {}
        self.has_always = any(kind == "always" for kind, _, _ in self.m.props)
        self.traces: set = set()
        self.events: list = []  # (thread, k, choices, accesses) along the current execution
        self.pairs: list = []  # ordered pairs of dependent events along the current execution

    def run(self) -> Result:
        m = self.m
        for values in itertools.product(*[vals for _, _, vals in m.inputs]):
            env = {name: v for (name, _, _), v in zip(m.inputs, values)}
            mem = [None] * len(m.slots)
            for (_, slot, _), v in zip(m.inputs, values):
                mem[slot] = v
            for slot, e in m.inits:
                mem[slot] = constant(m, e, env)
            sync = []
            for _, kind, permits in m.syncs:
                sync.append({"mutex": None, "rwlock": (None, frozenset()), "semaphore": permits,
                             "barrier": (0, 0)}.get(kind))
            threads = []
            for th in m.threads:
                locs = {name: constant(m, e, {**env, "tid": th.tid}) for name, e, _ in th.locals}
                cont = (("exit", ("exit", th.last)), None) if th.joined else None
                threads.append(Thread(push(th.body, cont), (), locs, RUN, None, 0, None))
            world = World(tuple(mem), tuple(sync), tuple(threads))
            for t in range(len(m.threads)):  # start-up local work, thread by thread
                out: list = []
                Step(m, world, t, self.pause_cache).run(out)
                (o,) = out
                if o.violation:
                    self.res.violations.add(o.violation)
                    self.res.step_violation = True
                    world = None
                    break
                if o.discarded:
                    self.res.assumed = True
                    world = None
                    break
                world = o.world
            if world is None:
                continue
            self.check("always", world)
            self.explore(world)
        self.res.traces = len(self.traces)
        return self.res

    def check(self, kind: str, world: World) -> None:
        """The first property of this kind that the state breaks, if any, is a violation."""
        for k, e, pos in self.m.props:
            if k != kind:
                continue
            v = Eval(self.m, world.mem, {}, 0, "direct").ev(e)
            if isinstance(v, Poison):
                self.res.violations.add(("runtime", pos.line, pos.col))
                return
            if not v:
                self.res.violations.add((kind, pos.line, pos.col))
                return

    def explore(self, world: World) -> None:
        res, events, pairs = self.res, self.events, self.pairs
        live = [t for t, th in enumerate(world.threads) if th.status != DONE]
        if not live:
            res.finals.add(tuple(show(v) for v in world.mem))
            self.check("final", world)
            self.complete(world)
            return
        en = [t for t in live if enabled(self.m, world, t)]
        if not en:
            res.deadlocks.add(tuple(show(v) for v in world.mem))
            pos = world.threads[live[0]].op[1]  # the first stuck thread's next statement (or its wait)
            res.violations.add(("deadlock", pos.line, pos.col))
            self.complete(world)
            return
        for t in en:
            out: list = []
            s = Step(self.m, world, t, self.pause_cache)
            s.k += 1
            s.run(out, world.threads[t].op)
            me = event_code(t, s.k)
            for o in out:
                res.steps += 1
                if res.steps > self.budget:
                    raise TooBig(f"more than {self.budget} steps")
                if o.violation:
                    res.violations.add(o.violation)
                    res.step_violation = True
                    self.enter(t, o)  # its accesses were made before it failed (races see them)
                    self.leave()
                    continue
                if o.discarded:
                    res.assumed = True
                    continue
                if len(events) >= self.max_depth:
                    raise TooBig(f"an execution longer than {self.max_depth} steps")
                mark = len(pairs)
                for (u, k, _, acc) in events:
                    if u != t and dependent(acc, o.acc):
                        pairs.append(event_code(u, k) << 20 | me)  # the pair (earlier, later)
                events.append((t, s.k, o.choices, o.acc))
                self.enter(t, o)
                if self.has_always:
                    self.check("always", o.world)
                self.explore(o.world)
                self.leave()
                events.pop()
                del pairs[mark:]

    def enter(self, t: int, o: Outcome) -> None:
        """A step of thread t was taken (outcome o); `leave` takes it back. For subclasses."""

    def leave(self) -> None:
        pass

    def complete(self, world: World) -> None:
        """A complete execution: record its trace. Its canonical key: the events (thread t's
        k-th step, for k up to t's step count, with the choices made inside them) and the set
        of ordered pairs (earlier, later) of dependent events. Two executions have the same key
        iff they are the same Mazurkiewicz trace. The pairs are packed into bytes (exact, and
        small enough for 10^5 keys)."""
        self.res.executions += 1
        counts = tuple(th.k for th in world.threads)
        choices = tuple(sorted((t, k, c) for t, k, c, _ in self.events if c))
        pairs = array("Q", sorted(self.pairs)).tobytes()
        self.traces.add((counts, choices, pairs))


def event_code(t: int, k: int) -> int:
    """Thread t's k-th step as one number (fewer than 1024 steps per thread)."""
    assert k < 1024 and t < 1024
    return t << 10 | k


def run(text: str, budget: int = 200_000, max_depth: int = 500) -> Result:
    """Explore every interleaving of the model; raises TooBig past `budget` steps in all or
    `max_depth` steps in one execution, and Unsupported for forms the oracle does not implement."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 4 * max_depth + 1000))  # one level of recursion per step
    try:
        return Oracle(text, budget, max_depth).run()
    finally:
        sys.setrecursionlimit(limit)


# ---- comparing a search of the checker with the oracle ------------------------------------------

def shared_states(x, name: str):
    """x.finals / x.deadlocks when given in the oracle's format (tuples of strings), else None."""
    states = getattr(x, name, None)
    if states is None or not all(isinstance(s, tuple) and all(isinstance(v, str) for v in s) for s in states):
        return None
    return states


def differences(x, o: Result, enumerated_any: bool = True) -> list[str]:
    """How an exploration `x` of the checker (`violations`, `finals`, `deadlocks`, `exhausted`,
    gathered with keep_going) differs from the oracle's result `o`; empty if they agree.

    When the checker keeps values symbolic (inputs; `any` draws, unless the search enumerates
    them as tests/helpers.search does: `Result.symbolic`), one symbolic path stands for many
    concrete ones, and a check that fails for some of its values ends the whole path:
    violations further along it, reached by the values that pass the check, are not seen. So
    there the search must find a subset of the oracle's violations, and some violation iff the
    oracle finds one; shared states are not compared (the checker's are terms). Deadlocks are
    compared only when the search reports them in the oracle's format."""
    out = []
    if x.exhausted is not None:
        out.append(f"the search ran out of budget: {x.exhausted}")
    only_search, only_oracle = sorted(x.violations - o.violations), sorted(o.violations - x.violations)
    if o.symbolic(enumerated_any):
        if only_search or bool(x.violations) != bool(o.violations):
            out.append(f"violations: search only {only_search}, oracle only {only_oracle}")
        return out
    if only_search or only_oracle:
        out.append(f"violations: search only {only_search}, oracle only {only_oracle}")
    for name in ("finals", "deadlocks"):
        mine, theirs = getattr(o, name), shared_states(x, name)
        if theirs is not None and theirs != mine:
            out.append(f"{name}: search only {sorted(theirs - mine)}, oracle only {sorted(mine - theirs)}")
    return out
