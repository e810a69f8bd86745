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

from checker.explore.budget import OVERFLOW, Budget, Exhausted
from checker.explore.monitors import on_final, on_state, on_stuck
from checker.explore.happens import Monitor, adjacent
from checker.explore.races import Watch
from checker.explore.observe import Observations
from checker.explore.start import starts
from checker.explore.clock import History, join
from checker.explore.dependence import Dependence, dependent
from checker.explore.search import Exploration, Found, Schedule, Stats, properties, property_of
from checker.explore.semantics import Engine, enabled, stuck
from checker.explore.state import ACQ, State, live as live_threads
from checker.explore.wakeup import Ended, Event, Node, clock_within, covering, insert, key_of, weak_initial
from checker.symbolic.values import Overflow, show


class _Stop(Exception):
    pass


class Dpor:
    def __init__(self, engine: Engine, budget: Budget, reduce: bool = True, keep_going: bool = False,
                 every_property: bool = False, stop_at_cut: bool = False):
        """keep_going: never stop at a violation (and gather final states: the cross-checks);
        every_property: stop only once every property of the program has a counterexample;
        stop_at_cut: stop at the first execution a bound cuts (the caller searches again)."""
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
        self.has_always = any(p.kind == "always" for p in engine.program.properties)
        self.stats = Stats()
        self.stack: list[Node] = []  # stack[i]: the state before events[i]
        # per event j of the current execution: its races [(i, j, state before j)]. Every execution
        # that ends reverses every race among its events, those of a prefix it shares with an
        # earlier execution included: notdep(e, E) depends on the whole of E (Abdulla et al. 2014)
        self.races: list = []
        self.events: list[Event] = []
        self.hist = History(self.dep.size)
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
                self.explore(Node(state, (zero,) * self.n, {}, []))
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
                steps = tuple((ev.thread, ev.choices) for ev in self.events) + tuple(extra_steps)
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
        return Schedule(self.start, tuple((ev.thread, ev.choices) for ev in self.events))

    # -- the search -----------------------------------------------------------------------------
    def explore(self, node: Node) -> None:
        e, s = self.e, node.state
        self.budget.tick(self.stats, len(self.events))
        live = live_threads(s)
        if not live:
            if self.observations:
                self.observations.end(s.pc, self.schedule)
            self.pending_races(node, live)
            self.stats.executions += 1
            if self.keep_going:
                self.result.finals.add(tuple(show(x) for x in s.M))
            for v in on_final(e, s):
                self.report(v, None, [])
            return
        en = [t for t in live if enabled(e, s, t)]
        if stuck(e, s, en):
            self.stats.executions += 1
            if self.keep_going:
                self.result.deadlocks.add(tuple(show(x) for x in s.M))
            if self.observations:
                self.observations.end(s.pc, self.schedule)
            self.report(on_stuck(e, s), None, [])
            if not en:
                self.pending_races(node, live)
                return
            # only spurious wake-ups can move: a deadlock, and (with keep_going) they are explored
        node.enabled = en
        if not self.reduce:
            for t in en:
                for o in self.outcomes(node, t):
                    self.step(node, t, o)
            return
        while True:
            child = self.next_child(node)
            if child is None:
                if not node.explored:
                    if any(self.outcomes(node, t) for t in en):
                        self.stats.blocked += 1  # every enabled event is asleep: sleep-set blocked
                    self.pending_races(node, live)
                return
            key, subtree = child[0], child[2]
            node.explored = True
            t = key[0]
            for o in self.outcomes(node, t):
                if key_of(t, o) == key:
                    self.step(node, t, o, subtree)
                    break
            node.wut.remove(child)

    def outcomes(self, node: Node, t: int) -> list:
        """Thread t's step from this node: computed once. A step that `assume` discards on every
        path has no outcome; then t cannot move here, as if it were blocked."""
        outs = node.outcomes.get(t)
        if outs is None:
            outs = node.outcomes[t] = self.e.step(node.state, t)
            self.stats.solver_calls = self.e.solver.calls
            if not outs:
                self.stats.assumed += 1
        return outs

    def next_child(self, node: Node):
        """The leftmost branch of the wake-up tree; when it is empty, one enabled thread that is
        not asleep (every outcome of its step: an internal fork is a choice, not a race)."""
        wut, sleep = node.wut, node.sleep
        while wut:
            child = wut[0]
            key = child[0]
            if key[1] is None:  # a thread's next step, with any outcome: expand it
                wut.pop(0)
                outs = self.outcomes(node, key[0])
                key_acc = self.access(node, key[0])
                wut[0:0] = [[key_of(key[0], o), covering(o, key_acc), []] for o in outs
                            if key_of(key[0], o) not in sleep and not any(c[0] == key_of(key[0], o) for c in wut)]
                if all(covering(o, key_acc) is None for o in outs):
                    for v in child[3]:  # it ends the run or is discarded: it covered nothing
                        self.propose(node, v)
                continue
            if key in sleep:
                wut.pop(0)
                continue
            self.add_siblings(node, key[0])
            return child
        if node.explored:
            return None
        for t in node.enabled:
            for o in self.outcomes(node, t):
                k = key_of(t, o)
                if k not in sleep:
                    wut.append([k, covering(o, self.access(node, t)), []])
            if wut:
                self.add_siblings(node, t)
                return wut[0]
        return None

    def add_siblings(self, node: Node, t: int, every: bool = False) -> None:
        """Every other outcome of thread t's step here is explored too (internal nondeterminism);
        with `every`, each outcome of t's step (the run ended here: t's steps race with its end)."""
        outs = self.outcomes(node, t)
        if len(outs) < 2 and not every:
            return
        present = {c[0] for c in node.wut}
        for o in outs:
            k = key_of(t, o)
            if k not in node.sleep and k not in present:
                node.wut.append([k, covering(o, self.access(node, t)), []])
                present.add(k)

    def access(self, node: Node, t: int) -> tuple:
        """The accesses of thread t's next step from this node (computed once)."""
        acc = node.access.get(t)
        if acc is None:
            acc = node.access[t] = self.dep.pending(self.code[t], node.state, t)
        return acc

    def step(self, node: Node, p: int, o, subtree: list | None = None) -> None:
        """Execute outcome o of thread p's step from node, explore what follows, undo."""
        self.stats.steps += 1
        A = self.access(node, p)
        key = key_of(p, o)
        if o.violation is not None or o.cut is not None:
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
                node.sleep[key] = Ended(A)
                for t in node.enabled:
                    if t != p:
                        self.add_siblings(node, t, every=True)
                self.pending_races(node, live_threads(node.state))
            return
        depth = len(self.events)
        ev = self.record(node, p, key, A, o.choices)
        if self.observations:
            self.observations.push(o.seen)
        try:
            races = self.hb.step(node.state, o.state, p, A, self.unfound) if self.hb else ()
            for i, v in races:  # the schedule ends with the two racing steps, adjacent where it can
                new = property_of(v) not in self.result.findings
                self.report(v, None, [], adjacent(self.e, self.events, self.stack, i, key_of) if new else None)
            if self.has_always and any(a.lo == self.dep.obs for a in A):
                for v in on_state(self.e, o.state):  # with keep_going the execution goes on past it
                    self.report(v, None, [])
            clock = node.clock[:p] + (ev.clock,) + node.clock[p + 1:]
            if self.reduce:
                sleep = {q: a for q, a in node.sleep.items() if q[0] != p and not dependent(a, A)}
                child = Node(o.state, clock, sleep, subtree if subtree is not None else [])
            else:
                child = Node(o.state, clock, {}, [])
            self.explore(child)
        finally:
            if self.observations:
                self.observations.pop()
            self.undo(depth)
        if self.reduce:
            node.sleep[key] = A

    # -- happens-before and races -----------------------------------------------------------------
    def record(self, node: Node, p: int, key, A: tuple, choices) -> Event:
        """Append the event: its vector clock, and (with reduction) the races it completes."""
        prev = node.clock[p]
        blocking = any(a.op == ACQ for a in A) or self.guarded[p][node.state.T[p].pc]
        clock, races = self.clock(prev, p, A, self.reduce, blocking)
        seq = prev[p] + 1
        clock[p] = seq
        ev = Event(p, key, A, tuple(clock), seq, choices, blocking)
        pos = len(self.events)
        self.races.append([(i, pos, node.state) for i in races] if self.reduce else [])
        self.events.append(ev)
        self.stack.append(node)
        self.hist.add(pos, A)
        return ev

    def unfound(self, prop) -> bool:
        """Is this property still without a counterexample (or are all violations wanted)?"""
        return self.keep_going or (prop.kind, prop.pos.line, prop.pos.col) not in self.result.findings

    def undo(self, depth: int) -> None:
        if self.hb:
            self.hb.undo()
        ev = self.events.pop()
        self.stack.pop()
        self.races.pop()
        self.hist.remove(ev.acc)
        assert len(self.events) == depth

    def clock(self, prev: tuple, p: int, A: tuple, race: bool, blocking: bool):
        """The vector clock of a new event of p with accesses A (as a list, p's entry not yet
        bumped), and the positions of the earlier events it races with, latest first.

        Earlier dependent events are visited latest first; the clock joins all of them. A race
        candidate is one not already ordered before the new event by program order or by the
        clocks of the candidates kept so far. An event that can be disabled (`blocking`: an
        acquire, or a pending step at the end of a run) keeps a candidate only if the reversal
        can run (the release it needed, a later signal it does not need, are looked through:
        docs/soundness.md, "Blocking"); its history is then read in full."""
        events = self.events
        found = self.hist.conflicts(A, lambda pos: events[pos].thread == p, blocking)
        vc = list(prev)
        for pos in found:
            vc = join(vc, events[pos].clock)
        if not race:
            return vc, ()
        C = list(prev)
        races = []
        for pos in sorted(found, reverse=True):
            g = events[pos]
            if C[g.thread] >= g.seq:
                continue  # ordered before the new event through another event: no race
            if blocking and not self.can_reverse(pos, p):
                continue
            races.append(pos)
            C = join(C, g.clock)
        return vc, races

    def can_reverse(self, i: int, p: int) -> bool:
        """Can thread p take its next step before events[i], after the events since then that do
        not happen after it?"""
        e = self.events[i]
        v = [g for g in self.events[i + 1:] if g.clock[e.thread] < e.seq]
        v.append(Event(p, (p, None, None), (), None, 0, (), True))
        return self.executable(self.stack[i].state, v)

    def reverse(self, i: int, last: Event, j: int, state: State) -> None:
        """The race of events[i] with `last` (at position j, or pending after the end; `state` is
        the state it ran or would run from): insert notdep(events[i]).p into the wake-up tree
        before events[i], where p is last's thread taking its next step with whatever outcome it
        has there (reversing the race may change what that step reads), unless a sleeper there
        covers it."""
        events = self.events
        e = events[i]
        t, seq = e.thread, e.seq
        v = [g for k, g in enumerate(events[i + 1:], i + 1) if k != j and g.clock[t] < seq]
        p = last.thread
        acc = self.tail_access(v, p, state, i)  # after v, p's step may touch other locations (a queue's)
        clock = clock_within(v, Event(p, last.key, acc, None, last.seq, (), last.blocking), self.n)
        tail = Event(p, (p, None, None), acc, clock, last.seq, (), last.blocking)
        node = self.stack[i]
        initial = not any(clock[g.thread] >= g.seq for g in v)
        if initial and any(k[0] == p for k in node.sleep):
            outs = self.outcomes(node, p)
            if outs and all(type(node.sleep.get(key_of(p, o))) is tuple for o in outs):
                return  # p's step was explored from here already, and nothing in v comes before it
        v.append(tail)
        self.propose(node, v)

    def propose(self, node: Node, v: list) -> None:
        """Insert v into node's wake-up tree unless an explored sibling already covers it."""
        for q, acc in node.sleep.items():
            if type(acc) is not Ended and weak_initial(v, q, acc):
                return
        insert(node.wut, v)

    def tail_access(self, v: list, p: int, state: State, i: int) -> tuple:
        """The accesses of p's next step after the reversal. Its locals are those it had in `state`
        (the same events of p precede it), so they are pending(state), unless what it touches
        depends on shared values (`cas`, `trylock` fail and only read): then v is run to see.
        (The weak-initial tests need them exact: the wake-up tree's invariant rests on them.)"""
        code = self.code[p]
        pc = state.T[p].pc
        if pc < len(code) and (state.T[p].status == 0 or self.dep.loops[p] is not None) and self.dep.varies(code, pc, p):
            s = self.stack[i].state
            for g in v:
                s = next(o.state for o in self.e.step(s, g.thread) if key_of(g.thread, o) == g.key)
            return self.dep.pending(code, s, p)
        return self.dep.pending(code, state, p)

    def executable(self, state: State, v: list) -> bool:
        """Can v run from this state? (Only its last event can be disabled: every other event of
        v has all its happens-before predecessors in v or before it.)"""
        e = self.e
        s = state
        for g in v[:-1]:
            nxt = None
            if enabled(e, s, g.thread):
                for o in e.step(s, g.thread):
                    if o.violation is None and o.cut is None and key_of(g.thread, o) == g.key:
                        nxt = o.state
                        break
            if nxt is None:
                return False
            s = nxt
        last = v[-1]
        if not enabled(e, s, last.thread):
            return False
        return any(o.violation is not None or o.cut is not None or last.key[1] is None or key_of(last.thread, o) == last.key
                   for o in e.step(s, last.thread))

    def pending_races(self, node: Node, live: list) -> None:
        """An execution ended: reverse every race among its events (those in a prefix shared
        with an earlier execution too: the suffix, and so notdep, differs); threads left
        unfinished (deadlock, a violation, a cut) race with their next events too."""
        if not self.reduce:
            return
        events = self.events
        for per_event in self.races:
            for i, j, state in per_event:
                self.reverse(i, events[j], j, state)
        s = node.state
        j = len(self.events)
        for p in live:
            A = self.dep.pending(self.code[p], s, p)
            if not A:
                continue
            prev = node.clock[p]
            vc, races = self.clock(prev, p, A, True, True)
            ev = Event(p, (p, None, None), A, None, prev[p] + 1, (), True)
            for i in races:
                self.reverse(i, ev, j, s)
