"""Stateless search over schedules: Optimal DPOR with wake-up trees, or every interleaving.

With `reduce=True` this is Optimal-DPOR (Abdulla, Aronis, Jonsson, Sagonas, "Source Sets: A
Foundation for Optimal Dynamic Partial Order Reduction", JACM 64(4), 2017, Algorithm 2),
extended to blocking primitives. Each event (one step of one thread, with the outcome of its
internal forks) carries its accesses and a vector clock of happens-before. When an event e'
is executed, every earlier event e of another thread with which it is in a *race* (dependent,
not ordered through other events) yields a wake-up sequence v = notdep(e).e' (the events
between e and e' that do not happen after e, then e'); v is inserted into the wake-up tree of
the state before e unless a thread asleep there is a weak initial of v. A state's wake-up tree
is explored leftmost first; a thread whose event was explored from a state sleeps there until
a dependent event wakes it. So every Mazurkiewicz trace is explored exactly once.

Blocking (docs/soundness.md, "Blocking"): an acquire (lock, acquire, join, re-acquisition
after a wait) that another thread's release enabled is raced with the previous acquire of the
same object, looking through the release; a candidate reversal whose last event would be
disabled is not a race (checked by running it). Threads left unfinished when an execution ends
(deadlock, a violation with `keep_going`) contribute their pending event as a last event.

With `reduce=False` every enabled thread is explored at every state (the `enumerate` oracle
of the tests). Programs whose every execution is finite come here; a loop bound cuts an
execution (the verdict is then bounded).
"""
from __future__ import annotations

import sys

from checker.explore.budget import OVERFLOW, TICK_STEPS, Budget, Exhausted
from checker.explore.monitors import on_final, on_state, on_stuck
from checker.explore.happens import Monitor, adjacent
from checker.explore.races import Watch
from checker.explore.observe import Observations
from checker.explore.branches import Branches
from checker.explore.reversal import Reversal
from checker.explore.start import starts
from checker.explore.clock import History
from checker.explore.known import Known, capacity, concrete
from checker.explore.dependence import Dependence
from checker.explore.search import Exploration, Found, Schedule, Stats, properties, property_of
from checker.explore.semantics import Engine, enabled, stuck
from checker.explore.state import live as live_threads
from checker.explore.wakeup import Ended, Event, Node, key_of
from checker.symbolic.values import Overflow, show


class _Stop(Exception):
    pass


class Dpor(Reversal, Branches):
    def __init__(self, engine: Engine, budget: Budget, reduce: bool = True, keep_going: bool = False,
                 every_property: bool = False, stop_at_cut: bool = False, settle: bool = True,
                 remember: bool = True):
        """keep_going: never stop at a violation (and gather final states: the cross-checks);
        every_property: stop only once every property of the program has a counterexample;
        stop_at_cut: stop at the first execution a bound cuts (the caller searches again);
        settle: drop settled races (`reverse`); False reverses every race at every end;
        remember: keep what is computed per state value (known.py; concrete programs only).
        The tests compare the search with and without them."""
        self.settle = settle
        self.keep_going = keep_going
        self.stop_at_cut = stop_at_cut
        self.goal = {p[0] for p in properties(engine.program)} if every_property else None
        self.e = engine
        self.budget = budget
        self.reduce = reduce
        self.dep = Dependence(engine.program, spurious=engine.spurious)
        self.n = len(engine.program.threads)
        self.code = engine.code
        self.guarded = [t.guarded for t in engine.program.threads]  # per pc: may have no outcome
        self.can_vary = [any(v) for v in self.dep.varying]  # per thread: may a step's accesses vary (`varies`)
        self.has_always = any(p.kind == "always" for p in engine.program.properties)
        self.stats = Stats()
        self.tick_at = 0  # the step count at which the budgets are checked next (TICK_STEPS)
        self.stack: list[Node] = []  # stack[i]: the state before events[i]
        # per event j of the current execution: its races not settled (reversal.py says what each
        # holds). Every execution that ends reverses every race among its events, those of a
        # prefix it shares with an earlier execution included: notdep(e, E) depends on the whole
        # of E (Abdulla et al. 2014); reversal.py, and docs/soundness.md, "Settled races"
        self.races: list = []
        self.low = 0  # the shortest the execution has been since the last end (reversal.py)
        self.events: list[Event] = []
        self.hist = History(self.dep.size)
        self.known = Known(remember and concrete(engine.program), capacity(engine.program))  # per state value (known.py)
        self.replayed: dict = {}  # steps replayed to find a reversed step's accesses (reversal.py)
        self.result = Exploration("optimal dpor" if reduce else "every interleaving", self.stats)
        # `no_leak`: the observations along the current execution, and of every one ended
        self.observations = Observations(engine.program) if engine.program.leaks else None
        # `no_race`: happens-before over the current execution (races.py); every racing pair with keep_going
        watch = Watch(engine.program, self.dep)
        self.hb = Monitor(engine, self.dep, watch, every=keep_going) if watch else None

    # -- driver ---------------------------------------------------------------------------------
    def run(self) -> Exploration:
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 4 * self.budget.max_depth + 1000))
        try:
            for state, start, bad, seen in starts(self.e):
                self.start = start
                if bad is not None:
                    if bad.violation is not None:
                        self.result.truncate(bad.violation)
                    if self.observations:
                        self.observations.truncated(f"start-up work ended with a {'violation' if bad.violation else 'cut'}")
                    self.report(bad.violation, bad.cut, [])
                    continue
                if self.observations:
                    self.observations.start = seen
                zero = (0,) * self.n
                for v in on_state(self.e, state) if self.has_always else ():
                    self.report(v, None, [])
                self.explore(Node(state, [zero] * self.n, {}, [], self.known.info(state)))
            if self.observations:  # every execution explored: compare what the observers saw
                self.stats.solver_calls = self.e.solver.calls
                for violation, schedule in self.observations.decide(self.e.solver, self.e.symbols, self.result.undecided):
                    self.result.record(Found(violation, schedule))
        except _Stop:
            pass
        except Exhausted as x:
            self.result.exhausted = x.reason
        except Overflow:
            self.result.exhausted = OVERFLOW
        finally:
            sys.setrecursionlimit(limit)
        self.stats.solver_calls = self.e.solver.calls
        self.result.unknowns = list(dict.fromkeys(self.e.unknowns))
        if self.hb and self.hb.imprecise:  # edges that may not be there could hide a race
            for p in self.hb.watch.props:
                pid = (p.kind, p.pos.line, p.pos.col)
                if pid not in self.result.findings:
                    self.result.undecided[pid] = f"{p.text} (line {p.pos.line}) is not decided: {self.hb.imprecise}"
        return self.result

    def report(self, violation, cut, extra_steps: list, steps: tuple | None = None) -> None:
        """Record a violation (its schedule: the current execution then extra_steps, or `steps`)
        or a cut."""
        if violation is not None:  # the execution ends here; the search may go on
            if steps is None:
                steps = tuple((ev.thread, ev.key[1]) for ev in self.events) + tuple(extra_steps)
            if self.result.record(Found(violation, Schedule(self.start, steps))) and not self.keep_going and (
                    self.goal is None or self.goal <= self.result.findings.keys()):
                raise _Stop()
            return
        if cut is not None:
            self.stats.cuts += 1
            self.result.cut = self.result.cut or cut
            if self.stop_at_cut:
                raise _Stop()

    def schedule(self) -> Schedule:
        """The schedule of the current execution."""
        return Schedule(self.start, tuple((ev.thread, ev.key[1]) for ev in self.events))

    # -- the search -----------------------------------------------------------------------------
    def explore(self, node: Node) -> None:
        e, s, info = self.e, node.state, node.info
        stats = self.stats
        if stats.steps >= self.tick_at:
            self.budget.tick(stats, len(self.events))
            self.tick_at = stats.steps + TICK_STEPS
        live = info.live
        if live is None:
            live = info.live = live_threads(s)
            info.enabled = en = [t for t in live if enabled(e, s, t)]
            info.stuck = bool(live) and stuck(e, s, en)
        if not live:
            if self.observations:
                self.observations.end(s.pc, self.schedule)
            self.pending_races(node, live)
            self.count()
            if self.keep_going:
                self.result.finals.add(tuple(show(x) for x in s.M))
            if not info.final_checked:  # (known.py: an equal final state, checked on another path)
                info.final_checked = True
                for v in on_final(e, s, self.decided):
                    self.report(v, None, [])
            return
        en = info.enabled
        if info.stuck:
            self.count()
            if self.keep_going:
                self.result.deadlocks.add(tuple(show(x) for x in s.M))
            if self.observations:
                self.observations.end(s.pc, self.schedule)
            self.report(on_stuck(e, s), None, [])
            if not en:
                self.pending_races(node, live)
                return
            # only spurious wake-ups can move: a deadlock, and (with keep_going) they are explored
        if not self.reduce:
            for t in en:
                for out in self.outcomes(node, t):
                    self.step(node, t, out)
            return
        while True:
            if node.explored and not node.wut:
                return  # every branch done (what next_child would answer)
            child = self.next_child(node)
            if child is None:
                if not node.explored:
                    if any(self.outcomes(node, t) for t in en):
                        self.stats.blocked += 1  # every enabled event is asleep: sleep-set blocked
                    self.pending_races(node, live)
                return
            key = child[0]
            node.explored = True
            t = key[0]
            for out in node.info.outcomes[t]:  # computed by next_child
                if out[0] == key:
                    self.step(node, t, out, child[2])
                    break
            node.wut.remove(child)

    def count(self) -> None:
        """An execution ended: count it (an execution budget is checked at the next node)."""
        self.stats.executions += 1
        if self.budget.max_executions is not None:
            self.tick_at = 0

    def step(self, node: Node, p: int, out: list, subtree: list | None = None) -> None:
        """Execute an outcome of thread p's step from node (`out`, an entry of `outcomes`),
        explore what follows, undo."""
        key, o = out[0], out[1]
        self.stats.steps += 1
        info = node.info
        F = info.fp.get(p)
        if F is None:
            self.access(node, p)
            F = info.fp[p]
        A = info.access[p]
        if o.violation is not None or o.cut is not None:
            self.truncated(node, p, key, o, A, F)
            return
        ev = self.record(node, p, key, A, F)
        if self.observations:
            self.observations.push(o.seen)
        try:
            races = self.hb.step(node.state, o.state, p, A, self.unfound) if self.hb else ()
            for i, v in races:  # the schedule ends with the two racing steps, adjacent where it can
                new = property_of(v) not in self.result.findings
                self.report(v, None, [], adjacent(self.e, self.events, self.stack, i, key_of) if new else None)
            if self.has_always and any(a.lo == self.dep.obs for a in A):
                for v in on_state(self.e, o.state, self.decided):  # with keep_going the execution goes on past it
                    self.report(v, None, [])
            clock = node.clock[:]  # a list, never changed once made
            clock[p] = ev.clock
            nxt = out[2] or self.known.child(out)  # the next state's Info, kept with the outcome
            if self.reduce:
                sleep = node.sleep
                if sleep:  # those asleep here stay asleep if independent of this step
                    touched, written = F
                    sleep = sleep.copy()  # (a copy keeps the keys' hashes: then drop the rest)
                    for q, f in node.sleep.items():
                        if q[0] == p or f[1] & touched or written & f[0]:
                            del sleep[q]
                else:
                    sleep = {}
                child = Node(o.state, clock, sleep, subtree if subtree is not None else [], nxt)
            else:
                child = Node(o.state, clock, {}, [], nxt)
            self.explore(child)
        finally:
            if self.observations:
                self.observations.pop()
            self.undo()
        if self.reduce:
            node.sleep[key] = F

    def truncated(self, node: Node, p: int, key, o, A: tuple, F: tuple) -> None:
        """Thread p's step from node ends its execution in a violation or a cut (outcome o,
        event key, accesses A, footprint F): report it; the other threads' steps from here
        still race with it."""
        if o.violation is not None:
            self.result.truncate(o.violation)
            if self.hb:  # the step's accesses happened before it failed: they can race
                try:
                    for _, v in self.hb.step(node.state, o.state, p, A, self.unfound):
                        self.report(v, None, [(p, o.choices)])
                finally:
                    self.hb.undo()
        if self.observations:
            v = o.violation
            a = "an" if v is not None and v.kind[0] in "aeiou" else "a"
            self.observations.truncated(f"{a} {v.kind} violation at line {v.line} ended an execution" if v is not None
                                        else f"a bound cut an execution ({o.cut.reason})")
        self.report(o.violation, o.cut, [(p, o.choices)])
        if self.reduce:  # the run ends here, but the other threads' steps from here do not
            node.sleep[key] = Ended(F)
            for t in node.info.enabled:
                if t != p:
                    self.add_siblings(node, t, every=True)
            self.pending_races(node, live_threads(node.state))

    def decided(self, pid: tuple) -> bool:
        """Has this property (`property_of`) its counterexample, and no other is wanted?"""
        return not self.keep_going and pid in self.result.findings

    def unfound(self, prop) -> bool:
        """Is this property still without a counterexample (or are all violations wanted)?"""
        return self.keep_going or (prop.kind, prop.pos.line, prop.pos.col) not in self.result.findings
