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

Maps (`cache: map`, docs/semantics.md "Maps"): a map is one memory slot whose value here is a
tuple of (key, value) pairs in ascending key order (shown `{1: 5, 3: 0}`, as the checker shows
it). `cache[k]`, `k in cache` and `len(cache)` are shared reads like a variable's (a step each,
after the reads of k), `cache[k] = v` and `del cache[k]` a step each; a missing key read or
deleted is a `runtime` violation of that step. The oracle's inputs are concrete, so every key is.

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
RUN, WAIT, DONE, NEW = "run", "wait", "done", "new"  # NEW: `start: spawned`, not spawned yet
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
    # timed waits: a timed lock / acquire is its try form; a timed wait's timeout writes cv, as a signal does
    "tryacquire": lambda f: [(obj(f["s"]), W if f["ok"] else R)],
    "timeout": lambda f: [(obj(f["cv"]), W)],
    # queue q: R ring positions (R = its capacity, or QUEUE_RING unbounded) and its two ends; the
    # n-th put of an execution writes position n mod R and the put end, the n-th get position
    # n mod R and the get end; a failed try reads its position and its end; len reads the positions
    "put": lambda f: [(("qpos", f["q"], f["at"]), W if f["ok"] else R), (("qend", f["q"], "put"), W if f["ok"] else R)],
    "get": lambda f: [(("qpos", f["q"], f["at"]), W if f["ok"] else R), (("qend", f["q"], "get"), W if f["ok"] else R)],
    "qlen": lambda f: [(("qpos", f["q"], at), R) for at in range(f["ring"])],
    # barrier b: every arrival writes it; a departure (after its phase is released) reads it
    "arrive": lambda f: [(obj(f["b"]), W)],
    "depart": lambda f: [(obj(f["b"]), R)],
    # threads: `join t` reads fin(t); the last step of a joined thread t (its `(thread ends)`) writes it
    "join": lambda f: [(fin(f["target"]), R)],
    # spawn: the group's own location (spawns pick instances in order) and the new instance's fin;
    # its `(starts)` step reads that fin (one that spawns too many only reads the group)
    "spawn": lambda f: [(("group", f["group"]), W), (fin(f["thread"]), W)] if f["thread"] is not None
    else [(("group", f["group"]), R)],
    "start": lambda f: [(fin(f["thread"]), R)],
    # event loops: every step of a task writes its loop (its park step also reads what it waits
    # for: `park_reads`); `cancel` writes the loop of the task it cancels
    "task": lambda f: [(("loop", f["loop"]), W)],
    "park": lambda f: [(("loop", f["loop"]), W)] + [(loc, R) for loc in f["reads"]],
    "cancel": lambda f: [(("loop", f["loop"]), W)] + ([(obj(f["cv"]), W)] if f["cv"] is not None else []),
    # a task cancelled asleep in a wait leaves the condition's wait set and takes its mutex again
    "cancel_wait": lambda f: [(("loop", f["loop"]), W), (obj(f["m"]), W), (obj(f["cv"]), W)],
    "exit": lambda f: [(fin(f["thread"]), W)],
    # touch nothing shared
    "any": lambda f: [],
    "pause": lambda f: [],
    "atomic": lambda f: [],  # an atomic block: the union of the accesses of what runs inside it
    # the in-place reads of an `assume`, counted in the step whose local work runs it
    "assume_read": lambda f: [(cell(f["slot"]), R)],
    # map m: B key-set buckets and B entry buckets; key k is in bucket k % B. A put writes the
    # key set only when its key is new. In place (`assume`): get reads every bucket, in/len the key set.
    "map_get": lambda f: [(("mval", f["map"], f["key"] % MAP_BUCKETS), R)],
    "map_put": lambda f: [(("mval", f["map"], f["key"] % MAP_BUCKETS), W)]
    + ([(("mkeys", f["map"], f["key"] % MAP_BUCKETS), W)] if f["new"] else []),
    "map_del": lambda f: [(("mval", f["map"], f["key"] % MAP_BUCKETS), W),
                          (("mkeys", f["map"], f["key"] % MAP_BUCKETS), W)],
    "map_in": lambda f: [(("mkeys", f["map"], f["key"] % MAP_BUCKETS), R)],
    "map_len": lambda f: [(("mkeys", f["map"], b), R) for b in range(MAP_BUCKETS)],
    "assume_map": lambda f: [(("mkeys", f["map"], b), R) for b in range(MAP_BUCKETS)]
    + ([(("mval", f["map"], b), R) for b in range(MAP_BUCKETS)] if f["entries"] else []),
}
MAP_BUCKETS = 8
QUEUE_RING = 8  # the ring positions of an unbounded queue


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
    spawned: bool = False  # `start: spawned`
    params: tuple = ()  # its parameters' names
    loop: int | None = None  # the sync index of its event loop (`loop: NAME`)
    final: tuple = ()  # its `finally:` statements


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
    maps: dict = field(default_factory=dict)  # name -> its memory slot (a map: sorted (key, value) pairs)


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
        elif d.kind == "map":  # empty at the start (`Oracle.run`)
            m.maps[d.name] = len(m.slots)
            m.slots.append(d.name)
        elif d.kind.removesuffix("_array") in ("mutex", "rwlock", "condition", "semaphore", "barrier", "queue"):
            kind = d.kind.removesuffix("_array")  # `sems: semaphore[4] 1`: objects sems[0], sems[1], ...
            m.sync_index[d.name] = len(m.syncs)
            m.sync_size[d.name] = d.size
            number = d.init if kind in ("semaphore", "barrier", "queue") else 0  # permits; a barrier's N; capacity
            names = [d.name] if kind == d.kind else [f"{d.name}[{k}]" for k in range(d.size)]
            m.syncs.extend((name, kind, number) for name in names)
        else:
            raise Unsupported(f"shared resource kind {d.kind}")
    for d in tree.threads:
        first = len(m.threads)
        for i in range(d.count or 1):
            name = f"{d.name}[{i}]" if d.count is not None else d.name
            if d.loop is not None and ("loop", d.loop[0]) not in m.sync_index:  # one sync object per loop
                m.sync_index[("loop", d.loop[0])] = len(m.syncs)
                m.syncs.append((d.loop[0], "eventloop", 0))
            m.threads.append(ThreadInfo(name, i, d.body, d.locals, spawned=d.spawned,
                                        params=tuple(p for p, _ in d.params), final=d.final,
                                        loop=m.sync_index[("loop", d.loop[0])] if d.loop else None))
        m.thread_names[d.name] = list(range(first, len(m.threads)))
    bodies = [th.body + th.final for th in m.threads] + [p.body for p in m.procs.values()]
    for p in m.procs.values():
        spin_waits(m, p.body, False)
    for th in m.threads:
        spin_waits(m, th.body, False)
        th.last = last_pos(th.body + th.final) or NOWHERE
    for body in bodies:
        for s in walk(body):
            if isinstance(s, S.Labeled):
                raise Unsupported("labels")
            if isinstance(s, S.While):
                m.has_loops = True
            if isinstance(s, S.Assign) and isinstance(s.value, S.AnyValue):
                m.uses_any = True
            if isinstance(s, S.Sync) and s.op == "join":
                a = s.args[0]
                if isinstance(a, S.Index) and not isinstance(a.index, S.Num):  # `join worker[h]`: any of them
                    for u in m.thread_names[a.base.id]:
                        m.threads[u].joined = True
                else:
                    m.threads[thread_of(m, a)].joined = True
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
                    and shared_reads(m, s.cond) == 1 and not map_reads(m, s.cond)):
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


def map_reads(m: Model, e) -> bool:
    """Does `e` read a map (`cache[k]`, `k in cache`, `len(cache)`)? Such a read is not a spin-wait's."""
    if isinstance(e, S.Index):
        return e.base.id in m.maps or map_reads(m, e.index)
    if isinstance(e, S.Name):
        return e.id in m.maps
    if isinstance(e, S.Unary):
        return map_reads(m, e.operand)
    if isinstance(e, S.Binary):
        return map_reads(m, e.left) or map_reads(m, e.right)
    if isinstance(e, S.Call):  # `len(q)`: a queue's length is not a memory read either
        return any(map_reads(m, a) for a in e.args) or (
            e.fn == "len" and (e.args[0].base.id if isinstance(e.args[0], S.Index) else e.args[0].id) in m.sync_index)
    return False


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

    sync = ()  # the sync objects' states, for `len(q)` in a property (set by the caller)

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
        if isinstance(e, S.Index) and e.base.id in m.maps:
            return self.map_op("get", e.base.id, self.ev(e.index), e.pos)
        if isinstance(e, S.Binary) and e.op == "in":
            return self.map_op("in", e.right.id, self.ev(e.left), e.pos)
        if isinstance(e, S.Call) and e.fn == "len" and isinstance(e.args[0], S.Name) and e.args[0].id in m.maps:
            return self.map_op("len", e.args[0].id, 0, e.pos)
        if isinstance(e, S.Call) and e.fn == "len" and (e.args[0].base.id if isinstance(e.args[0], S.Index)
                                                        else e.args[0].id) in m.sync_index:
            return self.queue_len(e.args[0], e.pos)
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


def map_op(self, op: str, name: str, k, pos: Pos):
    """A map read (`get`, `in`, `len`): in place (direct mode; a missing key poisons the value),
    or from the tape, past whose end it is the statement's next step (NeedRead)."""
    if self.mode == "direct":
        if isinstance(k, Poison):
            return k
        entries = dict(self.mem[self.m.maps[name]])
        self.reads.append(("map", name, op == "get"))
        if op == "get":
            return entries[k] if k in entries else Poison(f"key {k} is not in map '{name}'", pos)
        return k in entries if op == "in" else len(entries)
    if self.at < len(self.tape):
        v = self.tape[self.at]
        self.at += 1
        return v
    if isinstance(k, Poison):
        raise StepFault(k.message, k.pos)
    raise NeedRead(("map", op, name, k))


Eval.map_op = map_op


def queue_len(self, e, pos: Pos):
    """`len(q)`: in place (properties: a constant index), or from the tape, past whose end it is
    the statement's next step."""
    if isinstance(e, S.Index):
        i = e.index.value if self.mode == "direct" else self.ev(e.index)
        if isinstance(i, Poison):
            raise StepFault(i.message, i.pos)
        if not 0 <= i < self.m.sync_size[e.base.id]:
            raise StepFault("queue index out of range", pos)
        k = self.m.sync_index[e.base.id] + i
    else:
        k = self.m.sync_index[e.id]
    if self.mode == "direct":
        return len(self.sync[k][1])
    if self.at < len(self.tape):
        v = self.tape[self.at]
        self.at += 1
        return v
    raise NeedRead(("queue", k))


Eval.queue_len = queue_len


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
    if type(v) is tuple:  # a map: its (key, value) pairs in key order
        return "{" + ", ".join(f"{k}: {x}" for k, x in v) + "}"
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
        loop = self.m.threads[self.t].loop
        if loop is not None and self.status in (WAIT, DONE) and self.sync[loop][0] == self.t:
            self.sync[loop] = (None,) + self.sync[loop][1:]  # a task that waits or ends gives its loop back
        threads = list(self.threads)
        threads[self.t] = Thread(self.cont, self.tape, self.locs, self.status, self.cv, self.k, op)
        return World(tuple(self.mem), tuple(self.sync), tuple(threads))

    def outcome(self, op) -> Outcome:
        return Outcome(self.world(op), None, False, tuple(self.choices), self.acc, tuple(self.ops))

    # -- running
    def run(self, out: list, op=None) -> None:
        """Execute `op` (the step's visible operation), then local work up to the next one."""
        loop = self.m.threads[self.t].loop
        if loop is not None and op is not None:  # a task: it takes its loop, or parks, or ends cancelled
            runs, cancelled, started, waiting = self.sync[loop]
            t = self.t
            timed = timed_op(op)
            if self.t in cancelled and runs != self.t:  # it ends instead of op: it reads what op waits on
                if op[0] == "reacquire":  # asleep in (or woken from) a wait: it takes the mutex first
                    self.touch("cancel_wait", loop=loop, m=op[2], cv=op[3])
                    self.sync[op[2]] = self.t
                else:
                    self.touch("park", loop=loop, reads=park_reads(self, op) + op_reads(self, op))
                self.sync[loop] = (t, cancelled - {t}, started | {t}, waiting - {t})  # one cancel strikes once
                self.status, self.cv = RUN, None
                self.unwind(self.t in started)
                if self.ends_holding():  # no finally to run: it is cancelled where it was suspended
                    out.append(Outcome(None, ("lock_misuse",) + pos_of(self.locs.get("%suspended", op[1])), False,
                                       tuple(self.choices), self.acc, tuple(self.ops)))
                    return
                self.local_work(out)
                return
            if (runs == t or (runs is None and t not in started)) and (
                    not enabled_alone(self.m, self.world(op), t) or (timed and t not in waiting and not can_complete(self, op))):
                # it blocks (its first statement too: it starts there); a timed wait now waits
                self.touch("park", loop=loop, reads=park_reads(self, op))
                self.sync[loop] = (None, cancelled, started | {t}, waiting | {t} if timed else waiting)
                out.append(self.outcome(op))
                return
            self.touch("task", loop=loop)
            self.sync[loop] = (t, cancelled, started | {t}, waiting - {t})
            self.locs.pop("%suspended", None)  # it runs: no longer suspended at its last await
            if timed and t in waiting and can_complete(self, op):  # it waited: its timeout may fire first
                g = self.clone()
                g.choices.append("timed out")
                g.touch(op[0], **timed_facts(g, op))
                g.tape += ((False, None) if op[0] == "get" else False,)
                g.local_work(out)
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
            if item[0] == "finally":  # the thread's `finally:` statements run now
                self.cont = push(item[1], (("finally_end", item[1]), self.cont[1]))
                return None
            if item[0] == "finally_end":
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
        if isinstance(s, S.Spawn):
            return self.spawn_op(s)
        if isinstance(s, S.Await) and s.task is None:
            return ("await", s.pos)
        if isinstance(s, S.Await):  # `cancel NAME[i]`
            return self.on_instance("cancel", s.task, s.pos)
        if isinstance(s, S.Delete):
            return self.delete(s)
        raise Unsupported(type(s).__name__)

    def delete(self, s: S.Delete):
        """`del cache[k]`: the reads of k, then the step that removes the entry."""
        ev = self.evaluator("tape", self.tape, s.pos)
        try:
            k = ev.ev(s.target.index)
        except NeedRead as n:
            return ("read", s.pos, n.slot)
        except StepFault as f:
            return ("fault", s.pos, "runtime", f.pos)
        if isinstance(k, Poison):
            return ("fault", s.pos, "runtime", k.pos)
        return ("map_del", s.pos, s.target.base.id, k)

    # -- procedures and jumps
    def ends_holding(self) -> bool:
        """Is the thread at its end (or its joined exit) while it holds a lock?"""
        if self.cont is not None and not (isinstance(self.cont[0], tuple) and self.cont[0][0] == "exit"):
            return False
        return any((kind == "mutex" and self.sync[k] == self.t) or (kind == "rwlock" and (
            self.sync[k][0] == self.t or self.t in self.sync[k][1])) for k, (_, kind, _) in enumerate(self.m.syncs))

    def unwind(self, started: bool) -> None:
        """A cancelled task: to its `finally:` block (not yet begun: run it whole), or, if it has
        not started, has none, or is inside it already (the rest is skipped), to its end."""
        items = list(self.items())
        marks = [k for k, item in enumerate(items) if isinstance(item, tuple) and item[0] in ("finally", "finally_end")]
        if started and marks:
            k = marks[0]
            item = items[k]
            if item[0] == "finally":
                self.drop_until(lambda it: it is item)
                return
            if not self.tape and tuple(items[:k]) == tuple(item[1]) and "%suspended" in self.locs:
                return  # suspended at the body's last await, at the block's first statement: run it
            self.drop_until(lambda it: it is item)
            self.pop()
        self.drop_until(lambda it: isinstance(it, tuple) and it[0] == "exit")

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
            self.drop_until(lambda item: tagged("exit")(item) or tagged("finally")(item))  # to its end
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
        if base in self.m.maps:
            if isinstance(index, Poison):
                return ("fault", s.pos, "runtime", index.pos)
            return ("map_put", s.pos, base, index, value)
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
                if isinstance(slot, tuple):  # a map read in place
                    self.touch("assume_map", map=slot[1], entries=slot[2])
                else:
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
            if isinstance(value, S.Call) and (value.fn in ("get", "try_get", "try_put") or value.timed):
                op = self.value_op(s, value, ev)
                if op[0] != "result":
                    return op
                result = op[1]
                if isinstance(result, tuple):  # `ok, v = try_get q`: v changes only when ok
                    if result[0]:
                        self.locs[s.second.id] = result[1]
                    result = result[0]
            elif isinstance(value, S.Call) and value.fn in ("fetch_add", "cas", "swap"):
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
        if base in m.maps:  # `cache[k] = v`: the step computes the value, then the key
            if isinstance(result, Poison):
                return ("fault", s.pos, "runtime", result.pos)
            if isinstance(index, Poison):
                return ("fault", s.pos, "runtime", index.pos)
            return ("map_put", s.pos, base, index, result)
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

    def spawn_op(self, s: S.Spawn):
        """`spawn NAME(ARGS)`: the arguments' reads, then the spawn step (its target a local)."""
        if s.target is not None and (not isinstance(s.target, S.Name) or s.target.id in self.m.vars):
            raise Unsupported("a spawn's handle in a shared variable")
        ev = self.evaluator("tape", self.tape, s.pos)
        try:
            values = tuple(ev.ev(a) for a in s.args)
        except NeedRead as n:
            return ("read", s.pos, n.slot)
        for v in values:
            if isinstance(v, Poison):
                return ("fault", s.pos, "runtime", v.pos)
        return ("spawn", s.pos, s.name.id, values, s.target.id if s.target is not None else None)

    def value_op(self, s: S.Assign, value: S.Call, ev: Eval):
        """The step of a queue's value statement or of a timed wait, or ("result", its result)
        once it has run. A timed lock / acquire / get is its try form; a timed wait stores its
        result itself (true, or false when its timeout fires)."""
        def local(e) -> str:
            if not isinstance(e, S.Name) or e.id in self.m.vars or e.id in self.m.maps:
                raise Unsupported("a queue's or a timed wait's result in a shared variable")
            return e.id
        if s.second is not None:
            local(s.second)
        if value.fn == "wait":
            return ("wait", s.pos, self.sync_of(value.args[0], ev, s.pos), self.sync_of(value.args[1], ev, s.pos),
                    local(s.target))
        k = self.sync_of(value.args[0], ev, s.pos)
        v = ev.ev(value.args[1]) if value.fn == "try_put" else None
        result, done = ev.take()
        if done:
            return ("result", result)
        if isinstance(v, Poison):
            return ("fault", s.pos, "runtime", v.pos)
        if value.fn == "try_put":
            return ("put", s.pos, k, v, True)
        if value.fn in ("lock", "acquire"):
            return ("trylock" if value.fn == "lock" else "tryacquire", s.pos, k, True)
        return ("get", s.pos, k, value.fn == "try_get" or value.timed, value.timed)

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

    def on_instance(self, kind: str, a, pos: Pos):
        """`join t[h]`, `cancel t[h]`: the operation on the thread instance `a` names; a computed
        index is read on the statement's tape first (out of range: a runtime violation)."""
        if isinstance(a, S.Index) and not isinstance(a.index, S.Num):
            try:
                k = self.evaluator("tape", self.tape, pos).ev(a.index)
            except NeedRead as n:
                return ("read", pos, n.slot)
            ids = self.m.thread_names[a.base.id]
            if isinstance(k, Poison) or not 0 <= k < len(ids):
                return ("fault", pos, "runtime", pos)
            return (kind, pos, ids[k])
        return (kind, pos, thread_of(self.m, a))

    def sync_op(self, s: S.Sync):
        if s.op == "join":
            return self.on_instance("join", s.args[0], s.pos)
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
        if s.op == "put":  # the operand's index, then the value's reads, then the put
            v = ev.ev(s.value)
            if isinstance(v, Poison):
                return ("fault", s.pos, "runtime", v.pos)
            return ("put", s.pos, k, v, False)
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
            if isinstance(s.value, (S.AnyValue, S.Call)) and not (isinstance(s.value, S.Call) and s.value.fn == "len"
                                                                   and not self.reads_shared(s.value)):
                return True
            base = s.target.base.id if isinstance(s.target, S.Index) else s.target.id
            return base in self.m.vars or base in self.m.maps or self.reads_shared(s.value)
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
        if isinstance(e, S.Call):  # `len(cache)` reads a map, `len(q)` a queue (`len(d)` of an array is a constant)
            return any(isinstance(a, S.Name) and a.id in self.m.maps for a in e.args) or (
                e.fn == "len" and isinstance(e.args[0], (S.Name, S.Index))
                and (e.args[0].base.id if isinstance(e.args[0], S.Index) else e.args[0].id) in self.m.sync_index)
        if isinstance(e, S.Name):
            return e.id in self.m.vars or e.id in self.m.maps
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
        if kind == "read" and isinstance(op[2], tuple) and op[2][0] == "queue":  # `len(q)`
            k = op[2][1]
            self.touch("qlen", q=k, ring=self.m.syncs[k][2] or QUEUE_RING)
            self.tape += (len(sync[k][1]),)
        elif kind == "read" and isinstance(op[2], tuple):  # a map read: ("map", get | in | len, name, key)
            _, what, name, k = op[2]
            entries = dict(self.mem[self.m.maps[name]])
            self.touch(f"map_{what}", map=name, key=k)
            if what == "get" and k not in entries:
                raise Violation("runtime", pos)
            self.tape += (entries[k] if what == "get" else k in entries if what == "in" else len(entries),)
        elif kind in ("read", "spin"):  # a spin-wait's test (only once its condition is false)
            slot = op[2]
            self.touch("read", slot=slot)
            self.tape += (self.mem[slot],)
        elif kind in ("map_put", "map_del"):
            name, k = op[2], op[3]
            slot = self.m.maps[name]
            entries = dict(self.mem[slot])
            self.touch(kind, map=name, key=k, new=k not in entries)
            if kind == "map_put":
                entries[k] = op[4]
            elif k not in entries:
                raise Violation("runtime", pos)
            else:
                del entries[k]
            self.mem[slot] = tuple(sorted(entries.items()))
            self.pop()
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
        elif kind == "spawn":  # the group's first instance not started yet
            group = self.m.thread_names[op[2]]
            new = [u for u in group if self.threads[u].status == NEW]
            self.touch("spawn", group=op[2], thread=new[0] if new else None)
            if not new:
                raise Violation("runtime", pos)
            u = new[0]
            th = self.threads[u]
            self.threads[u] = th._replace(status=RUN, locs={**th.locs, **dict(zip(self.m.threads[u].params, op[3]))})
            if op[4] is not None:
                self.locs[op[4]] = group.index(u)
            self.pop()
        elif kind == "start":
            self.touch("start", thread=t)
            self.pop()
        elif kind == "await":  # an await point: give the loop back, or end here if cancelled
            k = self.m.threads[t].loop
            if t in sync[k][1]:
                sync[k] = (sync[k][0], sync[k][1] - {t}) + sync[k][2:]
                self.pop()
                self.unwind(True)
                if self.ends_holding():
                    raise Violation("lock_misuse", pos)
            else:
                sync[k] = (None,) + sync[k][1:]
                self.locs["%suspended"] = pos  # where a cancellation strikes while it does not run
                self.pop()
        elif kind == "cancel":  # a task not spawned yet does not exist: nothing happens to it
            u = op[2]
            k = self.m.threads[u].loop
            th = self.threads[u]
            self.touch("cancel", loop=k, cv=th.cv if th.status == WAIT else None)
            if th.status != NEW:
                sync[k] = (sync[k][0], sync[k][1] | {u}) + sync[k][2:]
            self.pop()
        elif kind == "tryacquire":
            k = op[2]
            self.touch("tryacquire", s=k, ok=sync[k] > 0)
            self.tape += (sync[k] > 0,)
            if sync[k] > 0:
                sync[k] -= 1
        elif kind == "put":
            k, v, trying = op[2], op[3], op[4]
            gets, items = sync[k]
            cap = self.m.syncs[k][2]
            room = not cap or len(items) < cap
            self.touch("put", q=k, at=(gets + len(items)) % (cap or QUEUE_RING), ok=room, n=gets + len(items))
            if room:
                sync[k] = (gets, items + (v,))
            if trying:
                self.tape += (room,)
            else:
                self.pop()
        elif kind == "get":
            k, trying = op[2], op[3]
            gets, items = sync[k]
            self.touch("get", q=k, at=gets % (self.m.syncs[k][2] or QUEUE_RING), ok=bool(items), n=gets)
            if items:
                sync[k] = (gets + 1, items[1:])
            self.tape += ((bool(items), items[0] if items else None) if trying else items[0],)
        elif kind == "release":
            k = op[2]
            self.touch("release", s=k)
            sync[k] += 1
            self.pop()
        elif kind in ("signal", "broadcast"):
            k = op[2]
            waiters = [u for u, th in enumerate(self.threads)  # a cancelled task has left the wait set
                       if u != t and th.status == WAIT and th.cv == k and not (
                           self.m.threads[u].loop is not None and u in sync[self.m.threads[u].loop][1])]
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
            if len(op) > 4:  # a timed wait: ok is true unless its timeout fires
                self.locs[op[4]] = True
            self.cont = (("reacquire", ("reacquire", pos, mx, cv) + op[4:]), self.cont)
        elif kind == "reacquire" and self.status == WAIT:  # a timed wait's timeout fires
            self.touch("timeout", cv=op[3])
            self.status, self.cv = RUN, None
            self.locs[op[4]] = False
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
    """Can thread t take a step? (A step that will report a misuse is enabled.) A task only while
    its loop runs nothing or runs it; a cancelled task that does not hold it ends; a task that
    holds it and is blocked parks (an await point)."""
    loop = m.threads[t].loop
    if loop is None:
        return enabled_alone(m, world, t)
    runs, cancelled = world.sync[loop][:2]
    th = world.threads[t]
    if (runs is not None and runs != t) or th.status in (DONE, NEW):
        return False
    if t in cancelled and runs != t:  # it ends (a wait's mutex taken again first)
        return th.op is None or th.op[0] != "reacquire" or world.sync[th.op[2]] is None
    first = runs is None and t not in world.sync[loop][2]  # its first statement blocks: it starts there
    return enabled_alone(m, world, t) or ((runs == t or first) and th.status == RUN and th.op[0] in PARKS)


PARKS = ("lock", "read_lock", "write_lock", "acquire", "reacquire", "join", "put", "get")  # may block


def timed_op(op) -> bool:
    """A timed wait (`ok = lock m timeout`, `acquire`, `get`): its try form with the timed mark."""
    return op is not None and ((op[0] in ("trylock", "tryacquire") and len(op) > 3 and op[3])
                               or (op[0] == "get" and len(op) > 4 and op[4]))


def can_complete(step, op) -> bool:
    y = step.sync[op[2]]
    return y is None if op[0] == "trylock" else y > 0 if op[0] == "tryacquire" else bool(y[1])


def timed_facts(step, op) -> dict:
    """What a timed wait that times out although it could complete touches (what completing
    would: the checker counts it as that step's other outcome)."""
    if op[0] == "trylock":
        return {"m": op[2], "ok": True}
    if op[0] == "tryacquire":
        return {"s": op[2], "ok": True}
    gets, items = step.sync[op[2]]
    return {"q": op[2], "at": gets % (step.m.syncs[op[2]][2] or QUEUE_RING), "ok": True, "n": gets}


def pos_of(p: Pos) -> tuple:
    return (p.line, p.col)


def park_reads(step, op) -> list:
    """What a parking task's blocked operation waits on (its park step reads it)."""
    kind = op[0]
    if kind in ("lock", "read_lock", "write_lock", "acquire", "trylock", "tryacquire"):
        return [obj(op[2])]
    if kind == "reacquire":
        return [obj(op[2]), obj(op[3])]
    if kind == "join":
        return [fin(op[2])]
    if kind not in ("put", "get"):
        return []
    gets, items = step.sync[op[2]]
    ring = step.m.syncs[op[2]][2] or QUEUE_RING
    if kind == "put":
        return [("qpos", op[2], (gets + len(items)) % ring), ("qend", op[2], "put")]
    return [("qpos", op[2], gets % ring), ("qend", op[2], "get")]


def op_reads(step, op) -> list:
    """The locations an operation would touch (for a cancelled task's step, which ends instead of
    it); those that `park_reads` does not cover."""
    kind = op[0]
    if kind in ("read", "spin") and not isinstance(op[2], tuple):
        return [cell(op[2])]
    if kind == "read" and op[2][0] == "queue":
        ring = step.m.syncs[op[2][1]][2] or QUEUE_RING
        return [("qpos", op[2][1], k) for k in range(ring)]
    if kind in ("write", "rmw"):
        return [cell(op[2] if kind == "write" else op[3])]
    if kind in ("unlock", "trylock", "tryacquire", "release", "signal", "broadcast", "arrive", "depart"):
        return [obj(op[2])]
    if kind == "wait":
        return [obj(op[2]), obj(op[3])]
    if kind in ("exit", "start"):
        return [fin(step.t)]
    if kind == "cancel":
        return [("loop", step.m.threads[op[2]].loop)]
    return []


def enabled_alone(m: Model, world: World, t: int) -> bool:
    """Is thread t's operation enabled, as far as the operation itself is concerned?"""
    th = world.threads[t]
    if th.status != RUN:  # asleep in a timed wait: its timeout may fire
        return th.status == WAIT and th.op is not None and th.op[0] == "reacquire" and len(th.op) > 4
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
    if kind == "put" and not th.op[4]:
        cap = m.syncs[th.op[2]][2]
        return not cap or len(world.sync[th.op[2]][1]) < cap
    if kind == "get" and not th.op[3]:
        return bool(world.sync[th.op[2]][1])
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
            for slot in m.maps.values():
                mem[slot] = ()
            sync = []
            for _, kind, permits in m.syncs:
                sync.append({"mutex": None, "rwlock": (None, frozenset()), "semaphore": permits,
                             "barrier": (0, 0), "queue": (0, ()),  # a queue: (gets so far, items)
                             "eventloop": (None, frozenset(), frozenset(), frozenset())}.get(kind))  # (runs, cancelled, started, waiting)
            threads = []
            for th in m.threads:
                locs = {name: constant(m, e, {**env, "tid": th.tid}) for name, e, _ in th.locals}
                cont = (("exit", ("exit", th.last)), None) if th.joined else None
                if th.final:  # reached at the end, by `return`, or by cancellation
                    cont = (("finally", th.final), cont)
                cont = push(th.body, cont)
                if th.spawned:  # its first step is its start, once spawned
                    cont = (("start", ("start", th.last)), cont)
                threads.append(Thread(cont, (), locs, NEW if th.spawned else RUN, None, 0, None))
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
        """Every property of this kind that the state breaks is a violation (each its own)."""
        for k, e, pos in self.m.props:
            if k != kind:
                continue
            ev = Eval(self.m, world.mem, {}, 0, "direct")
            ev.sync = world.sync
            v = ev.ev(e)
            if isinstance(v, Poison):
                self.res.violations.add(("runtime", pos.line, pos.col))
            elif not v:
                self.res.violations.add((kind, pos.line, pos.col))

    def explore(self, world: World) -> None:
        res, events, pairs = self.res, self.events, self.pairs
        live = [t for t, th in enumerate(world.threads) if th.status not in (DONE, NEW)]
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
