"""Data races in the stateful searches (`while true` models, `--no-reduction`): the test of a
stored state, and where that test may not decide a `no_race` entry.

A stored state is reached by many histories, so it cannot carry a vector clock per event
(happens.py). Instead, `pending_race` looks for two enabled threads whose next steps are
conflicting plain accesses to one watched cell: run one right after the other, nothing can
order them. Under sequential consistency such a state is reachable iff some execution has a
race, for the `no_race` entries that `stateful_gaps` does not name (docs/soundness.md, "Data
races"); for those, a stateful search that finds no race says unknown.
"""
from __future__ import annotations

from checker.explore.races import Watch
from checker.explore.state import WAIT, WRITE, State
from checker.program import ir
from checker.program.model import Program


def pending_race(e, dep, watch: Watch, s: State, en: list[int], only=None):
    """In state s, two enabled threads whose next steps are conflicting plain accesses to one
    watched cell, each step able to complete after the other: (violation, [(t, choices),
    (u, choices)]) with the two steps in an order that runs, or None. (Under sequential
    consistency such a state exists iff some execution has a race: docs/soundness.md.)"""
    got = next(pending_races(e, dep, watch, s, en, only), None)
    return got[:2] if got else None


def pending_races(e, dep, watch: Watch, s: State, en: list[int], only=None):
    """Every such pair of steps, in each order that runs, with the state between the two
    (`pending_race` takes the first)."""
    touches = {}
    for t in en:
        if s.T[t].status == WAIT:
            continue
        got = watch.touches(e.code[t], s, t, dep.pending(e.code[t], s, t), 0, 1)
        if got:
            touches[t] = got
    threads = sorted(touches)
    for k, t in enumerate(threads):
        for u in threads[k + 1:]:
            for x in touches[t]:
                for y in touches[u]:
                    if not (x.mode == WRITE or y.mode == WRITE) or not set(watch.cells(x)) & set(watch.cells(y)):
                        continue
                    for first, second, a, b in ((t, u, x, y), (u, t, y, x)):
                        for o1 in e.step(s, first):
                            if o1.violation is not None or o1.cut is not None:
                                continue
                            for o2 in e.step(o1.state, second):
                                if o2.violation is not None or o2.cut is not None:
                                    continue
                                vs = watch.race(e, a, b, o2.state.pc, only)
                                if vs:
                                    yield vs, [(first, o1.choices), (second, o2.choices)], o1.state


def learns_without_edge(i) -> bool:
    """Can step i learn that another thread went first without a happens-before edge? A `try`
    that fails (trylock, a timed lock or acquire), and every step on a queue (a failed try, `len`,
    a put that waited for room: only a put before the get of its item is an edge)."""
    return type(i) is ir.SyncOp and (i.op in ("trylock", "tryacquire") or i.obj.kind == "queue")


def stateful_gaps(program: Program) -> dict:
    """The `no_race` entries the stateful search's test (two racing steps pending in one state)
    may not decide, each with why: a `trylock` or a queue's step (`learns_without_edge`: when
    a try fails, it learns that another thread took the lock, with no happens-before edge), a cell that some thread accesses atomically and
    another plainly, or a non-atomic variable that several threads access, one of them plainly, and
    that the entry does not watch. Through such a variable a thread can learn an order that
    happens-before does not record, and the two racing steps of a watched cell may then never
    be pending together (docs/soundness.md, "Data races"). Property -> reason."""
    plain: dict = {}  # slot -> threads accessing it plainly
    atomic: dict = {}  # slot -> threads accessing it atomically
    for t, th in enumerate(program.threads):
        end = -1
        for pc, i in enumerate(th.code):
            if type(i) is ir.AtomicBegin:
                end = max(end, i.end)
            inside = pc < end
            slots: list = []
            if type(i) in (ir.Read, ir.Write, ir.Rmw):
                slots = range(i.var.base, i.var.base + i.var.size)
                table = atomic if inside or i.var.atomic or type(i) is ir.Rmw else plain
            elif type(i) is ir.MapOp:  # a map: its block of buckets (explore/maps.py)
                slots = range(i.map.loc, i.map.loc + 2 * i.map.buckets)
                table = atomic if inside else plain
            elif type(i) is ir.Assume:
                slots = [k for lo, hi in i.reads for k in range(lo, hi)]
                table = atomic if inside else plain
            for k in slots:
                table.setdefault(k, set()).add(t)
    slot_names = {k: v.name for v in program.vars.values() for k in range(v.base, v.base + v.size)}
    slot_names.update((k, mv.name) for mv in program.maps.values() for k in range(mv.loc, mv.loc + 2 * mv.buckets))
    learner = next((i for th in program.threads for i in th.code if learns_without_edge(i)), None)
    task = next((th for th in program.threads if th.loop is not None), None)
    gaps = {}
    for p in (q for q in program.properties if q.kind == "race"):
        if task is not None:  # the loop orders its tasks' steps: a pair pending together may not race
            gaps[p] = (f"{p.text} (line {p.pos.line}) is not decided by the stateful search: the steps of "
                       f"the tasks of an event loop ('{task.name}') are ordered by the loop, which its test "
                       "does not follow (the stateless search, used for models whose executions end, decides it)")
            continue
        if learner is not None:  # a failed try sees that another thread took the resource: no edge
            gaps[p] = (f"{p.text} (line {p.pos.line}) is not decided by the stateful search: "
                       f"'{learner.src.text}' (line {learner.src.pos.line}) learns an order that happens-before "
                       "does not record (the stateless search, used for models whose executions end, decides it)")
            continue
        for k, who in sorted(plain.items()):
            both = who | atomic.get(k, set())
            if len(both) < 2:
                continue
            if k in atomic:
                why = f"'{slot_names[k]}' is accessed both atomically and plainly"
            elif k not in p.slots:
                why = f"'{slot_names[k]}' is shared plainly and not watched"
            else:
                continue
            gaps[p] = (f"{p.text} (line {p.pos.line}) is not decided by the stateful search: {why} "
                       "(a race there can hide one it watches; the stateless search, used for models "
                       "whose executions end, decides it)")
            break
    return gaps
