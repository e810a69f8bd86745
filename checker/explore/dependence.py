"""The dependence relation and the accesses of a pending step.

Two steps of different threads are *dependent* when they touch a common location and at least
one writes it. Every resource kind maps its operations onto READ/WRITE of its own location ids
(memory cells, then sync objects, then one "finished" flag per thread, then the observer); each
row below is the `access` function of the primitive that owns it (`checker.primitives`, and
`memory.py` for memory), and docs/soundness.md ("Reduction 1") mirrors the table with the
argument for each row:

| resource   | operation                                     | mode                    | op            |
|------------|-----------------------------------------------|-------------------------|---------------|
| memory     | read / write, fetch_add, swap / cas           | R / W / W (R if it fails) | -           |
| map        | get / put (+ key set if the key is new) / del / in / len, per bucket (maps.py) | R / W / W / R / R | - |
| mutex      | lock / unlock / trylock                       | W / W / W (R if held)   | ACQ / REL / - |
| rwlock     | read_lock / write_lock / unlock               | R / W / R or W          | ACQ / ACQ / REL |
| semaphore  | acquire / release                             | W                       | ACQ / REL     |
| condition  | wait (+ its mutex W REL), signal, broadcast, a wake-up / reacquire (+ its mutex W ACQ) | W / R | - |
| barrier    | arrival (`arrive_and_wait`) / departure (and a waiting thread's pending step) | W / R | - / ACQ |
| queue      | put / get: the ring position of the item, and the put / get end ; a failed try_put / try_get ; len | W ; R (its position) ; R (every position) | ACQ on the position / - ; - ; - |
| thread t   | join t / t's exit step                        | R / W                   | ACQ / REL     |
| event loop | every step of a task; `cancel` of a task       | W (the loop)            | ACQ / -       |
| spawn      | spawn (its group; the instance it starts) / the instance's `Start` | W, W / R       | -, REL / ACQ  |
| spin-wait  | its test: the read at its head (guarded: may be disabled) | R               | -             |
| `assume`   | the reads of its condition, in its step's local work (guarded) | R          | -             |
| observer   | a step writing a slot an `always` reads, a step of a thread an `at()` reads | W | -    |

ACQ needs the object free, REL needs it held by the stepping thread: an ACQ and a REL on the
same object are never enabled together, which is what DPOR's co-enabledness test asks. A
memory access that is atomic (an `atomic` variable, fetch_add/cas/swap, inside an atomic block)
has op ATOMIC: the same as OTHER here, read only by the race check (races.py). Here,
`pending` adds what belongs to a step beyond its instruction: the in-place reads of the
`assume`s in its local work, the observer, and, with spurious wake-ups, `quiet`.
"""
from __future__ import annotations

from checker.explore import maps, memory
from checker.explore.state import ACQ, ATOMIC, OTHER, READ, RUN, WAIT, WRITE, Access, State
from checker.explore import tasks
from checker.primitives import SYNC, barrier, condition, eventloop, queue, thread
from checker.program import ir
from checker.program.model import Program, SyncRef


def dependent(A: tuple, B: tuple) -> bool:
    """Do accesses A and B touch a common location, one of them writing? (Access tuples are
    unpacked: (lo, hi, mode, op).)"""
    for alo, ahi, am, _ in A:
        for blo, bhi, bm, _ in B:
            if alo < bhi and blo < ahi and (am or bm):
                return True
    return False


def footprint(A: tuple) -> tuple[int, int]:
    """Accesses A as two bit masks over location ids: (every location touched, the locations
    written). Two steps are dependent exactly when `conflict` holds of their footprints; the
    search's hot path (wake-up trees, sleep sets) tests footprints, a few int operations."""
    touched = written = 0
    for lo, hi, mode, _ in A:
        m = (1 << hi) - (1 << lo)
        touched |= m
        if mode:
            written |= m
    return (touched, written)


def conflict(f: tuple, g: tuple) -> bool:
    """`dependent`, on footprints: a location one writes and the other touches."""
    return bool(f[1] & g[0] or g[1] & f[0])


def coenabled(A: tuple, B: tuple) -> bool:
    for a in A:
        for b in B:
            if a.lo < b.hi and b.lo < a.hi and a.op and b.op and a.op != b.op:
                return False
    return True


class Dependence:
    def __init__(self, program: Program, observe: bool = True, spurious: bool = False):
        self.program = program
        self.spurious = spurious
        # memory: its slots, then each map's block of key-set and entry buckets (explore/maps.py)
        self.nM = len(program.slots) + sum(2 * mv.buckets for mv in program.maps.values())
        self.sync0 = self.nM
        self.fin0 = self.nM + len(program.syncs)
        self.obs = self.fin0 + len(program.threads)
        self.observer = Access(self.obs, self.obs + 1, WRITE, OTHER)
        # With spurious wake-ups, whether a state is a deadlock (only wake-ups can move) depends on
        # every thread: a wake-up writes every location, and every other step reads `quiet`.
        self.quiet = self.obs + 1
        # a queue's ring positions, one location each (`checker.primitives.queue`), after the rest
        self.queue0: dict[int, int] = {}  # sync id -> the location id of its ring's position 0
        end = self.obs + 2
        for k, obj in enumerate(program.syncs):
            if obj.kind == "queue":
                self.queue0[k] = end
                end += queue.ring(obj) + 2
        self.spawn0: dict[int, int] = {}  # a spawned group's first thread id -> its location id
        for t, th in enumerate(program.threads):
            if th.spawned and th.tid == 0:
                self.spawn0[t] = end
                end += 1
        self.size = end  # the number of location ids
        self.wake = (Access(0, self.size, WRITE, OTHER),)
        self.quiet_read = (Access(self.quiet, self.size, READ, OTHER),)
        # A stateful search checks `always` in every state it stores, so it needs no observer.
        # what `always` properties read: memory cells, and the positions of the queues they read
        self.watched = program.observed_slots | frozenset(
            p for k in program.observed_syncs for p in range(self.queue0[k], self.queue0[k] + queue.ring(program.syncs[k]) + 2))
        self.observed_slots = self.watched if observe else frozenset()
        self.observed_threads = program.observed_threads if observe else frozenset()
        self._atomic: dict = {}
        self.local_reads = [t.local_reads for t in program.threads]
        self.loops = [th.loop for th in program.threads]  # per thread: its event loop's sync id, or None
        self.atomic_slots = frozenset(k for v in program.vars.values() if v.atomic for k in range(v.base, v.base + v.size))
        # per thread and pc: does what the step touches depend on shared values (`varies`)
        self.varying = [[self.varies(t.code, pc, k) for pc in range(len(t.code))] for k, t in enumerate(program.threads)]
        # per thread and pc: the step's accesses when they depend on neither locals nor state
        self.fixed = [[None] * len(t.code) if t.loop is None and not spurious else [] for t in program.threads]

    def sync(self, ref: SyncRef, L, mode: int, op: int) -> Access:
        lo = self.sync0 + ref.base
        if ref.local is None:
            return Access(lo, lo + 1, mode, op)
        k = L[ref.local] if L is not None else None
        if type(k) is not int:  # index not known here: the whole mutex array (over-approximation)
            return Access(lo, lo + ref.size, mode, op)
        return Access(lo + k, lo + k + 1, mode, op)

    def queue(self, ref: SyncRef, L, at: int | None, mode: int, op: int) -> Access:
        """Location `at` of the queue ref names (a ring position, or ring + 0 / 1: its put / get
        end; None: all of them), or, when its index in an array of queues is not known here,
        every location of every queue of the array."""
        k = ref.base if ref.local is None else (L[ref.local] if L is not None else None)
        if ref.local is not None and type(k) is int:
            k += ref.base
        if type(k) is not int:
            last = ref.base + ref.size - 1
            return Access(self.queue0[ref.base], self.queue0[last] + queue.ring(self.program.syncs[last]) + 2, mode, op)
        lo = self.queue0[k]
        if at is None:
            return Access(lo, lo + queue.ring(self.program.syncs[k]) + 2, mode, op)
        return Access(lo + at, lo + at + 1, mode, op)

    def pending(self, code: tuple, s: State, t: int) -> tuple:
        """The accesses of thread t's next step in s (a superset of what it will touch)."""
        ts = s.T[t]
        fixed = self.fixed[t]
        if ts.status == RUN and ts.pc < len(fixed) and fixed[ts.pc] is not None:
            return fixed[ts.pc]
        if ts.status == WAIT:
            if type(code[ts.pc]) is ir.Depart:  # waiting at a barrier: its departure, once released
                acc = barrier.depart_access(self, code[ts.pc], ts.L)
            elif self.spurious:
                return self.wake
            else:
                acc = condition.wakeup_access(self, code[ts.pc], ts.L)
        elif ts.pc >= len(code):
            return ()
        else:
            acc = self.instr(code, ts.pc, t, s, ts.L)
            extra = self.local_reads[t][ts.pc]
            if extra:
                acc = acc + tuple(Access(lo, hi, READ, ATOMIC if lo in self.atomic_slots else OTHER)
                                  for lo, hi in extra)
        if self.loops[t] is not None:
            acc = self.task(code, s, t, acc)
        if t in self.observed_threads or any(
                a.mode == WRITE and any(a.lo <= k < a.hi for k in self.observed_slots) for a in acc):
            acc = acc + (self.observer,)
        if self.spurious:
            acc = acc + self.quiet_read
        elif ts.status == RUN and ts.pc < len(fixed) and self.constant(code[ts.pc]):
            fixed[ts.pc] = acc
        return acc

    @staticmethod
    def constant(i) -> bool:
        """Are this instruction's accesses the same in every state and for all locals? (A scalar
        read, write or read-modify-write other than `cas`; lock or unlock of a single mutex.)"""
        kind = type(i)
        if kind is ir.Read or kind is ir.Write or (kind is ir.Rmw and i.op != "cas"):
            return i.index is None
        return kind is ir.SyncOp and i.obj.kind == "mutex" and i.obj.local is None and i.op in ("lock", "unlock")

    def task(self, code: tuple, s: State, t: int, acc: tuple) -> tuple:
        """A task's step: its instruction's accesses and its loop's location (`instr`); when it is
        cancelled and does not hold the loop, or when it parks, the loop and reads of what its
        instruction needs (a step that would have enabled the instruction is then dependent with
        it), and, cancelled while asleep, the condition it leaves."""
        k = self.loops[t]
        y = s.Y[k]
        loop = Access(self.sync0 + k, self.sync0 + k + 1, WRITE, ACQ)
        if eventloop.cancelled(y, t) and y[0] != t:  # it ends instead of its step: it reads what that needs
            i = code[s.T[t].pc] if s.T[t].pc < len(code) else None
            if type(i) is ir.Reacquire:  # cancelled in a wait: it leaves the wait set and takes the mutex
                return (condition.reacquire_access(self, i, s.T[t].L) + condition.wakeup_access(self, i, s.T[t].L)
                        + (loop,))
            return tuple(Access(a.lo, a.hi, READ, OTHER) for a in acc if a.lo != loop.lo) + (loop,)
        if s.T[t].status == WAIT:
            return acc + (loop,)
        if eventloop.may_park(y, t) and tasks.blocked(self.program, code, s, t):
            return tuple(Access(a.lo, a.hi, READ, OTHER) for a in acc if a.lo != loop.lo) + (loop,)
        return acc

    def varies(self, code: tuple, pc: int, t: int) -> bool:
        """Does what thread t's step at pc touches depend on shared values? (A task's: it may park.)"""
        return self.loops[t] is not None or self.state_dependent(code[pc])

    @staticmethod
    def state_dependent(i) -> bool:
        """Does what this instruction touches depend on shared values (not only on locals)?"""
        if type(i) is ir.SyncOp:
            return SYNC[i.obj.kind].state_dependent(i)
        if type(i) is ir.MapOp:
            return maps.state_dependent(i)
        if type(i) is ir.Spawn or type(i) is ir.Cancel:  # which instance it starts; whether its task sleeps
            return True
        return memory.state_dependent(i)

    def instr(self, code: tuple, pc: int, t: int, s: State | None, L) -> tuple:
        """The accesses of instruction pc of thread t (s None: in any state; L None: without
        the locals' values), from the primitive that owns it; a task's also write its loop."""
        acc = self.own(code, pc, t, s, L)
        if self.loops[t] is not None and code[pc].visible:
            k = self.loops[t]
            acc = acc + (Access(self.sync0 + k, self.sync0 + k + 1, WRITE, ACQ),)
        return acc

    def own(self, code: tuple, pc: int, t: int, s: State | None, L) -> tuple:
        i = code[pc]
        kind = type(i)
        if kind is ir.Read or kind is ir.Write or kind is ir.Rmw:
            return memory.access(i, t, s, L)
        if kind is ir.MapOp:
            return maps.access(i, t, s, L)
        if kind is ir.SyncOp:
            acc = SYNC[i.obj.kind].access(self, i, t, s, L)
            return (acc,) if type(acc) is Access else acc  # a queue's step touches two locations
        if kind is ir.Wait:
            return condition.wait_access(self, i, L)
        if kind is ir.Reacquire:  # enabled by a wake-up: reads the condition a signal writes
            return condition.reacquire_access(self, i, L)
        if kind is ir.Depart:  # enabled by the arrival that releases its phase: reads what it wrote
            return barrier.depart_access(self, i, L)
        if kind is ir.Join:
            return thread.join_access(self, i, L)
        if kind is ir.Spawn:
            return thread.spawn_access(self, i, s)
        if kind is ir.Start:
            return thread.start_access(self, t)
        if kind is ir.Cancel:  # writes the task's loop, and the condition it sleeps on (it leaves the wait set)
            k = self.loops[i.thread]
            acc = (Access(self.sync0 + k, self.sync0 + k + 1, WRITE, OTHER),)
            u = i.target(L) if L is not None and (i.local is None or type(L[i.local]) is int) else None
            if s is None or u is None:
                return acc + tuple(Access(self.sync0 + c, self.sync0 + c + 1, WRITE, OTHER)
                                   for c, o in enumerate(self.program.syncs) if o.kind == "condition")
            ts = s.T[u]
            if ts.status == WAIT and type(self.program.threads[u].code[ts.pc]) is ir.Reacquire:
                acc = acc + condition.wakeup_access(self, self.program.threads[u].code[ts.pc], ts.L)
            return acc
        if kind is ir.Exit:
            return thread.exit_access(self, t)
        if kind is ir.AtomicBegin:
            key = (t, pc)
            if key not in self._atomic:
                self._atomic[key] = self.atomic(code, pc, t)
            return self._atomic[key]
        return ()

    def atomic(self, code: tuple, pc: int, t: int) -> tuple:
        """Every access the block's instructions might make: memory ATOMIC (every access inside
        a block is atomic), sync objects OTHER (nothing blocks inside a block)."""
        end = code[pc].end
        acc = set()
        nM = self.nM
        for k in range(pc + 1, end):
            for a in self.instr(code, k, t, None, None) if code[k].visible else ():
                acc.add(Access(a.lo, a.hi, a.mode, ATOMIC if a.hi <= nM else OTHER))
            if type(code[k]) is ir.Assume:
                acc.update(Access(lo, hi, READ, ATOMIC) for lo, hi in code[k].reads)
        return tuple(sorted(acc))
