"""Stateful breadth-first search, for models whose threads loop.

Every reachable state is stored under its key (memory, sync objects, thread pcs, locals,
path condition); a state met again is not expanded again. Two states with equal keys have
the same future (the key holds everything a step reads), so when the queue empties every
reachable state has been checked: `always` in each, `final` in each finished one, deadlock in
each stuck one, and every step's assertions and runtime checks. That is a complete proof even
for threads that never stop. Breadth-first order makes the first counterexample a shortest
one.

If the state budget (`max_states`) runs out, the reachable space may be infinite. The search
restarts with the loop bound: loop counters become part of the key and a step that would take
a thread's loop past `loop_bound` iterations is cut. That search covers exactly the executions
in which no thread loops more than the bound; its result is labelled bounded.

With `reduce=True`, `any` ranges under 64 values are enumerated (concrete states repeat;
symbolic draws would be fresh constants every time).
"""
from __future__ import annotations

from collections import deque

from checker.explore.checks import check_always, check_final, deadlock, finished, initial
from checker.explore.search import Budget, Exhausted, Exploration, Found, Schedule, Stats
from checker.explore.semantics import Engine, enabled
from checker.explore.state import DONE


class _Stop(Exception):
    pass


class Stateful:
    def __init__(self, engine: Engine, budget: Budget, loop_bound: int):
        self.e = engine
        self.budget = budget
        self.loop_bound = loop_bound
        self.n = len(engine.program.threads)
        self.stats = Stats()
        self.result = Exploration("stateful", self.stats)

    def run(self) -> Exploration:
        try:
            try:
                self.search(bounded=False)
            except Exhausted as x:
                if not x.reason.startswith("state budget"):
                    raise
                self.result.notes.append(
                    f"the state space did not fit in {self.budget.max_states} states; searched again "
                    f"with every loop bounded at {self.loop_bound} iterations")
                self.stats.states = self.stats.transitions = 0
                self.e.loop_bound = self.loop_bound
                self.search(bounded=True)
        except _Stop:
            pass
        except Exhausted as x:
            self.result.exhausted = x.reason
        self.stats.solver_calls = self.e.solver.calls
        self.result.unknowns = list(dict.fromkeys(self.e.unknowns))
        return self.result

    def search(self, bounded: bool) -> None:
        e, stats = self.e, self.stats
        parent: dict = {}  # key -> (parent key, (thread, choices)) ; roots -> (None, start choices)
        queue: deque = deque()
        for state, start, bad in initial(e):
            if bad is not None:
                self.found(bad.violation, bad.cut, parent, None, start, None)
                continue
            k = state.key(bounded)
            if k not in parent:
                parent[k] = (None, start)
                queue.append((state, k))
        while queue:
            s, k = queue.popleft()
            stats.states += 1
            self.budget.tick(stats)
            if self.budget.max_states is not None and stats.states > self.budget.max_states:
                raise Exhausted(f"state budget: {self.budget.max_states} states (--max-states)")
            v = check_always(e, s)
            if v:
                self.found(v, None, parent, k, None, None)
            live = [t for t in range(self.n) if s.T[t].status != DONE]
            if not live:
                stats.executions += 1
                v = check_final(e, s)
                if v:
                    self.found(v, None, parent, k, None, None)
                continue
            en = [t for t in live if enabled(e, s, t)]
            if not en:
                stats.executions += 1
                self.found(deadlock(e, s), None, parent, k, None, None)
            for t in en:
                for o in e.step(s, t):
                    stats.steps += 1
                    if o.violation is not None or o.cut is not None:
                        self.found(o.violation, o.cut, parent, k, None, (t, o.choices))
                        continue
                    stats.transitions += 1
                    ck = o.state.key(bounded)
                    if ck not in parent:
                        parent[ck] = (k, (t, o.choices))
                        queue.append((o.state, ck))

    def found(self, violation, cut, parent: dict, k, start, last) -> None:
        if violation is None:
            self.stats.cuts += 1
            self.result.cut = self.result.cut or cut
            return
        steps = [last] if last is not None else []
        while k is not None:
            up, how = parent[k]
            if up is None:
                start = how
            else:
                steps.append(how)
            k = up
        self.result.found = Found(violation, Schedule(start, tuple(reversed(steps))))
        raise _Stop()
