"""Persistent sets for the stateful search: which threads to expand in a state.

A set of threads is computed as a *stubborn set* (Valmari; Godefroid 1996, ch. 4) over
threads, from a static table of what each thread may still touch:

* `future(u)`: the READ and WRITE location masks of every step thread u can take from its
  current pc on, in its own code, whatever the other threads do: the union, over every
  instruction reachable from the pc in u's control-flow graph (loops included), of
  `Dependence.instr(code, k, u, None, None)` (no state: an array or mutex-array index that
  depends on a local covers the whole array), of the shared reads of `assume`, and, at a
  `Reacquire` (where a thread asleep on a condition stands), of the condition variable (a
  wake-up, spurious or by a signal, writes it). Computed once per (thread, pc), lazily.
* `step(u)`: the masks of u's pending step in the state, `Dependence.pending` (the step's
  visible instruction with the indices it has now, and the `assume` reads of its local work).

Closure, from one thread t0 that can run (status RUN, enabled): S = {t0}; then, until nothing
is added, for each u in S
* if u is enabled: every live thread v whose `future(v)` conflicts with `step(u)` (a common
  location, one side writing) joins S;
* if u is disabled: the threads that could enable it join S, a *necessary enabling set*: the
  holder(s) of the mutex or read-write lock it waits for (only a holder can release one: an
  unlock by anyone else is a lock-misuse violation that changes nothing), the joined thread
  (only its exit step writes its "finished" flag), and for a semaphore `acquire`, a thread
  asleep on a condition or a thread waiting at a barrier (only an arrival there, a write,
  releases its phase), every thread whose future writes that object.

The enabled threads of S form a persistent set: along any path from the state made of steps
of threads outside S, each such step stays within its thread's `future`, so it touches
nothing an enabled member's step touches (that step stays enabled and unchanged, and the two
commute), and no disabled member becomes enabled. docs/soundness.md has the argument, and
what the caller adds (no visible, discarding, violating or cut step in a proper subset; the
cycle proviso).
"""
from __future__ import annotations

from checker.explore.dependence import Dependence
from checker.explore.state import ATOMIC, DONE, NEW, OTHER, READ, RUN, SPIN, WAIT, WRITE, live as live_threads
from checker.primitives import SYNC
from checker.program import ir
from checker.program.liveness import step_body, successors


def _masks(accesses) -> tuple[int, int]:
    """(reads, writes) as bit masks over location ids; any mode but READ counts as a write."""
    r = w = 0
    for a in accesses:
        bits = ((1 << (a.hi - a.lo)) - 1) << a.lo
        if a.mode == READ:
            r |= bits
        else:
            w |= bits
    return r, w


def _conflict(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return bool(a[1] & (b[0] | b[1]) or a[0] & b[1])


class Persistent:
    def __init__(self, engine, dep: Dependence):
        self.e = engine
        self.dep = dep
        program = engine.program
        self.code = engine.code
        self.guarded = [t.guarded for t in program.threads]  # per pc: may the state leave it no outcome
        self.n = len(program.threads)
        self.observed_threads = program.observed_threads
        self.observed = 0
        for k in dep.watched:
            self.observed |= 1 << k
        # `no_race`: a step making a plain access to a watched cell is visible (never in a proper
        # subset), so no state where two such steps are pending is skipped (docs/soundness.md)
        self.racy = 0
        for k in frozenset().union(*(p.slots for p in program.properties if p.kind == "race")):
            self.racy |= 1 << k
        self._future: list[dict] = [{} for _ in range(self.n)]
        self._own: list[dict] = [{} for _ in range(self.n)]
        self._body: list[dict] = [{} for _ in range(self.n)]

    # -- the static tables -------------------------------------------------------------------
    def own(self, t: int, k: int) -> tuple[int, int]:
        """What instruction k of thread t may touch, with no state to narrow indices."""
        memo = self._own[t]
        if k not in memo:
            code = self.code[t]
            i = code[k]
            acc = list(self.dep.instr(code, k, t, None, None)) if i.visible else []
            if type(i) is ir.Reacquire:  # a sleeper here is woken by a write to its condition
                acc.append(self.dep.sync(i.cv, None, WRITE, OTHER))
            r, w = _masks(acc)
            if type(i) is ir.Assume:
                for lo, hi in i.reads:
                    r |= ((1 << (hi - lo)) - 1) << lo
            memo[k] = (r, w)
        return memo[k]

    def future(self, t: int, pc: int) -> tuple[int, int]:
        """Everything thread t may touch from pc on: every instruction reachable in its code, and
        everything the threads it may spawn may touch (they act on its behalf: a spawn is the
        only way they start)."""
        memo = self._future[t]
        if pc not in memo:
            memo[pc] = (0, 0)  # a group that spawns itself: what is being computed counts once
            code = self.code[t]
            r = w = 0
            seen, todo = set(), [pc]
            while todo:
                k = todo.pop()
                if k >= len(code) or k in seen:
                    continue
                seen.add(k)
                kr, kw = self.own(t, k)
                r, w = r | kr, w | kw
                if type(code[k]) is ir.Spawn:
                    for u in code[k].group:
                        ur, uw = self.future(u, 0)
                        r, w = r | ur, w | uw
                todo.extend(successors(code, k))
            memo[pc] = (r, w)
        return memo[pc]

    def back_edge(self, t: int, pc: int) -> bool:
        """May the step from visible pc take a loop's back edge? (The step runs pc, the rest of an
        atomic block that starts there, then local instructions up to the next visible one.)"""
        memo = self._body[t]
        if pc not in memo:
            code = self.code[t]
            memo[pc] = any(type(code[k]) is ir.Jump and code[k].back for k in step_body(code, pc))
        return memo[pc]

    # -- per state -----------------------------------------------------------------------------
    def step(self, s, t: int) -> tuple[int, int]:
        """The masks of t's pending step in s (`Dependence.pending`: narrowed by the state, e.g.
        a cell index held in a local, a failed `cas` or `trylock` that only reads)."""
        return _masks(self.dep.pending(self.code[t], s, t))

    def plain(self, s, t: int) -> int:
        """The cells t's pending step in s accesses non-atomically, as a bit mask."""
        r, w = _masks(a for a in self.dep.pending(self.code[t], s, t) if a.op != ATOMIC and a.hi <= self.dep.nM)
        return r | w

    def enablers(self, s, u: int, live: list[int], fut: dict) -> list[int] | None:
        """A necessary enabling set of disabled thread u: no step of a thread outside it can
        make u enabled. None if u's blocking is not understood (the caller expands fully)."""
        ts = s.T[u]
        code = self.code[u]
        if ts.status == DONE:  # e.g. the holder of a mutex u waits for: it never moves again
            return []
        if self.dep.loops[u] is not None:  # a task: its loop, its own step, a cancellation may enable it
            return None
        if ts.status == WAIT and type(code[ts.pc]) is ir.Depart:
            # waiting at a barrier: only an arrival there (a write to it) can release its phase
            gate = _masks((self.dep.sync(code[ts.pc].barrier, ts.L, WRITE, OTHER),))[1]
            return [v for v in live if v != u and fut[v][1] & gate]
        if ts.status == WAIT:  # asleep, no spurious wake-ups: only a write to the condition wakes it
            gate = _masks((self.dep.sync(code[ts.pc].cv, ts.L, WRITE, OTHER),))[1]
            return [v for v in live if v != u and fut[v][1] & gate]
        if ts.status == SPIN:  # resting on a spin-wait: only a write to what it reads can free it
            gate = _masks(self.dep.instr(code, ts.pc, u, s, ts.L))[0]
            return [v for v in live if v != u and fut[v][1] & gate]
        i = code[ts.pc]
        kind = type(i)
        if kind is ir.Join:
            u2 = i.target(ts.L)
            return [u2] if s.T[u2].status != NEW else None  # not spawned yet: a spawner must move first
        if kind is ir.Reacquire or kind is ir.SyncOp:
            ref = i.mutex if kind is ir.Reacquire else i.obj
            y = s.Y[ref.id(ts.L)]
            if ref.kind in ("mutex", "rwlock"):  # only a holder can free it (anyone else's unlock is misuse)
                return SYNC[ref.kind].holders(y) or None
            if ref.kind == "semaphore":
                gate = _masks((self.dep.sync(ref, ts.L, WRITE, OTHER),))[1]
                return [v for v in live if v != u and fut[v][1] & gate]
        return None

    def candidates(self, s, en: list[int]) -> list[tuple]:
        """Proper subsets of the enabled threads `en` that are persistent sets in s (the enabled
        members of a stubborn set grown from a thread with status RUN), smallest first, whose
        steps are all invisible, are not guarded (`assume`, a spin-wait's test) and may not take
        a loop's back edge. The caller still checks each one's outcomes (at least one; no violation, no cut)."""
        if len(en) < 2:
            return []
        T = s.T
        enabled = set(en)
        live = live_threads(s)
        fut = {v: self.future(v, T[v].pc) for v in live}
        steps: dict = {}

        def usable(u):
            """u's step masks if it may be in a proper subset, else None."""
            if u not in steps:
                ts = T[u]
                # a step the state may leave without an outcome (`assume`, a spin-wait's test:
                # `ThreadCode.guarded`) or that may close a loop stays out of proper subsets
                if u in self.observed_threads or (ts.status in (RUN, SPIN) and (
                        self.guarded[u][ts.pc] or self.back_edge(u, ts.pc))):
                    steps[u] = None
                else:
                    a = self.step(s, u)
                    steps[u] = None if a[1] & self.observed or self.racy and self.plain(s, u) & self.racy else a
            return steps[u]

        edges: dict = {}  # thread -> the threads it pulls into a stubborn set (None: give up)

        def pulls(u):
            if u not in edges:
                if u in enabled:
                    a = usable(u)
                    edges[u] = None if a is None else [v for v in live if v != u and _conflict(a, fut[v])]
                else:
                    edges[u] = self.enablers(s, u, live, fut)
            return edges[u]

        found: list = []
        for t0 in en:
            if T[t0].status != RUN or usable(t0) is None:
                continue
            S, work, count, ok = {t0}, [t0], 1, True
            while work and ok:
                grow = pulls(work.pop())
                if grow is None:
                    ok = False
                    break
                for v in grow:
                    if v not in S:
                        S.add(v)
                        work.append(v)
                        if v in enabled:
                            count += 1
                            ok = ok and count < len(en)
            if ok:
                E = tuple(sorted(S & enabled))
                if E not in found:
                    found.append(E)
        found.sort(key=len)
        return found
