"""Optimal DPOR's happens-before and race reversal, over the current execution.

`Reversal` is the part of `Dpor` (checker/explore/dpor.py) that records each event with its
vector clock and races, and, when an execution ends, reverses its races into the wake-up trees
of the nodes on the path (JACM 64(4), 2017, Algorithm 2, lines 1-6, extended to blocking
primitives and settled races as docs/soundness.md, "Reduction 1", argues). It reads and
writes the search's path: `events` (the execution), `stack` (the node before each event),
`races` (per event j: its races not settled, each [i, j, state before j, v at its last
reversal, u1, p's step after v when its accesses are fixed]), `low` (the shortest the
execution has been since the last end: the events before it are unchanged), `hist`
(accesses per location), `replayed` (the steps `tail_access` ran: (id(state), event key) ->
(state, next state), the state kept so that its id stays its own; at most about REPLAYED
entries), and uses `dep`, `e`, `code`, `n`, `reduce`, `guarded`, `settle` and `outcomes` of
the search.
"""
from __future__ import annotations

from checker.explore.clock import join_into
from checker.explore.dependence import Dependence, footprint
from checker.explore.semantics import Engine, enabled
from checker.explore.state import ACQ, RUN, State
from checker.explore.wakeup import Ended, Event, Node, insert, key_of, weak_initial

REPLAYED = 20_000  # steps `tail_access` keeps for later reversals (a cache: emptied when full)


class Reversal:
    events: list
    stack: list
    races: list
    dep: Dependence
    e: Engine
    reduce: bool
    settle: bool
    can_vary: list

    def record(self, node: Node, p: int, key, A: tuple, F: tuple) -> Event:
        """Append the event (accesses A, footprint F): its vector clock, and (with reduction) the
        races it completes."""
        prev = node.clock[p]
        blocking = node.info.blocking.get(p)
        if blocking is None:
            blocking = node.info.blocking[p] = any(a.op == ACQ for a in A) or self.guarded[p][node.state.T[p].pc]
        events = self.events
        pos = len(events)
        found = self.hist.push(pos, A, p, blocking)  # the earlier conflicting events, latest first
        if blocking:
            clock, races = self.clock(prev, p, A, self.reduce, found)
        else:  # the candidates not ordered before the new event by later ones
            clock = list(prev)
            races = []
            for pos in found:
                g = events[pos]
                if clock[g.thread] < g.seq:  # else g's clock is within clock already
                    races.append(pos)
                    for k, x in enumerate(g.clock):
                        if x > clock[k]:
                            clock[k] = x
        seq = prev[p] + 1
        clock[p] = seq
        pos = len(events)  # (`pos` served as a loop variable above)
        ev = Event(p, key, A, tuple(clock), seq, blocking, pos, F)
        if races and self.reduce:
            state = node.state
            kept = []
            for i in races:  # (a loop: cheaper than a comprehension for one or two)
                kept.append([i, pos, state, None, 0, None])
            self.races.append(kept)
        else:
            self.races.append(())
        events.append(ev)
        self.stack.append(node)
        return ev

    def undo(self) -> None:
        """Remove the latest event (`record`)."""
        if self.hb:
            self.hb.undo()
        ev = self.events.pop()
        self.stack.pop()
        self.races.pop()
        self.hist.remove(ev.acc)
        if ev.pos < self.low:
            self.low = ev.pos

    def clock(self, prev: tuple, p: int, A: tuple, race: bool, found: list | None = None):
        """The vector clock of a new event of p with accesses A that can be disabled (an
        acquire, or a pending step at the end of a run), as a list, p's entry not yet bumped;
        and the positions of the earlier events it races with, latest first. `found`: the
        positions of every earlier conflicting event, latest first (`History.conflicts` in
        full), when the caller has them.

        Earlier dependent events are visited latest first; the clock joins all of them. A race
        candidate is one not already ordered before the new event by program order or by the
        clocks of the candidates kept so far, and (since the event can be disabled) whose
        reversal can run: the release it needed, a later signal it does not need, are looked
        through (docs/soundness.md, "Blocking"). An event that cannot be disabled needs only
        the last conflicting accesses per location (`record`)."""
        events = self.events
        if found is None:
            found = self.hist.conflicts(A, p, True)
        vc = list(prev)
        for pos in found:
            join_into(vc, events[pos].clock)
        if not race:
            return vc, ()
        C = list(prev)
        races = []
        for pos in found:
            g = events[pos]
            if C[g.thread] >= g.seq:
                continue  # ordered before the new event through another event: no race
            if not self.can_reverse(pos, p):
                continue
            races.append(pos)
            join_into(C, g.clock)
        return vc, races

    def can_reverse(self, i: int, p: int) -> bool:
        """Can thread p take its next step before events[i], after the events since then that do
        not happen after it?"""
        v = self.notdep(i)
        v.append(Event(p, (p, None, None), (), None, 0, True, -1, (0, 0)))
        return self.executable(self.stack[i].state, v)

    def notdep(self, i: int) -> list:
        """notdep(events[i]): the events after it that do not happen after it, in order."""
        e = self.events[i]
        t, seq = e.thread, e.seq
        return [g for g in self.events[i + 1:] if g.clock[t] < seq]

    def reverse(self, i: int, v: list, u1: int, last: Event, state: State, race: list | None = None) -> bool:
        """The race of events[i] with `last` (an event, or a thread's pending step after the
        end; `state` is the state it ran or would run from), where v = notdep(events[i]) and
        its first u1 events come before `last` (u1; the rest is u2): insert v.p into the
        wake-up tree before events[i], where p is last's thread taking its next step with
        whatever outcome it has there (reversing the race may change what that step reads),
        unless a sleeper there covers it. True when the race is *settled*: p's step was
        explored from there already and nothing in v happens before it, or the answer rests
        on u1 and p alone. That does not depend on the events after `last` (docs/soundness.md,
        "Settled races"), so the executions that share the prefix up to it skip the race.
        `race` (a stored race, reversed again) keeps p's step placed after v when its accesses
        are fixed: then it depends on u1 alone, and so does the test against p's sleepers."""
        if race is not None and race[5] is not None:
            return self.propose(self.stack[i], v + [race[5]], u1)
        p = last.thread
        fixed = not self.can_vary[p] or not self.varies(p, state)
        if fixed:
            acc, (touched, written) = last.acc, last.fp
        else:  # a queue's step may move
            acc = self.tail_access(v, p, state, i)
            touched, written = footprint(acc)
        vc = [0] * self.n  # the clock of p's step placed after v
        after = False  # does an event of v happen before p's step?
        for g in v:
            if vc[g.thread] >= g.seq:
                continue  # it happens before an event already joined: its clock is within vc
            if g.thread == p or g.fp[1] & touched or written & g.fp[0]:
                join_into(vc, g.clock)
                after = True
        node = self.stack[i]
        if not after:
            sleep = node.sleep
            for k in sleep:  # (loops, not generators: this is the search's hot path)
                if k[0] == p:
                    outs = self.outcomes(node, p)
                    for out in outs:
                        if type(sleep.get(out[0])) is not tuple:
                            break
                    else:
                        if outs:  # p's step was explored from here already, nothing in v before it
                            return fixed
                    break
        vc[p] = last.seq
        tail = Event(p, (p, None, None), acc, tuple(vc), last.seq, last.blocking, -1, (touched, written))
        if race is not None and fixed:
            race[5] = tail
        return self.propose(node, v + [tail], u1 if fixed else -1)

    def propose(self, node: Node, v: list, fixed: int = -1) -> bool:
        """Insert v into node's wake-up tree unless an explored sibling already covers it. True
        when the answer holds for every v that differs from this one only in its events
        between the first `fixed` ones and the last (`insert`): the race is settled."""
        for q, fp in node.sleep.items():
            if type(fp) is not Ended:
                k = weak_initial(v, q, fp)
                if k is not None:
                    return 0 <= fixed and k >= 0 and (k < fixed or k == len(v) - 1)
        return insert(node.wut, v, fixed)

    def varies(self, p: int, state: State) -> bool:
        """May what p's next step touches change when other threads' steps are reordered before
        it? (`cas`, `trylock` fail and only read; a task may park.)"""
        ts = state.T[p]
        varying = self.dep.varying[p]
        return ts.pc < len(varying) and (ts.status == RUN or self.dep.loops[p] is not None) and varying[ts.pc]

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
        d = self.low  # the events before position d are those of the previous end
        fresh: dict = {}  # i -> the events from position d on that do not happen after events[i]
        races = self.races
        for x, per_event in enumerate(races):
            settled = False
            for race in per_event:
                i, j, state, old, u1, _ = race
                if old is not None and self.settle:  # reversed at the previous end with v = old
                    tail = fresh.get(i)
                    if tail is None:
                        e = events[i]
                        t, seq = e.thread, e.seq
                        tail = fresh[i] = []
                        for g in events[d:]:  # (loops, not comprehensions, in this hot path)
                            if g.clock[t] < seq:
                                tail.append(g)
                    keep = len(old)
                    while keep and old[keep - 1].pos >= d:
                        keep -= 1
                    if keep == len(old) and not tail:
                        continue  # the same events: the same answer, not proposed twice
                    v = old[:keep] + tail
                else:  # notdep(events[i]): events[j] is not in it (it happens after events[i])
                    e = events[i]
                    t, seq = e.thread, e.seq
                    v = []
                    for g in events[i + 1:j]:
                        if g.clock[t] < seq:
                            v.append(g)
                    u1 = race[4] = len(v)
                    for g in events[j + 1:]:
                        if g.clock[t] < seq:
                            v.append(g)
                race[3] = v
                if self.reverse(i, v, u1, events[j], state, race if self.settle else None) and self.settle:
                    race[0] = -1  # settled: dropped while events[j] stays on the path
                    settled = True
            if settled:
                kept = []
                for race in per_event:  # (a loop: cheaper than a comprehension here)
                    if race[0] >= 0:
                        kept.append(race)
                races[x] = kept
        s = node.state
        j = len(self.events)
        for p in live:
            A = self.dep.pending(self.code[p], s, p)
            if not A:
                continue
            prev = node.clock[p]
            vc, races = self.clock(prev, p, A, True)
            ev = Event(p, (p, None, None), A, None, prev[p] + 1, True, -1, footprint(A))
            for i in races:
                v = self.notdep(i)
                self.reverse(i, v, len(v), ev, s)
        if len(self.replayed) > REPLAYED:
            self.replayed.clear()
        self.low = len(events)
