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
| mutex      | lock / unlock / trylock                       | W / W / W (R if held)   | ACQ / REL / - |
| rwlock     | read_lock / write_lock / unlock               | R / W / R or W          | ACQ / ACQ / REL |
| semaphore  | acquire / release                             | W                       | ACQ / REL     |
| condition  | wait (+ its mutex W REL), signal, broadcast, a wake-up / reacquire (+ its mutex W ACQ) | W / R | - |
| barrier    | arrival (`arrive_and_wait`) / departure (and a waiting thread's pending step) | W / R | - / ACQ |
| thread t   | join t / t's exit step                        | R / W                   | ACQ / REL     |
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

from checker.explore import memory
from checker.explore.state import ATOMIC, OTHER, READ, WAIT, WRITE, Access, State
from checker.primitives import SYNC, barrier, condition, thread
from checker.program import ir


def dependent(A: tuple, B: tuple) -> bool:
    for a in A:
        for b in B:
            if a.lo < b.hi and b.lo < a.hi and (a.mode or b.mode):
                return True
    return False


def coenabled(A: tuple, B: tuple) -> bool:
    for a in A:
        for b in B:
            if a.lo < b.hi and b.lo < a.hi and a.op and b.op and a.op != b.op:
                return False
    return True


class Dependence:
    def __init__(self, program: ir.Program, observe: bool = True, spurious: bool = False):
        self.program = program
        self.spurious = spurious
        self.nM = len(program.slots)
        self.sync0 = self.nM
        self.fin0 = self.nM + len(program.syncs)
        self.obs = self.fin0 + len(program.threads)
        self.observer = Access(self.obs, self.obs + 1, WRITE, OTHER)
        # With spurious wake-ups, whether a state is a deadlock (only wake-ups can move) depends on
        # every thread: a wake-up writes every location, and every other step reads `quiet`.
        self.quiet = self.obs + 1
        self.size = self.obs + 2  # the number of location ids
        self.wake = (Access(0, self.size, WRITE, OTHER),)
        self.quiet_read = (Access(self.quiet, self.size, READ, OTHER),)
        # A stateful search checks `always` in every state it stores, so it needs no observer.
        self.observed_slots = program.observed_slots if observe else frozenset()
        self.observed_threads = program.observed_threads if observe else frozenset()
        self._atomic: dict = {}
        self.local_reads = [t.local_reads for t in program.threads]
        self.atomic_slots = frozenset(k for v in program.vars.values() if v.atomic for k in range(v.base, v.base + v.size))

    def sync(self, ref: ir.SyncRef, L, mode: int, op: int) -> Access:
        lo = self.sync0 + ref.base
        if ref.local is None:
            return Access(lo, lo + 1, mode, op)
        k = L[ref.local] if L is not None else None
        if type(k) is not int:  # index not known here: the whole mutex array (over-approximation)
            return Access(lo, lo + ref.size, mode, op)
        return Access(lo + k, lo + k + 1, mode, op)

    def pending(self, code: tuple, s: State, t: int) -> tuple:
        """The accesses of thread t's next step in s (a superset of what it will touch)."""
        ts = s.T[t]
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
        if t in self.observed_threads or any(
                a.mode == WRITE and any(a.lo <= k < a.hi for k in self.observed_slots) for a in acc):
            acc = acc + (self.observer,)
        if self.spurious:
            acc = acc + self.quiet_read
        return acc

    @staticmethod
    def state_dependent(i) -> bool:
        """Does what this instruction touches depend on shared values (not only on locals)?"""
        if type(i) is ir.SyncOp:
            return SYNC[i.obj.kind].state_dependent(i)
        return memory.state_dependent(i)

    def instr(self, code: tuple, pc: int, t: int, s: State | None, L) -> tuple:
        """The accesses of instruction pc of thread t (s None: in any state; L None: without
        the locals' values), from the primitive that owns it."""
        i = code[pc]
        kind = type(i)
        if kind is ir.Read or kind is ir.Write or kind is ir.Rmw:
            return memory.access(i, t, s, L)
        if kind is ir.SyncOp:
            return (SYNC[i.obj.kind].access(self, i, t, s, L),)
        if kind is ir.Wait:
            return condition.wait_access(self, i, L)
        if kind is ir.Reacquire:  # enabled by a wake-up: reads the condition a signal writes
            return condition.reacquire_access(self, i, L)
        if kind is ir.Depart:  # enabled by the arrival that releases its phase: reads what it wrote
            return barrier.depart_access(self, i, L)
        if kind is ir.Join:
            return thread.join_access(self, i)
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
