"""Stateful search: every reachable state is stored under its key and expanded once.

Two states with equal keys have the same future (the key holds memory, sync objects, thread
pcs, live locals and the path condition: everything a step reads), so when the search ends
every reachable state has been checked: `always` in each, `final` in each finished one,
deadlock in each stuck one, and every step's assertions and runtime checks (a failing check
is a step into an error). That is a complete proof even for threads that never stop.

* `reduce=False`: breadth-first, every enabled thread from every state. The first
  counterexample is a shortest one. For loop-free models the state graph is acyclic and the
  number of complete executions (maximal interleavings) is counted exactly by summing paths
  over it, without running them one by one.
* `reduce=True`: depth-first with sleep sets and state caching (Godefroid 1996, ch. 5). A
  thread whose step was explored from an ancestor, and that nothing dependent has happened
  to since, is asleep and not explored again. Each state remembers the sleep set it was
  expanded with; a revisit with fewer sleepers expands the threads that were asleep before
  and are not now. Sleep sets never prune a state, only transitions, so the same set of
  states is visited as without reduction (tested against it: tests/test_soundness.py).

If the state budget (`max_states`) runs out, the space may be infinite. The search restarts
with loop counters in the key and cuts any step that takes a thread's loop past `loop_bound`
iterations: it covers exactly the executions in which no thread loops more than the bound,
and the result is labelled bounded.
"""
from __future__ import annotations

from collections import deque

from checker.explore.checks import check_always, check_final, deadlock, initial
from checker.explore.dependence import Dependence, dependent
from checker.explore.search import OVERFLOW, Budget, Exhausted, Exploration, Found, Schedule, Stats
from checker.explore.semantics import Engine, enabled, stuck
from checker.explore.state import DONE
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


class _Frame:
    __slots__ = ("state", "todo", "sleep", "depth", "children", "current", "access")

    def __init__(self, state, todo, sleep, depth):
        self.state, self.todo, self.sleep, self.depth = state, todo, sleep, depth
        self.children: list = []
        self.current = None
        self.access = ()


class Stateful:
    def __init__(self, engine: Engine, budget: Budget, loop_bound: int, reduce: bool = True,
                 count_paths: bool = False, keep_going: bool = False):
        self.keep_going = keep_going
        self.e = engine
        self.budget = budget
        self.loop_bound = loop_bound
        self.reduce = reduce
        self.count_paths = count_paths and not reduce
        self.n = len(engine.program.threads)
        self.dep = Dependence(engine.program, observe=False)
        self.stats = Stats()
        self.result = Exploration("stateful, sleep sets" if reduce else "stateful, every interleaving", self.stats)
        self.visited: dict = {}

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
                self.e.loop_bound = self.loop_bound
                self.search(bounded=True)
        except _Stop:
            pass
        except Exhausted as x:
            self.result.exhausted = x.reason
        except Overflow:
            self.result.exhausted = OVERFLOW
        self.stats.solver_calls = self.e.solver.calls
        self.result.unknowns = list(dict.fromkeys(self.e.unknowns))
        return self.result

    def search(self, bounded: bool) -> None:
        self.bounded = bounded
        self.terminal_states = 0
        self.terminal_keys: set = set()
        self.visited = {}
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
        v = check_always(e, s)
        if v:  # with keep_going the search goes on past a state that breaks `always`
            self.found(v, path)
        live = [t for t in range(self.n) if s.T[t].status != DONE]
        if not live:
            self.terminals(stats, key)
            if self.keep_going:
                self.result.finals.add(tuple(show(x) for x in s.M))
            v = check_final(e, s)
            if v:
                self.found(v, path)
            return []
        en = [t for t in live if enabled(e, s, t)]
        if stuck(s, en):
            self.terminals(stats, key)
            self.found(deadlock(e, s), path)
        return en

    def outcomes(self, s, t, path):
        """The successors of thread t's step; violations end the search, cuts are recorded."""
        for o in self.e.step(s, t):
            self.stats.steps += 1
            if o.violation is not None:
                self.found(o.violation, path + [(t, o.choices)])
                continue
            if o.cut is not None:
                self.stats.cuts += 1
                self.result.cut = self.result.cut or o.cut
                continue
            self.stats.transitions += 1
            yield o

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
                for o in self.outcomes(s, t, path):
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

    # -- depth-first with sleep sets and state caching -------------------------------------
    def depth_first(self) -> None:
        e, dep = self.e, self.dep
        for state, start in self.starts():
            path: list = []
            stack = [f for f in [self.enter(state, {}, path)] if f]
            while stack:
                f = stack[-1]
                if f.children:  # the outcomes of the thread being explored, one by one
                    child, t, choices, sleep = f.children.pop()
                    del path[f.depth:]
                    path.append((t, choices))
                    g = self.enter(child, sleep, path)
                    if g:
                        stack.append(g)
                    continue
                if f.current is not None:  # all of its outcomes done: it sleeps for the siblings
                    f.sleep[f.current] = f.access
                    f.current = None
                if not f.todo:
                    stack.pop()
                    continue
                t = f.todo.pop(0)
                A = dep.pending(e.code[t], f.state, t)
                del path[f.depth:]
                sleep = {q: a for q, a in f.sleep.items() if not dependent(a, A)}
                f.current, f.access = t, A
                f.children = [(o.state, t, o.choices, sleep) for o in self.outcomes(f.state, t, path)][::-1]

    def enter(self, s, sleep: dict, path: list):
        """Visit s with a sleep set; returns a frame if some thread is to be explored from it."""
        k = s.key(self.bounded)
        entry = self.visited.get(k)
        if entry is None:
            self.visited[k] = (frozenset(sleep), s)
            todo = [t for t in self.arrive(s, path) if t not in sleep]
        else:  # explored before with `old` asleep: explore now what was asleep then and is not now
            old = entry[0]
            todo = sorted(t for t in old if t not in sleep)
            self.visited[k] = (old & frozenset(sleep), s)
        return _Frame(s, todo, dict(sleep), len(path)) if todo else None

    def found(self, violation, path) -> None:
        if self.keep_going:  # the execution ends here; the search goes on
            self.result.violations.add((violation.kind, violation.line, violation.col))
            return
        steps = tuple(path.steps() if isinstance(path, _Path) else path)
        self.result.found = Found(violation, Schedule(self.start, steps))
        raise _Stop()

    def starts(self):
        """The initial states; start-up work that failed a check or was cut is reported here."""
        for state, start, bad in initial(self.e):
            self.start = start
            if bad is None:
                yield state, start
            elif bad.violation:
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
