"""Stateful search: every state reached is stored under its key and expanded once.

Two states with equal keys have the same future (the key holds memory, sync objects, thread
pcs, live locals and the path condition: everything a step reads), so when the full search
ends every reachable state has been checked: `always` in each, `final` in each finished one,
deadlock in each stuck one, and every step's assertions and runtime checks (a failing check
is a step into an error). That is a complete proof even for threads that never stop; the
reduced search below stores fewer states and reaches the same verdicts.

* `reduce=False`: breadth-first, every enabled thread from every state. The first
  counterexample is a shortest one. For loop-free models the state graph is acyclic and the
  number of complete executions (maximal interleavings) is counted exactly by summing paths
  over it, without running them one by one.
* `reduce=True`: depth-first (`DepthFirst`, checker/explore/depth_first.py), and each new
  state expands only a *persistent set* of its enabled threads when one qualifies
  (`checker/explore/persistent.py`), so states are saved, not only transitions: Peled's
  ample-set conditions C0-C3 (Godefroid 1996, ch. 4-6).
  C0: the set is not empty. C1: it is a stubborn set of threads closed under the static
  table of what every other thread may still touch. C2: if it is not every enabled thread,
  none of its steps writes a slot an `always` property reads or moves a thread an `at()`
  reads. C3 (cycle proviso, static form): if it is not every enabled thread, none of its
  steps may take a loop's back edge, so every cycle of the explored graph passes through a
  state expanded in full. On top, here: none of its steps may run an `assume`, and every one
  of them has a successor and no violation or cut among its outcomes; else the next
  candidate is tried, and the state is expanded in full when none is left. No sleep sets.
  `always`, `final`, assertions, runtime checks, lock misuse, deadlocks and cuts reach the
  same verdicts as the full search (docs/soundness.md; tests/test_stateful_reduction.py).

If the state budget (`max_states`) runs out, the space may be infinite. The search restarts
with loop counters in the key and cuts any step that takes a thread's loop past `loop_bound`
iterations: it covers exactly the executions in which no thread loops more than the bound,
and the result is labelled bounded.
"""
from __future__ import annotations

from collections import deque

from checker.explore.budget import OVERFLOW, Budget, Exhausted
from checker.explore.monitors import on_final, on_state, on_stuck
from checker.explore.start import initial
from checker.explore.dependence import Dependence
from checker.explore.depth_first import DepthFirst
from checker.explore.persistent import Persistent
from checker.explore.race_states import pending_race, stateful_gaps
from checker.explore.races import Watch
from checker.explore.search import Exploration, Found, Schedule, Stats, properties
from checker.explore.semantics import Engine, enabled, stuck
from checker.explore.state import live as live_threads
from checker.symbolic.values import Overflow
from checker.symbolic.values import show


class _Stop(Exception):
    pass


class _Path:
    """The path to a stored state, rebuilt from parent links only when a violation needs it."""

    def __init__(self, search: "Stateful", key):
        self.search, self.key = search, key

    def steps(self) -> list:
        return self.search.path_to(self.key)

    def __add__(self, more: list) -> list:
        return self.steps() + more


class Stateful(DepthFirst):
    def __init__(self, engine: Engine, budget: Budget, loop_bound: int, reduce: bool = True,
                 count_paths: bool = False, keep_going: bool = False, every_property: bool = False):
        """keep_going, every_property: as for `Dpor`."""
        self.keep_going = keep_going
        self.goal = {p[0] for p in properties(engine.program)} if every_property else None
        self.e = engine
        self.budget = budget
        self.loop_bound = loop_bound
        self.reduce = reduce
        self.count_paths = count_paths and not reduce
        self.n = len(engine.program.threads)
        self.persistent = Persistent(engine, Dependence(engine.program, observe=False))
        self.races = Watch(engine.program, self.persistent.dep)  # `no_race`: checked in every state
        self.stats = Stats()
        self.result = Exploration("stateful, persistent sets" if reduce else "stateful, every interleaving",
                                  self.stats)
        self.visited: dict = {}
        self.deadlock_keys: set = set()  # the keys of the deadlocked states met (cross-checks)
        self.reduced = 0  # states expanded with a proper persistent subset of their enabled threads

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
                self.stats = self.result.stats = Stats()
                # like the statistics, what keep_going gathered describes the bounded search
                # only (the abandoned one met an order-dependent part of the space)
                for gathered in (self.result.violations, self.result.finals, self.result.deadlocks):
                    gathered.clear()
                self.e.loop_bound = self.loop_bound
                self.search(bounded=True)
        except _Stop:
            pass
        except Exhausted as x:
            self.result.exhausted = x.reason
        except Overflow:
            self.result.exhausted = OVERFLOW
        for prop, why in stateful_gaps(self.e.program).items():  # `no_race` where its test may miss a race
            if (prop.kind, prop.pos.line, prop.pos.col) not in self.result.findings:
                self.result.undecided[(prop.kind, prop.pos.line, prop.pos.col)] = why
        for leak in self.e.program.leaks:  # states merge executions: what each observer saw is lost
            self.result.undecided[("leak", leak.pos.line, leak.pos.col)] = (
                f"{leak.text} (line {leak.pos.line}) is not decided: the stateful search "
                "(loops, or --no-reduction) does not keep what the observers saw")
        self.stats.solver_calls = self.e.solver.calls
        self.result.unknowns = list(dict.fromkeys(self.e.unknowns))
        return self.result

    def search(self, bounded: bool) -> None:
        self.bounded = bounded
        self.terminal_states = 0
        self.terminal_keys: set = set()
        self.visited = {}
        self.deadlock_keys = set()
        self.reduced = 0
        if self.reduce:
            self.depth_first()
        else:
            self.breadth_first()

    # -- what is checked when a state is first stored --------------------------------------
    def arrive(self, s, path, key=None) -> list[int]:
        """Count and check a new state; returns its enabled threads (empty: terminal)."""
        e, stats = self.e, self.stats
        stats.states += 1
        self.budget.tick(stats)
        if self.budget.max_states is not None and stats.states > self.budget.max_states:
            raise Exhausted(f"state budget: {self.budget.max_states} states (--max-states)")
        for v in on_state(e, s):  # with keep_going the search goes on past a state that breaks `always`
            self.found(v, path)
        live = live_threads(s)
        if not live:
            self.terminals(stats, key)
            if self.keep_going:
                self.result.finals.add(tuple(show(x) for x in s.M))
            for v in on_final(e, s):
                self.found(v, path)
            return []
        en = [t for t in live if enabled(e, s, t)]
        if self.races and len(en) > 1 and any(self.unfound(p) for p in self.races.props):
            got = pending_race(e, self.persistent.dep, self.races, s, en, self.unfound)
            for v in got[0] if got else ():  # two racing steps can run next: the schedule ends with them
                self.found(v, path + got[1])
        if stuck(e, s, en):
            self.terminals(stats, key)
            self.deadlock_keys.add(key if key is not None else s.key(self.bounded))
            if self.keep_going:
                self.result.deadlocks.add(tuple(show(x) for x in s.M))
            self.found(on_stuck(e, s), path)
        return en

    def unfound(self, prop) -> bool:
        """Is this property still without a counterexample (or are all violations wanted)?"""
        return self.keep_going or (prop.kind, prop.pos.line, prop.pos.col) not in self.result.findings

    def outcomes(self, s, t, path) -> tuple[list, bool]:
        """The successors of thread t's step, and whether the step is *clean*: it has at least
        one, and no outcome is a violation or a cut. Violations and cuts are recorded here (a
        violation ends the search unless keep_going)."""
        kids, clean = [], True
        for o in self.e.step(s, t):
            self.stats.steps += 1
            if o.violation is not None:
                clean = False
                self.result.truncate(o.violation)
                self.found(o.violation, path + [(t, o.choices)])
            elif o.cut is not None:
                clean = False
                self.stats.cuts += 1
                self.result.cut = self.result.cut or o.cut
            else:
                kids.append(o)
        return kids, clean and bool(kids)

    def terminals(self, stats: Stats, k) -> None:
        """A finished or deadlocked state. Counted as an execution, except where executions are
        counted as paths at the end; --max-executions applies to terminal states either way."""
        self.terminal_states += 1
        if self.count_paths:
            self.terminal_keys.add(k)
        if not self.count_paths:
            stats.executions += 1
        limit = self.budget.max_executions
        if limit is not None and self.terminal_states > limit:
            raise Exhausted(f"execution budget: {limit} executions explored (--max-executions)")

    # -- breadth-first, every interleaving -------------------------------------------------
    def breadth_first(self) -> None:
        parent = self.visited  # key -> (parent key, (thread, choices)) ; roots -> (None, start)
        edges: dict = {}
        queue: deque = deque()
        for state, start in self.starts():
            k = state.key(self.bounded)
            if k not in parent:
                parent[k] = (None, start, state)
                queue.append((state, k))
        roots = [k for k, (up, _, _) in parent.items() if up is None]
        while queue:
            s, k = queue.popleft()
            path = _Path(self, k)
            children = edges.setdefault(k, []) if self.count_paths else None
            for t in self.arrive(s, path, k):
                kids, _ = self.outcomes(s, t, path)
                self.stats.transitions += len(kids)
                for o in kids:
                    ck = o.state.key(self.bounded)
                    if children is not None:
                        children.append(ck)
                    if ck not in parent:
                        parent[ck] = (k, (t, o.choices), o.state)
                        queue.append((o.state, ck))
        if self.count_paths:
            self.stats.executions = count_paths(roots, edges, self.terminal_keys)

    def path_to(self, k) -> list:
        """The steps from the initial state to the state stored under k (breadth-first)."""
        steps = []
        while True:
            up, how, _ = self.visited[k]
            if up is None:
                self.start = how
                return list(reversed(steps))
            steps.append(how)
            k = up

    def found(self, violation, path) -> None:
        steps = tuple(path.steps() if isinstance(path, _Path) else path)
        if self.result.record(Found(violation, Schedule(self.start, steps))) and not self.keep_going and (
                self.goal is None or self.goal <= self.result.findings.keys()):
            raise _Stop()

    def starts(self):
        """The initial states; start-up work that failed a check or was cut is reported here."""
        for state, start, bad in initial(self.e):
            self.start = start
            if bad is None:
                yield state, start
            elif bad.violation:
                self.result.truncate(bad.violation)
                self.found(bad.violation, [])
            else:
                self.stats.cuts += 1
                self.result.cut = self.result.cut or bad.cut


def count_paths(roots: list, edges: dict, terminal: set) -> int:
    """Paths from the roots to terminal (finished or deadlocked) states of an acyclic graph,
    children listed with multiplicity; a path that ends elsewhere (`assume`) is no execution."""
    memo: dict = {}
    for root in roots:
        stack = [root]
        while stack:
            k = stack[-1]
            if k in memo:
                stack.pop()
                continue
            kids = edges.get(k, [])
            todo = [c for c in kids if c not in memo]
            if todo:
                stack.extend(todo)
                continue
            stack.pop()
            memo[k] = sum(memo[c] for c in kids) if kids else int(k in terminal)
    return sum(memo[r] for r in roots)
