"""The dependence relation, defined per resource kind, and the accesses of a pending step.

Two steps of different threads are *dependent* when they touch a common location and at least
one writes it. Every resource kind maps its operations onto READ/WRITE of its own location id
(memory cells, then sync objects, then one "finished" flag per thread, then the observer):

| resource   | operation                           | mode  | op  |
|------------|-------------------------------------|-------|-----|
| int cell   | read / write, fetch_add, cas, swap  | R / W | -   |
| mutex      | lock, reacquire / unlock / trylock  | W     | ACQ / REL / - |
| rwlock     | read_lock / write_lock / unlock     | R ACQ / W ACQ / (R or W) REL |
| semaphore  | acquire, release                    | W     | -   |
| condition  | wait (and its mutex: W REL), signal, broadcast, a sleeper's wake-up | W | - |
| thread t   | join t / t's exit step              | R ACQ / W REL |
| observer   | any step that writes a slot an `always` reads, any step of a thread an `at()` reads | W | - |

ACQ needs the object free, REL needs it held by the stepping thread: an ACQ and a REL on the
same object are never enabled together, which is what DPOR's co-enabledness test asks.
A symbolic array index touches the whole array (an over-approximation, so still sound).
"""
from __future__ import annotations

from checker.explore.state import ACQ, OTHER, READ, REL, WAIT, WRITE, Access, State
from checker.program import ir
from checker.program.ir import Fault


class _View:
    __slots__ = ("L", "M", "T", "ob")

    def __init__(self, L, M):
        self.L, self.M, self.T, self.ob = L, M, (), []


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

    def var(self, v: ir.Var, index, L, M, mode: int) -> Access:
        if index is None:
            return Access(v.base, v.base + 1, mode, OTHER)
        try:  # without locals (an atomic block's accesses) only a constant index is known
            k = index(_View(() if L is None else L, M))
        except (Fault, LookupError, TypeError, AttributeError):
            k = None
        if type(k) is int and 0 <= k < v.size:
            return Access(v.base + k, v.base + k + 1, mode, OTHER)
        return Access(v.base, v.base + v.size, mode, OTHER)

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
            if self.spurious:
                return self.wake
            acc = (self.sync(code[ts.pc].cv, ts.L, WRITE, OTHER),)
        elif ts.pc >= len(code):
            return ()
        else:
            acc = self.instr(code, ts.pc, t, s, ts.L)
            extra = self.local_reads[t][ts.pc]
            if extra:
                acc = acc + tuple(Access(lo, hi, READ, OTHER) for lo, hi in extra)
        if t in self.observed_threads or any(
                a.mode == WRITE and any(a.lo <= k < a.hi for k in self.observed_slots) for a in acc):
            acc = acc + (self.observer,)
        if self.spurious:
            acc = acc + self.quiet_read
        return acc

    @staticmethod
    def state_dependent(i) -> bool:
        """Does what this instruction touches depend on shared values (not only on locals)?"""
        return (type(i) is ir.Rmw and i.op == "cas") or (type(i) is ir.SyncOp and i.op == "trylock")

    def instr(self, code: tuple, pc: int, t: int, s: State, L) -> tuple:
        i = code[pc]
        kind = type(i)
        M = s.M if s is not None else ()
        if kind is ir.Read:
            return (self.var(i.var, i.index, L, M, READ),)
        if kind is ir.Write:
            return (self.var(i.var, i.index, L, M, WRITE),)
        if kind is ir.Rmw:
            return (self.var(i.var, i.index, L, M, READ if self.cas_fails(i, L, M) else WRITE),)
        if kind is ir.SyncOp:
            return (self.sync_op(i, t, s, L),)
        if kind is ir.Wait:
            return (self.sync(i.cv, L, WRITE, OTHER), self.sync(i.mutex, L, WRITE, REL))
        if kind is ir.Reacquire:  # enabled by a wake-up: reads the condition a signal writes
            return (self.sync(i.mutex, L, WRITE, ACQ), self.sync(i.cv, L, READ, OTHER))
        if kind is ir.Join:
            k = self.fin0 + i.thread
            return (Access(k, k + 1, READ, ACQ),)
        if kind is ir.Exit:
            k = self.fin0 + t
            return (Access(k, k + 1, WRITE, REL),)
        if kind is ir.AtomicBegin:
            key = (t, pc)
            if key not in self._atomic:
                self._atomic[key] = self.atomic(code, pc, t)
            return self._atomic[key]
        return ()

    def sync_op(self, i: ir.SyncOp, t: int, s: State | None, L) -> Access:
        op = i.op
        if i.obj.kind == "rwlock":
            if op == "read_lock":
                return self.sync(i.obj, L, READ, ACQ)
            if op == "write_lock":
                return self.sync(i.obj, L, WRITE, ACQ)
            if s is not None:  # unlock: a reader's release commutes with other readers
                writer, _ = s.Y[i.obj.base]
                return self.sync(i.obj, L, WRITE if writer == t else READ, REL)
            return self.sync(i.obj, L, WRITE, OTHER)
        if s is None:
            return self.sync(i.obj, L, WRITE, OTHER)
        if i.obj.kind == "mutex":
            if op == "trylock":  # a failed trylock only reads the mutex: two of them commute
                return self.sync(i.obj, L, READ if s.Y[i.obj.id(L)] != -1 else WRITE, OTHER)
            return self.sync(i.obj, L, WRITE, ACQ if op == "lock" else REL)
        if i.obj.kind == "semaphore":
            return self.sync(i.obj, L, WRITE, ACQ if op == "acquire" else REL)
        return self.sync(i.obj, L, WRITE, OTHER)

    def cas_fails(self, i: ir.Rmw, L, M) -> bool:
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

    def atomic(self, code: tuple, pc: int, t: int) -> tuple:
        """Every access the block's instructions might make; all OTHER (nothing inside blocks)."""
        end = code[pc].end
        acc = set()
        for k in range(pc + 1, end):
            for a in self.instr(code, k, t, None, None) if code[k].visible else ():
                acc.add(Access(a.lo, a.hi, a.mode, OTHER))
            if type(code[k]) is ir.Assume:
                acc.update(Access(lo, hi, READ, OTHER) for lo, hi in code[k].reads)
        return tuple(sorted(acc))
