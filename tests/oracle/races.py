"""The oracle for `no_race`: every interleaving, with its own happens-before (no checker.explore).

`racing_pairs(text)` runs the brute-force interpreter (`interp.Oracle`, every interleaving of
every input) and, along each execution, computes happens-before from the spec's definition
directly (/work/shared/spec/model-language.md, "Happens-before"), by scanning every earlier
event for an edge, not with per-location tables:

* program order;
* an edge from an earlier event to a later one of another thread when both touch one
  synchronisation location (a mutex, rwlock, semaphore or condition variable, a thread's
  "finished" flag: `interp.DEPENDENCE`) and one of the two touches writes it;
* an edge from an atomic write of a cell (`fetch_add`, `swap`, a `cas` that succeeds, a write
  to an `atomic` variable, a write inside an `atomic:` block) to a later atomic access of it;
then the transitive closure. A race is a pair of accesses to one cell of a non-atomic
variable (a read, a write, an `assume`'s in-place read), by different threads, at least one a
write, neither atomic (inside a block, on an atomic variable, `fetch_add`/`swap`/`cas`), with
neither event happening before the other. Only steps that complete are events (a step that
ends in a violation or that `assume` discards is not), as in the checker.

The result is the set of racing pairs: (cell name, frozenset of the two accesses as
(thread, line, col, "read" | "write"))."""
from __future__ import annotations

from oracle.interp import DEPENDENCE, Oracle, W

MEMORY = {"read", "write", "fetch_add", "swap", "cas", "assume_read"}
ATOMIC_OPS = {"fetch_add", "swap", "cas"}


class RaceOracle(Oracle):
    def __init__(self, text: str, budget: int = 200_000):
        super().__init__(text, budget)
        m = self.m
        self.atomic_slot = set()
        self.watched = set()
        for v in m.vars.values():
            cells = range(v.base, v.base + v.size)
            (self.atomic_slot if v.atomic else self.watched).update(cells)
        self.trace: list = []  # per event: (thread, sync accesses, [(slot, mode, atomic, pos)], clock)
        self.racing: set = set()

    def accesses(self, o):
        sync, mem = {}, []
        for kind, facts, pos, in_block in o.ops:
            if kind in MEMORY:
                (loc, mode), = DEPENDENCE[kind](facts)
                slot = loc[1]
                atomic = in_block or kind in ATOMIC_OPS or slot in self.atomic_slot
                mem.append((slot, mode, atomic, pos))
            else:
                for loc, mode in DEPENDENCE[kind](facts):
                    if sync.get(loc) != W:
                        sync[loc] = mode
        return sync, mem

    def edge(self, earlier, later) -> bool:
        """Is there a happens-before edge from event `earlier` to event `later` (of another thread)?"""
        _, sync1, mem1, _ = earlier
        _, sync2, mem2, _ = later
        for loc, mode in sync1.items():
            other = sync2.get(loc)
            if other is not None and (mode == W or other == W):
                return True
        return any(a[2] and a[1] == W and b[2] and a[0] == b[0] for a in mem1 for b in mem2)

    def enter(self, t: int, o) -> None:
        sync, mem = self.accesses(o)
        n = len(self.m.threads)
        me = (t, sync, mem, None)
        clock = [0] * n
        for ev in self.trace:  # program order, and every edge into this event
            if ev[0] == t or self.edge(ev, me):
                clock = [max(a, b) for a, b in zip(clock, ev[3])]
        clock[t] = sum(1 for ev in self.trace if ev[0] == t) + 1
        for ev in self.trace:
            u = ev[0]
            seq = ev[3][u]
            if u == t or clock[u] >= seq:
                continue  # same thread, or happens before this event
            for a in ev[2]:
                for b in mem:
                    if (a[0] == b[0] and a[0] in self.watched and not a[2] and not b[2]
                            and (a[1] == W or b[1] == W)):
                        self.racing.add((self.m.slots[a[0]], frozenset(
                            ((self.m.threads[u].name, a[3].line, a[3].col, "write" if a[1] == W else "read"),
                             (self.m.threads[t].name, b[3].line, b[3].col, "write" if b[1] == W else "read")))))
        self.trace.append((t, sync, mem, tuple(clock)))

    def leave(self) -> None:
        self.trace.pop()


def racing_pairs(text: str, budget: int = 200_000) -> set:
    o = RaceOracle(text, budget)
    o.run()
    return o.racing
