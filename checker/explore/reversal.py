"""Optimal DPOR's happens-before and race reversal, over the current execution.

`Reversal` is the part of `Dpor` (checker/explore/dpor.py) that records each event with its
vector clock and races, and, when an execution ends, reverses its races into the wake-up trees
of the nodes on the path (JACM 64(4), 2017, Algorithm 2, lines 1-6, extended to blocking
primitives and settled races as docs/soundness.md, "Reduction 1", argues). It reads and
writes the search's path: `events` (the execution), `stack` (the node before each event),
`races` (per event: its races not settled), `hist` (accesses per location), `replayed` (the
steps `tail_access` ran: (id(state), event key) -> (state, next state), the state kept so
that its id stays its own; at most about REPLAYED entries), and uses `dep`,
`e`, `code`, `n`, `reduce`, `guarded`, `settle` and `outcomes` of the search.
"""
from __future__ import annotations

from checker.explore.clock import join
from checker.explore.dependence import Dependence
from checker.explore.semantics import Engine, enabled
from checker.explore.state import ACQ, RUN, State
from checker.explore.wakeup import Ended, Event, Initials, Node, clock_within, insert, key_of

REPLAYED = 20_000  # steps `tail_access` keeps for later reversals (a cache: emptied when full)


class Reversal:
    events: list
    stack: list
    races: list
    dep: Dependence
    e: Engine
    reduce: bool
    settle: bool

    def record(self, node: Node, p: int, key, A: tuple, choices) -> Event:
        """Append the event: its vector clock, and (with reduction) the races it completes."""
        prev = node.clock[p]
        blocking = any(a.op == ACQ for a in A) or self.guarded[p][node.state.T[p].pc]
        clock, races = self.clock(prev, p, A, self.reduce, blocking)
        seq = prev[p] + 1
        clock[p] = seq
        ev = Event(p, key, A, tuple(clock), seq, choices, blocking)
        pos = len(self.events)
        self.races.append([[i, pos, node.state, None] for i in races] if self.reduce else [])
        self.events.append(ev)
        self.stack.append(node)
        self.hist.add(pos, A)
        return ev

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

    def reverse(self, i: int, last: Event, j: int, state: State, race: list | None = None) -> bool:
        """The race of events[i] with `last` (at position j, or pending after the end; `state` is
        the state it ran or would run from): insert notdep(events[i]).p into the wake-up tree
        before events[i], where p is last's thread taking its next step with whatever outcome it
        has there (reversing the race may change what that step reads), unless a sleeper there
        covers it. True when the race is *settled*: p's step was explored from there already
        and nothing before it in v happens before it. That does not depend on the events after
        j (docs/soundness.md, "Settled races"), so the executions that share the prefix up to
        j skip the race. `race` (a stored race) keeps the v of its last reversal: the same
        events again give the same answer, and are not proposed twice."""
        events = self.events
        e = events[i]
        t, seq = e.thread, e.seq
        v = [g for g in events[i + 1:j] if g.clock[t] < seq]
        u1 = len(v)
        v += [g for g in events[j + 1:] if g.clock[t] < seq]
        if race is not None:
            if race[3] == v:  # the same Event objects: nothing after j changed v
                return False
            race[3] = v[:]
        p = last.thread
        fixed = not self.varies(p, state)
        acc = last.acc if fixed else self.tail_access(v, p, state, i)  # a queue's step may move
        clock = clock_within(v, Event(p, last.key, acc, None, last.seq, (), last.blocking), self.n)
        tail = Event(p, (p, None, None), acc, clock, last.seq, (), last.blocking)
        node = self.stack[i]
        if any(k[0] == p for k in node.sleep) and not any(clock[g.thread] >= g.seq for g in v):
            outs = self.outcomes(node, p)
            if outs and all(type(node.sleep.get(key_of(p, o))) is tuple for o in outs):
                # p's step was explored from here already, and nothing in v comes before it;
                # with p's accesses fixed, only u1 (the events up to j) can come before it
                return fixed and not any(clock[g.thread] >= g.seq for g in v[u1:])
        v.append(tail)
        return self.propose(node, v, u1 if fixed else -1)

    def propose(self, node: Node, v: list, fixed: int = -1) -> bool:
        """Insert v into node's wake-up tree unless an explored sibling already covers it. True
        when the answer holds for every v that differs from this one only in its events
        between the first `fixed` ones and the last (`insert`): the race is settled."""
        initials = Initials(v)
        for q, acc in node.sleep.items():
            if type(acc) is not Ended and initials.weak_initial(q, acc):
                k = initials.first.get(q[0])
                return 0 <= fixed and k is not None and (k < fixed or k == len(v) - 1)
        return insert(node.wut, v, fixed)

    def varies(self, p: int, state: State) -> bool:
        """May what p's next step touches change when other threads' steps are reordered before
        it? (`cas`, `trylock` fail and only read; a task may park.)"""
        code = self.code[p]
        pc = state.T[p].pc
        return pc < len(code) and (state.T[p].status == RUN or self.dep.loops[p] is not None) and self.dep.varies(code, pc, p)

    def tail_access(self, v: list, p: int, state: State, i: int) -> tuple:
        """The accesses of p's next step after the reversal, when they depend on shared values:
        v is run from the state before events[i] to see. (The weak-initial tests need them
        exact: the wake-up tree's invariant rests on them.) Otherwise they are those p's step
        had in `state`: the same events of p precede it."""
        s = self.stack[i].state
        replayed = self.replayed  # races with the same first event share prefixes of their v
        for g in v:
            k = (id(s), g.key)
            hit = replayed.get(k)
            if hit is None or hit[0] is not s:
                hit = replayed[k] = (s, next(o.state for o in self.e.step(s, g.thread) if key_of(g.thread, o) == g.key))
            s = hit[1]
        return self.dep.pending(self.code[p], s, p)

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
            for k, race in enumerate(per_event):
                if race is not None:
                    i, j, state, _ = race
                    if self.reverse(i, events[j], j, state, race if self.settle else None) and self.settle:
                        per_event[k] = None  # settled while events[j] stays on the path
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
        if len(self.replayed) > REPLAYED:
            self.replayed.clear()
