"""The one place a search asks whether a property is broken (docs/semantics.md, "When
properties are checked"): `on_state` (every `always` property, in every state), `on_final` (every
`final` property, where all threads have finished), `on_stuck` (a deadlock: who waits for what).
Assertions, lock misuse and runtime errors are found by the step itself (`Engine.violate`).
`on_state` and `on_final` return every property broken, each as a `Violation` with a model of
the inputs; `on_stuck` describes the deadlock.
"""
from __future__ import annotations

from checker.explore import tasks
from checker.explore.semantics import Engine
from checker.explore.start import View
from checker.explore.state import DONE, NEW, SPIN, WAIT, State, Violation
from checker.primitives import SYNC, barrier
from checker.program import ir
from checker.program.ir import Fault
from checker.program.model import Property
from checker.symbolic.solver import Sat


def holds(e: Engine, s: State, prop: Property, decided=None) -> Violation | None:
    """Check a property in state s; a violation carries a model of the inputs. `decided(pid)`
    (optional): does that property (as `search.property_of` names it) have its counterexample
    already? Its solver work is then skipped: the search wants no second one; and when its
    evaluation cannot fault either (`Property.safe`), or runtime errors have their counterexample
    too, it is not evaluated at all (docs/soundness.md, "Properties already violated")."""
    if decided is not None and decided((prop.kind, prop.pos.line, prop.pos.col)) and (prop.safe or decided(("runtime",))):
        return None
    view = View(s.M, s.T, terms=e.solver.terms, Y=s.Y)
    try:
        v = prop.fn(view)
    except Fault as err:
        if decided is not None and decided(("runtime",)):
            return None
        return Violation("runtime", f"{err.message} in property '{prop.text}'", prop.text, prop.pos.line,
                         prop.pos.col, e.solver.model(s.pc, None, e.symbols) if e.values is None else None)
    # the runtime obligations of its evaluation first (a symbolic index in range, a map key
    # present), which fail as a runtime error, as a concrete fault does; then the property
    conds = [(c, why) for c, why, _ in view.ob] + [(v, None)]
    for c, why in conds:
        kind = prop.kind if why is None else "runtime"
        if decided is not None and decided((kind, prop.pos.line, prop.pos.col) if why is None else ("runtime",)):
            continue
        if type(c) is bool:
            if c:
                continue
            values = None if e.values is not None else (e.solver.model(s.pc, None, e.symbols) if e.symbols else {})
            message = f"{prop.kind} property '{prop.text}' is false" if why is None else f"{why} in property '{prop.text}'"
            return Violation(kind, message, prop.text, prop.pos.line, prop.pos.col, values)
        r = e.solver.check(s.pc, e.solver.terms.negate(c))
        if r is Sat.UNKNOWN:
            e.unknowns.append(f"solver returned unknown on property '{prop.text}'")
        elif r is Sat.SAT:
            message = f"{prop.kind} property '{prop.text}' can be false" if why is None else f"{why} in property '{prop.text}'"
            return Violation(kind, message, prop.text, prop.pos.line, prop.pos.col,
                             e.solver.model(s.pc, e.solver.terms.negate(c), e.symbols))
    return None


def check(e: Engine, s: State, kind: str, decided=None) -> list[Violation]:
    """Every property of this kind ('always' or 'final') that s breaks, one violation each (a
    state that breaks two properties is a counterexample to both: per-property verdicts);
    `decided` as in `holds`."""
    return [v for prop in e.program.properties if prop.kind == kind for v in [holds(e, s, prop, decided)] if v]


def on_state(e: Engine, s: State, decided=None) -> list[Violation]:
    """Every `always` property that s breaks."""
    return check(e, s, "always", decided)


def on_final(e: Engine, s: State, decided=None) -> list[Violation]:
    """Every `final` property that s (every thread finished) breaks."""
    return check(e, s, "final", decided)


def finished(s: State) -> bool:
    """Every thread has finished (or was never spawned)."""
    return all(t.status == DONE or t.status == NEW for t in s.T)


def on_stuck(e: Engine, s: State) -> Violation:
    """Describe a state where no thread can move: who waits for what, held by whom."""
    import networkx as nx  # here, not at the top: its import costs a run that never deadlocks 0.2 s

    p = e.program
    graph = nx.DiGraph()
    waits = []
    names = [th.name for th in p.threads]
    for t, ts in enumerate(s.T):
        if ts.status == DONE or ts.status == NEW:
            continue
        graph.add_node(names[t])
        if ts.status == WAIT and barrier.waits_at(e, t, ts) is not None:
            name, count, n = barrier.arrived(e, t, ts, s.Y)
            waits.append({"thread": names[t], "waits_for": f"barrier {name} ({count} of {n} arrived)",
                          "held_by": [], "kind": "barrier"})
            continue
        if ts.status == WAIT and tasks.ending(e, s, t):  # cancelled in a wait: it must take the mutex again
            ref = p.threads[t].code[ts.pc].mutex
            holder = s.Y[ref.id(ts.L)]
            waits.append({"thread": names[t], "waits_for": f"{p.syncs[ref.id(ts.L)].name} (cancelled: it takes it "
                          "again before it ends)", "held_by": [names[holder]] if holder >= 0 else [], "kind": "lock"})
            for h in ([holder] if holder >= 0 else []):
                graph.add_edge(names[t], names[h], resource=p.syncs[ref.id(ts.L)].name)
            continue
        if ts.status == WAIT:
            cv = p.threads[t].code[ts.pc].cv
            waits.append({"thread": names[t], "waits_for": f"a signal on {cv.name}", "held_by": [],
                          "kind": "condition"})
            continue
        if ts.status == SPIN:
            spin = next(j for j in p.threads[t].code[ts.pc:] if isinstance(j, ir.Spin))
            cond = spin.src.text.removeprefix("while ").strip()
            waits.append({"thread": names[t], "waits_for": f"'{cond}' to become false",
                          "held_by": [], "kind": "spin"})
            continue
        loop = e.loops[t]
        if loop is not None and s.Y[loop][0] not in (-1, t):  # a task: another task runs its loop
            runs = names[s.Y[loop][0]]
            waits.append({"thread": names[t], "waits_for": f"event loop {p.syncs[loop].name}, which runs {runs}",
                          "held_by": [runs], "kind": "loop"})
            graph.add_edge(names[t], runs, resource=f"event loop {p.syncs[loop].name}")
            continue
        i = p.threads[t].code[ts.pc]
        holders: list[int] = []
        what = ""
        kind = "lock"
        if isinstance(i, (ir.SyncOp, ir.Reacquire)):
            ref = i.obj if isinstance(i, ir.SyncOp) else i.mutex
            k = ref.id(ts.L)
            obj, y = p.syncs[k], s.Y[k]
            what = obj.name
            holders = SYNC[obj.kind].holders(y)
            kind, what = SYNC[obj.kind].waits_for(obj, y, getattr(i, "op", "reacquire"))
        elif isinstance(i, ir.Join):
            u = i.target(ts.L)
            new = s.T[u].status == NEW
            kind, what, holders = "join", f"{names[u]} to finish" + (" (never spawned)" if new else ""), [] if new else [u]
        waits.append({"thread": names[t], "waits_for": what, "held_by": [names[h] for h in holders], "kind": kind})
        for h in holders:
            graph.add_edge(names[t], names[h], resource=what)
    cycle = []
    try:
        cycle = [(a, b, graph.edges[a, b]["resource"]) for a, b in nx.find_cycle(graph)]
    except nx.NetworkXNoCycle:
        pass
    if cycle:
        message = "deadlock: a cycle of waits: " + "; ".join(
            f"{a} waits for {r}" + ("" if r.endswith("to finish") else f" held by {b}") for a, b, r in cycle)
    elif all(w["kind"] == "spin" for w in waits):
        message = "deadlock: spins forever: " + "; ".join(
            f"{w['thread']} waits for {w['waits_for']}, and no thread will change it"
            for w in waits)
    elif any(w["kind"] == "condition" for w in waits):
        sleepers = [w["thread"] for w in waits if w["kind"] == "condition"]
        message = (f"deadlock: lost wake-up: {', '.join(sleepers)} "
                   f"{'sleeps' if len(sleepers) == 1 else 'sleep'} on a condition that no thread will signal")
    else:  # "a waits for m held by b", "c waits at barrier b (2 of 3 arrived)"
        message = "deadlock: " + "; ".join(
            f"{w['thread']} waits {'at' if w['kind'] == 'barrier' else 'for'} {w['waits_for']}"
            + (f" held by {', '.join(w['held_by'])}" if w["held_by"] and w["kind"] not in ("join", "loop") else "")
            for w in waits)
    values = None if e.values is not None else (e.solver.model(s.pc, None, e.symbols) if e.symbols else {})
    first = next(w["thread"] for w in waits)
    t = names.index(first)
    pc = min(s.T[t].pc, len(p.threads[t].code) - 1)
    if s.T[t].status == WAIT:
        pc -= 1  # asleep: point at the `wait`, not at the re-acquisition after it
    src = p.threads[t].code[pc].src
    return Violation("deadlock", message, src.text, src.pos.line, src.pos.col, values,
                     {"waits": waits, "cycle": [{"thread": a, "waits_for": r, "held_by": b} for a, b, r in cycle]})
