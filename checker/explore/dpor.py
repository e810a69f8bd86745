"""Stateless search over schedules: dynamic partial-order reduction, or every interleaving.

With `reduce=True` this is the algorithm of Flanagan and Godefroid (POPL 2005) with sleep sets:
at each state, for every thread p, the latest earlier step e that is dependent with p's
pending step, may be enabled together with it, and does not happen before p (vector clocks)
is a race; p (or, if p was disabled there, every enabled thread) joins the backtrack set of
the state before e. Sleep sets keep a thread asleep after its step was explored from an
ancestor until a dependent step wakes it, so no two complete executions explored are
equivalent. With `reduce=False` every enabled thread is explored at every state.

Soundness (docs/soundness.md): for every execution of the model, an equivalent one (same
steps, dependent steps in the same order) is explored, hence the same assertion outcomes,
final states, deadlocks and, because steps that change what an `always` reads are dependent
on each other, the same values of every `always` along the way. Only loop-free programs come
here (every execution is finite); looping programs go to `stateful`.
"""
from __future__ import annotations

import sys

from checker.explore.checks import check_always, check_final, deadlock, initial
from checker.explore.dependence import Dependence, coenabled, dependent
from checker.explore.search import OVERFLOW, Budget, Exhausted, Exploration, Found, Schedule, Stats
from checker.explore.semantics import Engine, enabled, stuck
from checker.explore.state import DONE, State
from checker.symbolic.values import Overflow
from checker.symbolic.values import show


class _Stop(Exception):
    pass


class Node:
    __slots__ = ("state", "clock", "sleep", "backtrack", "done", "enabled")

    def __init__(self, state: State, clock: tuple, sleep: dict):
        self.state = state
        self.clock = clock  # per thread: the vector clock of its last step
        self.sleep = sleep  # thread -> accesses of its pending step
        self.backtrack: set[int] = set()
        self.done: set[int] = set()
        self.enabled: set[int] = set()


class Dpor:
    def __init__(self, engine: Engine, budget: Budget, reduce: bool = True, keep_going: bool = False):
        self.keep_going = keep_going
        self.e = engine
        self.budget = budget
        self.reduce = reduce
        self.dep = Dependence(engine.program)
        self.n = len(engine.program.threads)
        self.code = engine.code
        self.has_always = any(p.kind == "always" for p in engine.program.properties)
        self.stats = Stats()
        self.stack: list[Node] = []
        self.events: list = []  # (thread, accesses, vector clock, choices), events[i] left stack[i]
        self.result = Exploration("dpor" if reduce else "every interleaving", self.stats)

    def run(self) -> Exploration:
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 4 * self.budget.max_depth + 1000))
        try:
            for state, start, bad in initial(self.e):
                self.start = start
                if bad is not None:
                    self.report(bad.violation, bad.cut, [])
                    continue
                zero = (0,) * self.n
                root = Node(state, (zero,) * self.n, {})
                v = check_always(self.e, state) if self.has_always else None
                if v:
                    self.report(v, None, [])
                self.explore(root)
        except _Stop:
            pass
        except Exhausted as x:
            self.result.exhausted = x.reason
        except Overflow:
            self.result.exhausted = OVERFLOW
        finally:
            sys.setrecursionlimit(limit)
        self.result.unknowns = list(dict.fromkeys(self.e.unknowns))
        return self.result

    def report(self, violation, cut, extra_steps: list) -> None:
        steps = tuple((t, c) for t, _, _, c in self.events) + tuple(extra_steps)
        if violation is not None:
            if self.keep_going:  # the execution ends here; the search goes on
                self.result.violations.add((violation.kind, violation.line, violation.col))
                return
            self.result.found = Found(violation, Schedule(self.start, steps))
            raise _Stop()
        if cut is not None:
            self.stats.cuts += 1
            self.result.cut = self.result.cut or cut

    def explore(self, node: Node) -> None:
        e, s = self.e, node.state
        self.budget.tick(self.stats)
        if len(self.events) > self.budget.max_depth:
            raise Exhausted(f"depth budget: an execution longer than {self.budget.max_depth} steps")
        live = [t for t in range(self.n) if s.T[t].status != DONE]
        if not live:
            self.stats.executions += 1
            if self.keep_going:
                self.result.finals.add(tuple(show(x) for x in s.M))
            v = check_final(e, s)
            if v:
                self.report(v, None, [])
            return
        en = [t for t in live if enabled(e, s, t)]
        if stuck(s, en):
            self.stats.executions += 1
            self.report(deadlock(e, s), None, [])
            return
        node.enabled = set(en)
        pending = {t: self.dep.pending(self.code[t], s, t) for t in live}
        if self.reduce:
            self.races(node, live, pending)
            candidates = [t for t in en if t not in node.sleep]
            if not candidates:
                self.stats.blocked += 1
                return
            node.backtrack.add(candidates[0])
        else:
            node.backtrack = set(en)
        while True:
            todo = [t for t in node.backtrack if t not in node.done and t not in node.sleep]
            if not todo:
                return
            p = min(todo)
            node.done.add(p)
            self.step(node, p, pending[p])
            if self.reduce:
                node.sleep = {**node.sleep, p: pending[p]}

    def truncated(self, node: Node) -> None:
        """An execution ended early here (a violation, when the search goes on after it).
        Races beyond this point are never seen, so, as for a disabled thread, every enabled
        thread is explored from here."""
        node.backtrack |= node.enabled

    def races(self, node: Node, live: list, pending: dict) -> None:
        events, stack = self.events, self.stack
        for p in live:
            A = pending[p]
            Cp = node.clock[p]
            for i in range(len(events) - 1, -1, -1):
                q, B, vc, _ = events[i]
                if q == p or vc[q] <= Cp[q]:
                    continue  # p's own step, or one that happens before p
                if dependent(B, A) and coenabled(B, A):
                    before = stack[i]
                    if p in before.enabled:
                        before.backtrack.add(p)
                    else:
                        before.backtrack |= before.enabled
                    break

    def step(self, node: Node, p: int, A: tuple) -> None:
        e = self.e
        outcomes = e.step(node.state, p)
        self.stats.solver_calls = e.solver.calls
        if not outcomes:
            # p's step was discarded by `assume` on every path: like a disabled thread, the
            # others must be explored from here.
            self.stats.assumed += 1
            self.truncated(node)
            return
        vc = list(node.clock[p])
        for q, B, vq, _ in self.events:
            if q != p and dependent(B, A):
                vc = [max(a, b) for a, b in zip(vc, vq)]
        vc[p] += 1
        vc = tuple(vc)
        clock = node.clock[:p] + (vc,) + node.clock[p + 1:]
        sleep = {q: a for q, a in node.sleep.items() if not dependent(a, A)} if self.reduce else {}
        for o in outcomes:
            self.stats.steps += 1
            if o.violation is not None or o.cut is not None:
                self.report(o.violation, o.cut, [(p, o.choices)])
                self.truncated(node)
                continue
            self.stack.append(node)
            self.events.append((p, A, vc, o.choices))
            try:
                if self.has_always and any(a.lo == self.dep.obs for a in A):
                    v = check_always(e, o.state)
                    if v:  # with keep_going the execution goes on past a state that breaks `always`
                        self.report(v, None, [])
                self.explore(Node(o.state, clock, dict(sleep)))
            finally:
                self.stack.pop()
                self.events.pop()

