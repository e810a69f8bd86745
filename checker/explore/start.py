"""Where executions begin: the inputs as z3 constants, and the initial states.

`initial` builds the state before any step: inputs as z3 constants (or the concrete values
of a replay), shared memory, sync objects (each primitive's `initial`), locals; then each
thread's local work up to its first visible instruction (which may already fork or fail).
"""
from __future__ import annotations

from checker.explore.semantics import Engine
from checker.explore.state import NEW, RUN, Outcome, State, Thread
from checker.primitives import SYNC
from checker.program.model import Program
from checker.symbolic import values as V


class View:
    """What closures see: memory, thread states, locals, the obligation list, and the run's
    array terms (`terms.Terms`, for a cell read at a symbolic index)."""

    __slots__ = ("M", "T", "L", "ob", "terms", "seen", "Y")

    def __init__(self, M, T=(), L=(), terms=None, seen=None, Y=()):
        self.M, self.T, self.L, self.ob, self.terms, self.Y = M, T, L, [], terms, Y
        self.seen = seen  # `no_leak`: the observers' input reads in `locals:` initial values


def input_symbols(program: Program, ctx=None) -> tuple[dict, list]:
    """z3 constants for the inputs (in the run's context `ctx`), and their range constraints."""
    symbols, base = {}, []
    for inp in program.inputs:
        sym = V.bool_var(inp.name, ctx) if inp.type == "bool" else V.int_var(inp.name, ctx)
        symbols[inp.name] = sym
        if inp.lo is not None:
            base.append(V.and_(V.compare(">=", sym, inp.lo), V.compare("<=", sym, inp.hi)))
    return symbols, base


def initial(e: Engine, replay: list | None = None) -> list[tuple[State, tuple, Outcome | None]]:
    """The initial states: (state, per-thread start choices, a failing outcome or None)."""
    return [(s, c, bad) for s, c, bad, _ in starts(e, replay)]


def starts(e: Engine, replay: list | None = None) -> list[tuple[State, tuple, Outcome | None, tuple]]:
    """The initial states as `initial` gives them, each with what `no_leak` observers saw on the
    way (inputs read by `locals:` initial values and by start-up local work: ((channel, v), ...))."""
    p = e.program
    seen: list | None = [] if e.watch else None
    M: list = []
    for inp in p.inputs:
        M.append(e.values[inp.name] if e.values is not None else e.symbols[inp.name])
    M.extend([None] * (len(p.slots) - len(M)))
    view = View(M, terms=e.solver.terms)
    for slot, fn in p.init:
        M[slot] = fn(view)
    Y = [SYNC[obj.kind].initial(obj) for obj in p.syncs]
    T = []
    for th in p.threads:
        L = [None] * len(th.local_names)
        lv = View(M, L=L, terms=e.solver.terms, seen=seen)
        for k, fn in th.local_init:
            L[k] = fn(lv)
        T.append(Thread(0, NEW if th.spawned else RUN, tuple(L), 0, 0))  # a spawned thread waits for its spawn
    states = [(State(tuple(M), tuple(Y), tuple(T), ()), (), tuple(seen or ()))]
    ended = []  # start-up branches that failed a check or were cut: they go no further
    for t in range(len(p.threads)):
        nxt = []
        for s, choices, obs in states:
            want = replay[t] if replay is not None else None
            for o in e.start(s, t, list(want) if want is not None else None):
                if o.violation is not None or o.cut is not None:  # the later threads never start
                    rest = ((),) * (len(p.threads) - t - 1)
                    ended.append((o.state, choices + (o.choices,) + rest, o, obs + o.seen))
                else:
                    nxt.append((o.state, choices + (o.choices,), obs + o.seen))
        states = nxt
    return ended + [(s, c, None, obs) for s, c, obs in states]
