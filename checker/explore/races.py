"""Data races (`no_race`): happens-before over an execution, and the pending-step test.

Happens-before (docs/semantics.md, "Data races"; the spec's list) is program order plus an edge
from an earlier step to a later one of another thread when
* both touch one synchronisation location (a sync object, a thread's "finished" flag) and one
  of them writes it: unlock before a later lock, release before acquire, signal (a write of the
  condition) before the re-acquisition it enables (which reads it), a joined thread's exit before
  the `join`, ... (the dependence table, checker/explore/dependence.py, restricted to those
  locations);
* the earlier is an atomic write of a memory cell and the later an atomic access to it
  (`Access.op == ATOMIC`: an `atomic` variable, `fetch_add`/`cas`/`swap`, an `atomic:` block;
  two atomic reads or two failed `cas` are not ordered).
Plain memory accesses make no edge. A *race* is two accesses to one watched cell (the cells of
a `no_race` entry) by different threads, one writing, neither atomic, not ordered. Every edge
joins two dependent steps, so equivalent executions (one Mazurkiewicz trace) have the same
races (docs/soundness.md, "Data races").

`Monitor` follows the current execution of a stateless search (`step` per event, `undo` to
backtrack): a vector clock per event (`clock.join`), per location the joined clocks of its
sync writes, sync reads and atomic writes, and per watched cell its plain accesses. `step`
returns the races the new event completes; `adjacent` rearranges the execution so that it ends
with the two racing steps; `Replayed` checks a replayed schedule. The stateful searches use
race_states.py.

An access at a symbolic index covers the whole array in the dependence relation; here its
index term is kept, and two accesses race only if the solver finds the indices equal on the
path (the witness names the cell and gives the inputs). An atomic access at a symbolic index
orders later atomic accesses to every cell of its array (an over-approximation of the edges:
docs/limitations.md).
"""
from __future__ import annotations

from typing import NamedTuple

from checker.explore.clock import join
from checker.explore.dependence import Dependence
from checker.explore.primitives import memory
from checker.explore.state import ATOMIC, READ, WAIT, WRITE, State, Violation
from checker.program import ir
from checker.symbolic import values as V
from checker.symbolic.solver import Sat

CELL = "\0cell"  # the key under which a witness model returns the racing index


class Touch(NamedTuple):
    """One plain access to watched cells: event position, thread, its seq in the thread, the
    statement (Src), READ/WRITE, the array (None for a variable), and the cell: a slot number,
    or a symbolic index term into `var`, or None (an `assume` read at an index not known)."""

    pos: int
    thread: int
    seq: int
    src: ir.Src
    mode: int
    var: ir.Var | None
    slot: int | None
    index: object


class Watch:
    """The `no_race` entries of a program: which slots each watches."""

    def __init__(self, program: ir.Program, dep):
        self.program = program
        self.props = [p for p in program.properties if p.kind == "race"]
        self.slots = frozenset().union(*(p.slots for p in self.props))
        self.var_of = {}
        for v in program.vars.values():
            for k in range(v.base, v.base + v.size):
                self.var_of[k] = v
        self.nM, self.sync0, self.obs = dep.nM, dep.sync0, dep.obs

    def __bool__(self) -> bool:
        return bool(self.props)

    def touches(self, code: tuple, s: State, t: int, A: tuple, pos: int, seq: int) -> list[Touch]:
        """The plain accesses to watched cells of thread t's step from s (accesses A)."""
        ts = s.T[t]
        if ts.status == WAIT or ts.pc >= len(code):
            return []
        out = []
        for a in A:
            if a.op == ATOMIC or a.lo >= self.nM or not any(a.lo <= k < a.hi for k in self.slots):
                continue
            i = code[ts.pc]
            var = self.var_of[a.lo]
            if type(i) in (ir.Read, ir.Write) and i.var.base == var.base:
                src = i.src
                index = None if a.hi - a.lo == 1 or i.index is None else memory.index_value(i.index, ts.L, s.M)
            else:  # an in-place read of an `assume` in the step's local work
                src = next((j.src for j in code[ts.pc + 1:] if type(j) is ir.Assume
                            and any(lo <= a.lo < hi for lo, hi in j.reads)), i.src)
                index = None
            if a.hi - a.lo == 1:
                out.append(Touch(pos, t, seq, src, a.mode, var if var.array else None, a.lo, None))
            else:
                out.append(Touch(pos, t, seq, src, a.mode, var, None, index))
        return out

    def cells(self, x: Touch) -> range:
        if x.slot is not None:
            return range(x.slot, x.slot + 1)
        return range(x.var.base, x.var.base + x.var.size)

    def race(self, e, x: Touch, y: Touch, path: tuple, only=None) -> list[Violation]:
        """Violations (one per `no_race` entry that watches the cell, except those `only`
        rejects) if x and y can touch one cell on `path`; x and y are of different threads,
        one writes, and they are not ordered."""
        if not (x.mode == WRITE or y.mode == WRITE):
            return []
        common = set(self.cells(x)) & set(self.cells(y)) & self.slots
        if not common:
            return []
        if x.slot is not None and y.slot is not None:
            cond, slot = True, x.slot
        else:
            var = x.var if x.slot is None else y.var
            ix = x.slot - var.base if x.slot is not None else x.index
            iy = y.slot - var.base if y.slot is not None else y.index
            if ix is None or iy is None:  # an `assume` read at an unknown index: any cell
                ix = iy if ix is None else ix
                iy = ix
            if ix is None:
                cond, slot = True, min(common)
            else:
                cond = V.compare("==", ix, iy)
                slot = var.base + ix if type(ix) is int else None
        props = [p for p in self.props if (slot in p.slots if slot is not None else p.slots & common)
                 and (only is None or only(p))]
        if not props:
            return []
        values, slot = self.witness(e, path, cond, x, y, slot)
        if values is False:
            return []
        loc = self.program.slots[slot].name
        return [violation(self.program, p, loc, x, y, values) for p in props if slot in p.slots]

    def witness(self, e, path: tuple, cond, x: Touch, y: Touch, slot):
        """(a model of the inputs, the racing slot), or (False, None) if the indices cannot be equal."""
        if type(cond) is bool:
            if not cond:
                return False, None
            if e.values is not None:
                return None, slot
            return (e.solver.model(path, None, e.symbols) if (path or e.symbols) else {}), slot
        r = e.solver.check(path, cond)
        if r is Sat.UNKNOWN:
            e.unknowns.append(f"solver returned unknown on whether two accesses touch one cell "
                              f"(lines {x.src.pos.line} and {y.src.pos.line})")
            return False, None
        if r is Sat.UNSAT:
            return False, None
        term = x.index if x.slot is None else y.index
        model = e.solver.model(path, cond, {**e.symbols, CELL: term})
        if model is None:
            return False, None
        var = x.var if x.slot is None else y.var
        return ({k: v for k, v in model.items() if k != CELL} if e.values is None else None), var.base + model[CELL]


def violation(program: ir.Program, prop: ir.Property, loc: str, x: Touch, y: Touch, values) -> Violation:
    """The race between x and y on loc, as a violation of `prop` (its `no_race` entry)."""
    names = [t.name for t in program.threads]

    def one(a: Touch) -> dict:
        return {"thread": names[a.thread], "statement": a.src.text, "line": a.src.pos.line,
                "col": a.src.pos.col, "access": "write" if a.mode == WRITE else "read", "location": loc}

    first, second = one(x), one(y)
    words = " and ".join(f"{a['thread']} {a['access']}s it in '{a['statement']}' (line {a['line']})"
                         for a in (first, second))
    return Violation("race", f"data race on {loc}: {words}, not ordered by happens-before", prop.text,
                     prop.pos.line, prop.pos.col, values, {"location": loc, "accesses": [first, second]})


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
        self.sync_w: list = [None] * size  # per location: the join of its writers' clocks
        self.sync_r: list = [None] * size  # per sync location: the join of its readers' clocks
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
        waking = before.T[t].status == WAIT and self.e.spurious  # a spurious wake-up touches nothing
        for a in () if waking else A:
            if a.lo >= w.obs:
                continue  # the observer, `quiet`: not locations of the program
            sync = a.lo >= w.nM
            if not sync and a.op != ATOMIC:
                continue
            for loc in range(a.lo, a.hi):
                if self.sync_w[loc] is not None:
                    c = join(c, self.sync_w[loc])
                if sync and a.mode == WRITE and self.sync_r[loc] is not None:
                    c = join(c, self.sync_r[loc])
        clock = tuple(c)
        for a in () if waking else A:
            if a.lo >= w.obs or (a.lo < w.nM and a.op != ATOMIC):
                continue
            if a.mode == READ and a.lo < w.nM:
                continue  # an atomic read orders nothing after it
            table = self.sync_w if a.mode == WRITE else self.sync_r
            for loc in range(a.lo, a.hi):
                undo.append((table, loc, table[loc]))
                table[loc] = clock if table[loc] is None else tuple(join(table[loc], clock))
        undo.append((self.cur, t, self.cur[t]))
        self.cur[t] = clock
        self.clocks.append(clock)
        found: list = []
        if not waking:
            touched = w.touches(self.code[t], before, t, A, pos, clock[t])
            done: set = set()
            for y in touched:
                seen = set()
                for k in w.cells(y):
                    if k not in w.slots:
                        continue
                    for x in self.plain.get(k, ()):
                        if x.thread == t or x.pos in seen or clock[x.thread] >= x.seq:
                            continue
                        seen.add(x.pos)
                        for v in w.race(self.e, x, y, after.pc, lambda p: (self.every or (p.pos.line, p.pos.col)
                                                                          not in done) and (only is None or only(p))):
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
    return tuple((events[k].thread, events[k].choices) for k in keep)


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
