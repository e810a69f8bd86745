"""Happens-before over one execution of a stateless search, and the races it completes.

Happens-before (docs/semantics.md, "Data races and happens-before"; the spec's list) is
program order plus an edge from a release to a later acquisition of the same object: unlock (or
a wait's release of its mutex) before a later lock, successful trylock or re-acquisition; a
write unlock before a later read or write lock, a read unlock before a later write lock;
`release` before `acquire` (or a timed acquire that takes a permit); a signal before the
re-acquisition of the thread it woke; a put on a queue before the get that takes its item; a
joined thread's exit before the `join`; the arrivals of a barrier phase before its departures; an
atomic write of a cell before a later atomic access of it. A failed trylock, a lost signal and
plain memory accesses make no edge. Every edge joins two dependent steps, so equivalent
executions (one Mazurkiewicz trace) have the same races (docs/soundness.md, "Data races").

`Monitor` follows the current execution (`step` per event, `undo` to backtrack): a vector
clock per event (`clock.join`), per location the joined clocks of its releases, per thread the
clock of the step that woke it, and per watched cell its plain accesses (races.Watch). `step`
returns the races the new event completes; `adjacent` rearranges the execution so that it ends
with the two racing steps; `Replayed` checks a replayed schedule.

Two kinds of step have edges that are not known exactly: an atomic access at a symbolic index
(taken for every cell) and an `atomic:` block that branches (taken for every path). So the
monitor keeps two clocks per event: `cur` with every edge (an upper bound of happens-before)
and `sure_cur` without those steps' edges (a lower bound). Two accesses unordered in the upper
bound race; ordered in the lower bound, they do not; in between, `imprecise` names the step,
and a `no_race` entry without a race is unknown, never holds.
"""
from __future__ import annotations

from checker.explore.clock import join
from checker.explore.dependence import Dependence
from checker.explore.races import Watch
from checker.explore.state import ACQ, ATOMIC, REL, WAIT, WRITE, State, Violation
from checker.primitives import eventloop
from checker.program import ir


class Monitor:
    """Happens-before and races over the current execution of a stateless search: `step` for
    each executed event (in order), `undo` to take the last one back."""

    def __init__(self, engine, dep, watch: Watch, every: bool = False):
        """every: return every racing pair a step completes (the cross-checks), not one per property."""
        self.e = engine
        self.every = every
        self.watch = watch
        self.code = engine.code
        n = len(engine.program.threads)
        self.n = n
        self.cur = [(0,) * n for _ in range(n)]  # per thread: the clock of its last event
        size = dep.obs
        self.rel_w: list = [None] * size  # per location: the join of its releasing writes' clocks
        self.rel_r: list = [None] * size  # per sync location: the join of its read releases' clocks
        self.woke: list = [None] * n  # per thread: the clock of the signal that woke it, until it re-acquires
        self.items: list = [()] * len(engine.program.syncs)  # per queue: its items' put clocks (and sure twins)
        self.loop_locs = frozenset(dep.sync0 + k for k, o in enumerate(engine.program.syncs) if o.kind == "eventloop")
        # The same with only the edges known to be there (`approximate`): a lower bound of
        # happens-before, where `cur`, `rel_*`, `woke` are an upper bound.
        self.sure_cur = [(0,) * n for _ in range(n)]
        self.sure_w: list = [None] * size
        self.sure_r: list = [None] * size
        self.sure_woke: list = [None] * n
        self.twin = {id(self.rel_w): self.sure_w, id(self.rel_r): self.sure_r}
        self.approximated: str | None = None  # the first step whose edges were over-approximated
        self.imprecise: str | None = None  # set when a pair was ordered only through such edges
        self.plain: dict = {}  # watched slot -> [Touch] (plain accesses so far, in order)
        self.clocks: list = []  # per event: its happens-before clock
        self.log: list = []  # per event: what to restore on undo
        self.pairs: set = set()  # with `every`: (location, frozenset of both accesses' (thread, line, col, mode))

    def step(self, before: State, after: State, t: int, A: tuple, only=None) -> list[tuple[int, Violation]]:
        """Record thread t's step from `before` to `after` (accesses A); returns the races it
        completes, as (position of the earlier access, violation), one per property at most."""
        w = self.watch
        pos = len(self.clocks)
        undo: list = []
        c = list(self.cur[t])
        c[t] += 1
        sure = list(self.sure_cur[t])
        sure[t] += 1
        waking = before.T[t].status == WAIT and self.e.spurious  # a spurious wake-up touches nothing
        code, pc = self.code[t], before.T[t].pc
        i = code[pc] if not waking and pc < len(code) else None
        approx = self.approximate(code, pc, i, A) if i is not None else None
        if approx is not None and self.approximated is None:
            self.approximated = approx
        publish = []  # (location, table, its sure twin or None) this step publishes its clocks to
        for a in () if waking else A:
            if a.lo >= w.obs:
                continue  # the observer, `quiet`: not locations of the program
            for loc, table in self.edges(a, i):
                if table is None:  # an acquisition: join what the location's releases published
                    for t2 in self.subscribe(a):
                        if t2[loc] is not None:
                            c = join(c, t2[loc])
                        if approx is None and self.twin[id(t2)][loc] is not None:
                            sure = join(sure, self.twin[id(t2)][loc])
                else:
                    publish.append((loc, table, None if approx is not None else self.twin[id(table)]))
        if type(i) in (ir.Reacquire, ir.Depart) and self.woke[t] is not None:  # the signal, or the release, that woke t
            c = join(c, self.woke[t])
            if self.sure_woke[t] is not None:
                sure = join(sure, self.sure_woke[t])
            undo += [(self.woke, t, self.woke[t]), (self.sure_woke, t, self.sure_woke[t])]
            self.woke[t] = self.sure_woke[t] = None
        queue = None  # a queue put (or take): (object, its item list before)
        if type(i) is ir.SyncOp and i.obj.kind == "queue":
            k = i.obj.id(before.T[t].L)
            grew = len(after.Y[k][1]) - len(before.Y[k][1])
            if grew < 0:  # a take: after the put of its item
                (got, got_sure), rest = self.items[k][0], self.items[k][1:]
                c, sure = join(c, got), join(sure, got_sure)
                undo.append((self.items, k, self.items[k]))
                self.items[k] = rest
            elif grew > 0:
                queue = k
        clock, sure = tuple(c), tuple(sure)
        if queue is not None:  # the item carries the put's clock to the get that takes it
            undo.append((self.items, queue, self.items[queue]))
            self.items[queue] = self.items[queue] + ((clock, sure),)
        for loc, table, twin in publish:
            undo.append((table, loc, table[loc]))
            table[loc] = clock if table[loc] is None else tuple(join(table[loc], clock))
            if twin is not None:
                undo.append((twin, loc, twin[loc]))
                twin[loc] = sure if twin[loc] is None else tuple(join(twin[loc], sure))
        released = type(i) is ir.SyncOp and i.op == "arrive_and_wait" and after.T[t].status != WAIT
        if released:  # the arrival that fills a phase: the next phase's arrivals start afresh
            for loc, table, _ in publish:
                for tb in (table, self.twin[id(table)]):
                    undo.append((tb, loc, tb[loc]))
                    tb[loc] = None
        if type(i) is ir.SyncOp and (i.op in ("signal", "broadcast") or released):
            for u in range(self.n):  # the threads this step woke
                if u != t and before.T[u].status == WAIT and after.T[u].status != WAIT:
                    undo += [(self.woke, u, self.woke[u]), (self.sure_woke, u, self.sure_woke[u])]
                    self.woke[u], self.sure_woke[u] = clock, sure
        undo += [(self.cur, t, self.cur[t]), (self.sure_cur, t, self.sure_cur[t])]
        self.cur[t], self.sure_cur[t] = clock, sure
        self.clocks.append(clock)
        found: list = []
        loop = self.e.loops[t]
        if loop is not None and eventloop.cancelled(before.Y[loop], t) and before.Y[loop][0] != t:
            waking = True  # a cancelled task's step ends it: what its instruction would touch, it does not
        if not waking:
            touched = w.touches(self.code[t], before, t, A, pos, clock[t])
            done: set = set()
            for y in touched:
                seen = set()
                for k in w.cells(y):
                    if k not in w.slots:
                        continue
                    for x in reversed(self.plain.get(k, ())):  # the latest first: adjacent when it can be
                        if x.thread == t or x.pos in seen or sure[x.thread] >= x.seq:
                            continue
                        if clock[x.thread] >= x.seq:  # ordered only through edges that may not be there
                            self.imprecise = self.imprecise or self.approximated
                            continue
                        seen.add(x.pos)
                        wanted = lambda p: (self.every or (p.pos.line, p.pos.col) not in done) and (  # noqa: E731
                            only is None or only(p))
                        for v in w.race(self.e, x, y, after.pc, wanted, every_cell=self.every):
                            done.add((v.line, v.col))
                            found.append((x.pos, v))
                            if self.every:
                                self.pairs.add((v.detail["location"], frozenset(
                                    (a["thread"], a["line"], a["col"], a["access"]) for a in v.detail["accesses"])))
            for y in touched:
                for k in w.cells(y):
                    if k in w.slots:
                        self.plain.setdefault(k, []).append(y)
                        undo.append((self.plain[k], None, None))
        self.log.append(undo)
        return found

    def edges(self, a, i):
        """The happens-before roles of access `a` of instruction `i`, as the spec lists them:
        (location, None) to join what the location's releases published, (location, table) to
        publish to a table. A release (unlock, `release`, a wait's release of its mutex, a
        joined thread's exit) publishes, a write release to `rel_w`, a reader's unlock to
        `rel_r`; an acquisition (lock, a successful trylock, read/write lock, `acquire`, the
        re-acquisition after a wake-up, `join`) joins; an atomic write publishes and every atomic
        access joins. An arrival at a barrier joins and publishes (what its phase's arrivals
        published; the arrival that fills the phase clears it, `step`). Everything else (a failed
        trylock, a signal, a wait's cv access, a barrier departure, plain memory) makes no edge:
        the signal's edge, and the filling arrival's, go to the threads they woke (`woke`)."""
        locs = range(a.lo, a.hi)
        if a.lo < self.watch.nM:  # memory
            if a.op != ATOMIC:
                return ()
            return [(k, None) for k in locs] + ([(k, self.rel_w) for k in locs] if a.mode == WRITE else [])
        if type(i) is ir.SyncOp and i.op == "arrive_and_wait":  # barrier: after the phase's arrivals so far
            return [(k, None) for k in locs] + [(k, self.rel_w) for k in locs]
        if type(i) is ir.Depart:  # its edge comes from the arrival that released it (`woke`)
            return ()
        if a.op == REL:
            return [(k, self.rel_w if a.mode == WRITE else self.rel_r) for k in locs]
        if type(i) is ir.SyncOp and i.obj.kind == "queue":  # a put's edge goes with its item (`step`)
            return ()
        if a.lo in self.loop_locs:  # a task's step: after every earlier step of its loop's tasks
            return () if type(i) is ir.Cancel else [(a.lo, None), (a.lo, self.rel_w)]
        if a.op == ACQ or (type(i) is ir.SyncOp and i.op in ("trylock", "tryacquire") and a.mode == WRITE):
            return [(k, None) for k in locs]
        return ()

    def approximate(self, code: tuple, pc: int, i, A) -> str | None:
        """Why the edges of instruction i (accesses A) may be more than it makes, or None: an
        atomic access at a symbolic index stands for every cell of its array, and the accesses
        of an `atomic:` block with a branch inside for every path through it. Edges that are
        not there could hide a race, so a `no_race` entry without a race is then unknown."""
        nM = self.watch.nM
        if any(a.op == ATOMIC and a.lo >= self.watch.mem_end for a in A if a.lo < nM):  # explore/maps.py
            return (f"the atomic step at line {i.src.pos.line} ('{i.src.text}') accesses a map; its happens-before "
                    "edges were taken per bucket of the map, not per key")
        if any(a.op == ATOMIC and a.hi - a.lo > 1 for a in A if a.lo < nM):
            return (f"the atomic access at line {i.src.pos.line} ('{i.src.text}') has a symbolic index; "
                    "its happens-before edges were taken for every cell of the array")
        if type(i) is ir.AtomicBegin and any(a.op == ATOMIC for a in A if a.lo < nM):
            if any(type(j) is ir.Branch for j in code[pc + 1:i.end]):
                return (f"the atomic block at line {i.src.pos.line} branches; its happens-before edges "
                        "were taken for every access it might make")
        return None

    def subscribe(self, a):
        """The tables an acquisition joins: a read acquisition (read_lock, join, an atomic read)
        only the write releases; a write acquisition (lock, write_lock, acquire) every release."""
        return (self.rel_w, self.rel_r) if a.mode == WRITE and a.lo >= self.watch.nM else (self.rel_w,)

    def undo(self) -> None:
        self.clocks.pop()
        for table, key, old in reversed(self.log.pop()):
            if key is None:
                table.pop()
            else:
                table[key] = old


def adjacent(e, events: list, stack: list, i: int, key_of) -> tuple | None:
    """A schedule that ends with events[i] and the last event, adjacent: the events that either
    of them needs (those before it in the search's happens-before, which orders every dependent
    pair: `Event.clock`), in their order, then the two. None if the first happens before
    something the second needs (then they cannot be adjacent with the same values read), or if
    the schedule does not run (it always should: it is a linearisation of a prefix of the trace).
    `stack[k]` is the state before events[k]."""
    j = len(events) - 1
    e1, e2 = events[i], events[j]

    def before(k: int, ev) -> bool:
        g = events[k]
        return ev.clock[g.thread] >= g.seq

    need = [k for k in range(j) if k != i and before(k, e2)]
    if any(events[k].clock[e1.thread] >= e1.seq for k in need):
        return None
    keep = sorted(set(need) | {k for k in range(i) if before(k, e1)}) + [i, j]
    s = stack[0].state
    for k in keep:
        g = events[k]
        s = next((o.state for o in e.step(s, g.thread) if key_of(g.thread, o) == g.key
                  and o.violation is None and o.cut is None), None)
        if s is None:
            return None
    return tuple((events[k].thread, events[k].key[1]) for k in keep)


class Replayed:
    """Races along a replayed schedule (`checker.trace.replay`): `found` is a race that the last
    step given to `step` completes, or None."""

    def __init__(self, engine):
        self.e = engine
        self.dep = Dependence(engine.program, spurious=engine.spurious)
        self.monitor = Monitor(engine, self.dep, Watch(engine.program, self.dep))
        self.found: Violation | None = None

    def step(self, before: State, after: State, t: int) -> None:
        got = self.monitor.step(before, after, t, self.dep.pending(self.e.code[t], before, t))
        self.found = got[0][1] if got else None
