"""The one funnel to z3: an incremental solver that follows the depth-first search.

A path condition is a tuple of boolean terms. `sync(pc)` pops the solver back to the longest
prefix it shares with the assertions already pushed and pushes the rest, so a search that
backtracks pays only for what changed. Every query answers with `Sat`; `Sat.UNKNOWN` is a
typed outcome that the verdict layer can never turn into "holds". Seeds are fixed, so runs
repeat.
"""
from __future__ import annotations

import enum

import z3

from checker.symbolic.values import concrete


MEMO_LIMIT = 1_000_000


class Sat(enum.Enum):
    SAT = "sat"
    UNSAT = "unsat"
    UNKNOWN = "unknown"


class Solver:
    def __init__(self, base: list, timeout_ms: int = 10_000):
        z3.set_param("smt.random_seed", 0)
        self._s = z3.Solver()
        self._s.set("timeout", max(1, int(timeout_ms)))
        self._s.set("random_seed", 0)
        for c in base:
            self._s.add(c)
        self._pushed: list = []
        self._memo: dict = {}
        self.calls = 0

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

    def check(self, pc: tuple, extra=None) -> Sat:
        """Is pc (and extra) satisfiable? Answers are memoised: terms are hash-consed, so the
        same question about the same path (met again in another schedule) costs nothing."""
        key = (tuple(c.get_id() for c in pc), None if extra is None else extra.get_id())
        known = self._memo.get(key)
        if known is not None:
            return known[0]
        answer = self._check(pc, extra)
        if answer is not Sat.UNKNOWN and len(self._memo) < MEMO_LIMIT:
            # the memo holds the terms themselves: z3 reuses the id of a freed term
            self._memo[key] = (answer, pc, extra)
        return answer

    def _check(self, pc: tuple, extra) -> Sat:
        self.sync(pc)
        self.calls += 1
        if extra is None:
            r = self._s.check()
        else:
            self._s.push()
            self._s.add(extra)
            r = self._s.check()
            self._s.pop()
        return Sat.SAT if r == z3.sat else Sat.UNSAT if r == z3.unsat else Sat.UNKNOWN

    def model(self, pc: tuple, extra, symbols: dict) -> dict[str, int | bool] | None:
        """Values of `symbols` (name -> z3 constant) in a model of pc (and extra), or None."""
        self.sync(pc)
        self._s.push()
        if extra is not None:
            self._s.add(extra)
        self.calls += 1
        if self._s.check() != z3.sat:
            self._s.pop()
            return None
        m = self._s.model()
        self._s.pop()
        out: dict[str, int | bool] = {}
        for name, sym in symbols.items():
            v = m.eval(sym, model_completion=True)
            out[name] = v.as_long() if z3.is_int_value(v) else z3.is_true(v)
        return out

    def value_in(self, pc: tuple, term, lo: int, hi: int) -> list[int]:
        """The values of an integer term in lo..hi that pc allows (each one is checked)."""
        if concrete(term):
            return [term] if lo <= term <= hi else []
        return [k for k in range(lo, hi + 1) if self.check(pc, term == k) is Sat.SAT]
