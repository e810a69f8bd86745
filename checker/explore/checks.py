"""Where executions begin and what is checked in a state: `always`, `final`, deadlock.

`initial` builds the state before any step: inputs as z3 constants (or the concrete values
of a replay), shared memory, sync objects, locals; then each thread's local work up to its
first visible instruction (which may already fork or fail).
"""
from __future__ import annotations

import networkx as nx

from checker.explore.semantics import Engine
from checker.explore.state import DONE, RUN, SPIN, WAIT, Outcome, State, Thread, Violation
from checker.program import ir
from checker.program.ir import Fault
from checker.symbolic import values as V
from checker.symbolic.solver import Sat


class View:
    """What closures see: memory, thread states, locals, the obligation list, and the run's
    array terms (`values.Terms`, for a cell read at a symbolic index)."""

    __slots__ = ("M", "T", "L", "ob", "terms")

    def __init__(self, M, T=(), L=(), terms=None):
        self.M, self.T, self.L, self.ob, self.terms = M, T, L, [], terms


def input_symbols(program: ir.Program) -> tuple[dict, list]:
    """z3 constants for the inputs, and their range constraints."""
    symbols, base = {}, []
    for inp in program.inputs:
        sym = V.bool_var(inp.name) if inp.type == "bool" else V.int_var(inp.name)
        symbols[inp.name] = sym
        if inp.lo is not None:
            base.append(V.and_(V.compare(">=", sym, inp.lo), V.compare("<=", sym, inp.hi)))
    return symbols, base


def initial(e: Engine, replay: list | None = None) -> list[tuple[State, tuple, Outcome | None]]:
    """The initial states: (state, per-thread start choices, a failing outcome or None)."""
    p = e.program
    M: list = []
    for inp in p.inputs:
        M.append(e.values[inp.name] if e.values is not None else e.symbols[inp.name])
    M.extend([None] * (len(p.slots) - len(M)))
    view = View(M, terms=e.solver.terms)
    for slot, fn in p.init:
        M[slot] = fn(view)
    Y = []
    for obj in p.syncs:
        Y.append({"mutex": -1, "rwlock": (-1, ()), "semaphore": obj.permits}.get(obj.kind, 0))
    T = []
    for th in p.threads:
        L = [None] * len(th.local_names)
        lv = View(M, L=L, terms=e.solver.terms)
        for k, fn in th.local_init:
            L[k] = fn(lv)
        T.append(Thread(0, RUN, tuple(L), 0, 0))
    states = [(State(tuple(M), tuple(Y), tuple(T), ()), ())]
    ended = []  # start-up branches that failed a check or were cut: they go no further
    for t in range(len(p.threads)):
        nxt = []
        for s, choices in states:
            want = replay[t] if replay is not None else None
            for o in e.start(s, t, list(want) if want is not None else None):
                if o.violation is not None or o.cut is not None:
                    ended.append((o.state, choices + (o.choices,), o))
                else:
                    nxt.append((o.state, choices + (o.choices,)))
        states = nxt
    return ended + [(s, c, None) for s, c in states]


def holds(e: Engine, s: State, prop: ir.Property) -> Violation | None:
    """Check a property in state s; a violation carries a model of the inputs."""
    view = View(s.M, s.T, terms=e.solver.terms)
    try:
        v = prop.fn(view)
    except Fault as err:
        return Violation("runtime", f"{err.message} in property '{prop.text}'", prop.text, prop.pos.line,
                         prop.pos.col, e.solver.model(s.pc, None, e.symbols) if e.values is None else None)
    conds = [c for c, _, _ in view.ob] + [v]
    for c in conds:
        if type(c) is bool:
            if c:
                continue
            values = None if e.values is not None else (e.solver.model(s.pc, None, e.symbols) if e.symbols else {})
            return Violation(prop.kind, f"{prop.kind} property '{prop.text}' is false", prop.text, prop.pos.line,
                             prop.pos.col, values)
        r = e.solver.check(s.pc, e.solver.terms.negate(c))
        if r is Sat.UNKNOWN:
            e.unknowns.append(f"solver returned unknown on property '{prop.text}'")
        elif r is Sat.SAT:
            return Violation(prop.kind, f"{prop.kind} property '{prop.text}' can be false", prop.text,
                             prop.pos.line, prop.pos.col, e.solver.model(s.pc, e.solver.terms.negate(c), e.symbols))
    return None


def check(e: Engine, s: State, kind: str) -> Violation | None:
    """The first property of this kind ('always' or 'final') that s breaks, if any."""
    for prop in e.program.properties:
        if prop.kind == kind:
            v = holds(e, s, prop)
            if v:
                return v
    return None


def check_always(e: Engine, s: State) -> Violation | None:
    return check(e, s, "always")


def check_final(e: Engine, s: State) -> Violation | None:
    return check(e, s, "final")


def finished(s: State) -> bool:
    return all(t.status == DONE for t in s.T)


def deadlock(e: Engine, s: State) -> Violation:
    """Describe a state where no thread can move: who waits for what, held by whom."""
    p = e.program
    graph = nx.DiGraph()
    waits = []
    names = [th.name for th in p.threads]
    for t, ts in enumerate(s.T):
        if ts.status == DONE:
            continue
        graph.add_node(names[t])
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
        i = p.threads[t].code[ts.pc]
        holders: list[int] = []
        what = ""
        kind = "lock"
        if isinstance(i, (ir.SyncOp, ir.Reacquire)):
            ref = i.obj if isinstance(i, ir.SyncOp) else i.mutex
            k = ref.id(ts.L)
            obj, y = p.syncs[k], s.Y[k]
            what = obj.name
            if obj.kind == "mutex":
                holders = [y] if y >= 0 else []
            elif obj.kind == "rwlock":
                holders = ([y[0]] if y[0] >= 0 else []) + list(y[1])
            else:
                kind, what = "semaphore", f"a permit of {obj.name}"
        elif isinstance(i, ir.Join):
            kind, what, holders = "join", f"{names[i.thread]} to finish", [i.thread]
        waits.append({"thread": names[t], "waits_for": what, "held_by": [names[h] for h in holders], "kind": kind})
        for h in holders:
            graph.add_edge(names[t], names[h], resource=what)
    cycle = []
    try:
        cycle = [(a, b, graph.edges[a, b]["resource"]) for a, b in nx.find_cycle(graph)]
    except nx.NetworkXNoCycle:
        pass
    if cycle:
        message = "deadlock: a cycle of waits: " + "; ".join(f"{a} waits for {r} held by {b}" for a, b, r in cycle)
    elif all(w["kind"] == "spin" for w in waits):
        message = "deadlock: spins forever: " + "; ".join(
            f"{w['thread']} waits for {w['waits_for']}, and no thread will change it"
            for w in waits)
    elif any(w["kind"] == "condition" for w in waits):
        sleepers = [w["thread"] for w in waits if w["kind"] == "condition"]
        message = (f"deadlock: lost wake-up: {', '.join(sleepers)} "
                   f"{'sleeps' if len(sleepers) == 1 else 'sleep'} on a condition that no thread will signal")
    else:
        message = "deadlock: " + "; ".join(
            f"{w['thread']} waits for {w['waits_for']}" + (f" held by {', '.join(w['held_by'])}" if w["held_by"] else "")
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
