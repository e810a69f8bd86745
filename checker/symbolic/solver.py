"""The one funnel to z3: an incremental solver that follows the depth-first search.

A path condition is a tuple of boolean terms. `sync(pc)` pops the solver back to the longest
prefix it shares with the assertions already pushed and pushes the rest, so a search that
backtracks pays only for what changed. Every query answers with `Sat`; `Sat.UNKNOWN` is a
typed outcome that the verdict layer can never turn into "holds". Seeds are fixed, so runs
repeat.

One `Solver` serves one run (one model verified, or one replay): it owns the run's answer memo
and its `Terms` (the array terms at symbolic indices), so nothing carries over from one model
to the next in the same process.

Before z3 is asked whether `path ∧ extra` is satisfiable, the range facts on the path (input
ranges, `any` ranges, branches like `x > 5`) are used to evaluate `extra` over intervals
(`bounds.py`); when that shows `extra` false on every point the ranges allow, the answer is
unsat without a solver call (`decided` counts these). Only unsat is ever concluded that way.

Accounting: `calls` counts the queries that reached z3 (memo hits and interval answers are
free), `seconds` the time spent inside z3 for them (checks, and the models of
counterexamples).

Deadline: `deadline` is a `time.monotonic()` instant or None, and may be set at any time after
construction. Each query then runs with the z3 timeout min(timeout_ms, milliseconds left until
the deadline), at least 1 ms. A query that comes back `unknown` once the deadline has passed
sets `expired` to True: the caller should read that unknown as "the time budget ran out"
rather than as a solver limit. Nothing is raised: the answer is still `Sat.UNKNOWN`, recorded
like any other unknown, so a caller that ignores `expired` still never reports "holds".

Recording (`--emit-smt2`): `recorder` is an `smt2.Recorder` or None. When set, every query is
noted with the constraints it asked about and who answered it (z3, the memo, the intervals), so
that it can be written as an SMT-LIB 2 script and re-checked; when None (the default) each query
pays one `is None` test and nothing else.
"""
from __future__ import annotations

import enum
import time

import z3

from checker.symbolic import bounds as B
from checker.symbolic.terms import Terms
from checker.symbolic.values import concrete


MEMO_LIMIT = 1_000_000


class Sat(enum.Enum):
    SAT = "sat"
    UNSAT = "unsat"
    UNKNOWN = "unknown"


class Solver:
    def __init__(self, base: list, timeout_ms: int = 10_000, recorder=None, ctx: z3.Context | None = None):
        """`base`: the constraints every query starts with (the inputs' ranges); `ctx`: the run's
        z3 context (`values.context()`: verify.py gives each run its own), by default the one
        `base` was built in, else z3's main context."""
        z3.set_param("smt.random_seed", 0)
        self.ctx = ctx or next((c.ctx for c in base if z3.is_expr(c)), None) or z3.main_ctx()
        self._s = z3.Solver(ctx=self.ctx)
        self.timeout_ms = max(1, int(timeout_ms))
        self._timeout = self.timeout_ms  # the timeout the z3 solver is set to now
        self._s.set("timeout", self._timeout)
        self._s.set("random_seed", 0)
        self._base_bounds: dict = {}
        self._base = list(base)  # every query's first constraints (what a recorded script asserts)
        self.recorder = recorder  # an smt2.Recorder, or None: nothing recorded
        for c in base:
            self._s.add(c)
            self._base_bounds = B.narrow(self._base_bounds, B.facts(c))
        self._pushed: list = []  # the conjuncts pushed into z3, in order
        self._ranged: list = []  # [(conjunct, range facts of the path up to it)], like _pushed
        self._facts: dict = {}  # conjunct id -> (conjunct, its range facts)
        self._memo: dict = {}
        self.terms = Terms()
        self.calls = 0
        self.decided = 0  # queries answered unsat from the path's ranges, without z3
        self.seconds = 0.0
        self.deadline: float | None = None
        self.expired = False

    def sync(self, pc: tuple) -> None:
        pushed = self._pushed
        common = 0
        limit = min(len(pushed), len(pc))
        while common < limit and pushed[common] is pc[common]:
            common += 1
        if common < len(pushed):
            self._s.pop(len(pushed) - common)
            del pushed[common:]
        for c in pc[common:]:
            self._s.push()
            self._s.add(c)
            pushed.append(c)

    def bounds(self, pc: tuple) -> dict:
        """The ranges the path's conjuncts give single constants (constant id -> (lo, hi)).
        Kept as a stack along the search, like `sync`, but without touching z3."""
        ranged = self._ranged
        common = 0
        limit = min(len(ranged), len(pc))
        while common < limit and ranged[common][0] is pc[common]:
            common += 1
        del ranged[common:]
        for c in pc[common:]:
            ranged.append((c, B.narrow(ranged[-1][1] if ranged else self._base_bounds, self._facts_of(c))))
        return ranged[-1][1] if ranged else self._base_bounds

    def _facts_of(self, c) -> list:
        i = c.get_id()
        hit = self._facts.get(i)
        if hit is None:
            hit = (c, B.facts(c))  # holds c: z3 reuses the id of a freed term
            if len(self._facts) < MEMO_LIMIT:
                self._facts[i] = hit
        return hit[1]

    def check(self, pc: tuple, extra=None) -> Sat:
        """Is pc (and extra) satisfiable? Answers are memoised: terms are hash-consed, so the
        same question about the same path (met again in another schedule) costs nothing.
        The path is a conjunction, so its conjuncts are keyed as a set (sorted ids): the same
        constraints met in another order are the same question. A literal `extra` (a Python
        bool) is answered without z3 when it is False."""
        if type(extra) is bool:
            if not extra:
                return Sat.UNSAT
            extra = None
        key = (tuple(sorted(c.get_id() for c in pc)), None if extra is None else extra.get_id())
        known = self._memo.get(key)
        if known is not None:
            if self.recorder is not None:
                self.recorder.again(known[3])
            return known[0]
        answer = self._check(pc, extra)
        if answer is not Sat.UNKNOWN and len(self._memo) < MEMO_LIMIT:
            # the memo holds the terms themselves: z3 reuses the id of a freed term
            self._memo[key] = (answer, pc, extra, None if self.recorder is None else self.recorder.last)
        return answer

    def _query(self, pc: tuple, extra) -> list:
        """The constraints of a query on the search's path, as a script asserts them."""
        return self._base + list(pc) + ([] if extra is None else [extra])

    def _arm(self) -> None:
        """Set the z3 timeout of the next query: timeout_ms, or less near the deadline."""
        ms = self.timeout_ms
        if self.deadline is not None:
            ms = max(1, min(ms, int((self.deadline - time.monotonic()) * 1000)))
        if ms != self._timeout:
            self._s.set("timeout", ms)
            self._timeout = ms

    def _done(self, t0: float, r) -> None:
        """Account for one z3 query that started at t0 and answered r."""
        self.seconds += time.perf_counter() - t0
        if r == z3.unknown and self.deadline is not None and time.monotonic() >= self.deadline:
            self.expired = True

    def _check(self, pc: tuple, extra) -> Sat:
        if extra is not None and B.refuted(extra, self.bounds(pc)):
            self.decided += 1
            if self.recorder is not None:
                self.recorder.note("intervals", Sat.UNSAT, self._query(pc, extra))
            return Sat.UNSAT
        self.sync(pc)
        self.calls += 1
        self._arm()
        r = z3.unknown
        t0 = time.perf_counter()
        if extra is not None:
            self._s.push()
            self._s.add(extra)
        try:
            r = self._s.check()
        finally:
            if extra is not None:
                self._s.pop()
            self._done(t0, r)
        answer = _sat(r)
        if self.recorder is not None:
            self.recorder.note("z3", answer, self._query(pc, extra))
        return answer

    def model(self, pc: tuple, extra, symbols: dict) -> dict[str, int | bool] | None:
        """Values of `symbols` (name -> z3 constant) in a model of pc (and extra), or None."""
        if type(extra) is bool:
            if not extra:
                return None
            extra = None
        self.sync(pc)
        self.calls += 1
        self._arm()
        r = z3.unknown
        t0 = time.perf_counter()
        self._s.push()
        try:
            if extra is not None:
                self._s.add(extra)
            r = self._s.check()
            if r != z3.sat:
                return None
            m = self._s.model()
            out: dict[str, int | bool] = {}
            for name, sym in symbols.items():
                v = m.eval(sym, model_completion=True)
                out[name] = v.as_long() if z3.is_int_value(v) else z3.is_true(v)
            return out
        finally:
            self._s.pop()
            self._done(t0, r)
            if self.recorder is not None:
                self.recorder.note("z3", _sat(r), self._query(pc, extra))

    def decide(self, constraints: list):
        """A one-off query outside the search's path (the `no_leak` query of `leaks.py`, which
        may hold quantifiers): a fresh z3 solver with the same seed, timeout and deadline, counted
        like every other query. Returns (Sat, model or None)."""
        s = z3.Solver(ctx=self.ctx)
        self.calls += 1
        self._arm()
        s.set("timeout", self._timeout)
        s.set("random_seed", 0)
        s.add(*constraints)
        r = z3.unknown
        t0 = time.perf_counter()
        try:
            r = s.check()
            return (Sat.SAT, s.model()) if r == z3.sat else (Sat.UNSAT if r == z3.unsat else Sat.UNKNOWN, None)
        finally:
            self._done(t0, r)
            if self.recorder is not None:
                self.recorder.note("z3", _sat(r), list(constraints))

    def value_in(self, pc: tuple, term, lo: int, hi: int) -> list[int]:
        """The values of an integer term in lo..hi that pc allows (each one is checked)."""
        if concrete(term):
            return [term] if lo <= term <= hi else []
        return [k for k in range(lo, hi + 1) if self.check(pc, term == k) is Sat.SAT]


def _sat(r) -> Sat:
    return Sat.SAT if r == z3.sat else Sat.UNSAT if r == z3.unsat else Sat.UNKNOWN
