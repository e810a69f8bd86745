"""Arrays at a symbolic index: `Terms`, the array terms of one run, built and memoised.

A cell read at a symbolic index is an If-chain over the cells (`select`); a write at one gives
every cell a new term (`store`); the sum of an int array is folded into a few guarded terms
(`total`). The encoding, and why each rule holds, is in the class docstring. A `Terms` belongs
to one run (the `Solver` owns it); there is no module-level mutable state here.
"""
from __future__ import annotations

import z3

from checker.symbolic.values import _size, add, and_, compare, concrete, ite, key, not_, sub, term, value

MEMO_LIMIT = 200_000


class Terms:
    """The array terms of one run: `select`, `store` and `total`, memoised.

    One `Terms` belongs to one run (the `Solver` owns it; closures reach it as `X.terms`), so
    nothing is shared between models verified in one process. Memo keys are built with `key`,
    which keeps bool and int apart; entries keep their terms alive (z3 reuses the id of a
    freed term).

    Encoding (each rule is an identity, so it holds on every input; each result depends only
    on the arguments, never on what was built before, so equal questions get equal terms):
    * `select(cells, i)` = If(i == 0, cells[0], If(i == 1, cells[1], ... cells[n-1])).
    * `store(cells, i, v)` gives cell c the value If(i == c, v, cells[c]), except for:
    * Increments: when v = r + δ with r = select(cells, i), the read of these very cells at this
      very index, and δ free of r (`d[i] = d[i] + tid` under a lock), cell c becomes
      cells[c] + If(i == c, δ, 0): under i == c, r is cells[c], so that is r + δ = v; elsewhere
      it is cells[c] (read over write). Likewise when v - cells[c] is the same δ for every c.
      A write then does not drag the chain of the read into every cell, and increments stay
      sums of small terms, which `total` folds.
    * `total(cells)`, the sum of an int array, folds Σ_{c=lo..hi} If(x == c, δ, 0) into
      If(And(x >= lo, x <= hi), δ, 0): x equals at most one c. After increments at symbolic
      indices, `sum(d) == 6` becomes a sum of a few guarded constants instead of an If-tree
      the solver has to search (see docs/soundness.md, "Symbolic data").
    """

    def __init__(self):
        self._memo: dict = {}
        self._eqs: dict = {}  # (key(index), c) -> the term index == c
        self._parts: dict = {}  # term id -> (term, its summands as (summand, multiplicity))
        self._ind: dict = {}  # term id -> (term, (x, c, δ) or None)
        self._keys: dict = {}  # id of a term's Python object -> (the object, key(term))

    def _cells_key(self, cells: tuple) -> tuple:
        """(key(c) for c in cells), with each term's key kept by the identity of its Python
        object (the object is kept with it, so that its id stays its own): the cells of a state
        are the same objects from step to step, and asking z3 for a term's id is a call through
        its API."""
        return tuple([self._key(c) for c in cells])

    def _key(self, v):
        """key(v), kept by the identity of v's Python object (`_cells_key`)."""
        if type(v) is int or type(v) is bool:
            return key(v)
        hit = self._keys.get(id(v))
        if hit is None or hit[0] is not v:
            hit = (v, key(v))
            if len(self._keys) < MEMO_LIMIT:
                self._keys[id(v)] = hit
        return hit[1]

    def _cached(self, k, inputs, compute):
        hit = self._memo.get(k)
        if hit is not None:
            return hit[1]
        result = compute()
        if len(self._memo) < MEMO_LIMIT:
            self._memo[k] = (inputs, result)
        return result

    def _eq(self, index, ik, c):
        e = self._eqs.get((ik, c))
        if e is None:
            e = compare("==", index, c)
            if len(self._eqs) < MEMO_LIMIT:
                self._eqs[(ik, c)] = e
        return e

    def in_range(self, index, size: int):
        """The condition 0 <= index < size (memoised: every access at a symbolic index asks)."""
        k = ("in_range", self._key(index), size)
        return self._cached(k, (index,), lambda: and_(compare(">=", index, 0), compare("<", index, size)))

    def between(self, v, lo: int, hi: int):
        """The condition lo <= v <= hi (memoised: the range of a draw, met on every path)."""
        return self._cached(("between", key(v), lo, hi), (v,),
                            lambda: and_(compare(">=", v, lo), compare("<=", v, hi)))

    def negate(self, c):
        """not c (memoised: the negation of an obligation, asked on every path that meets it)."""
        if type(c) is bool:
            return not c
        return self._cached(("not", self._key(c)), (c,), lambda: not_(c))

    def select(self, cells, index):
        """cells[index] for a symbolic index (the caller has proved 0 <= index < len(cells))."""
        cells = tuple(cells)
        ik = self._key(index)

        def compute():
            result = cells[-1]
            for k in range(len(cells) - 2, -1, -1):
                result = ite(self._eq(index, ik, k), cells[k], result)
            return result
        return self._cached(("select", self._cells_key(cells), ik), (cells, index), compute)

    def store(self, cells, index, v) -> tuple:
        """cells with cells[index] = v, for a symbolic index (proved in range by the caller)."""
        cells = tuple(cells)
        ik = self._key(index)
        return self._cached(("store", self._cells_key(cells), ik, self._key(v)), (cells, index, v),
                            lambda: self._store(cells, index, ik, v))

    def _store(self, cells, index, ik, v) -> tuple:
        if _is_int(v) and len(cells) > 1:
            if not concrete(v):  # an increment of the cell read at this index: v = r + δ
                r = self.select(cells, index)
                if not concrete(r):
                    delta = sub(v, r)
                    if concrete(delta) or z3.substitute(delta, (r, term(cells[0], r.ctx))).eq(delta):
                        return self._bump(cells, index, ik, delta)
            delta = sub(v, cells[0])  # the same amount added to whichever cell?
            d0 = key(delta)
            for old in cells[1:]:
                if key(sub(v, old)) != d0:
                    break
            else:
                return self._bump(cells, index, ik, delta)
        return tuple(self._write(self._eq(index, ik, c), v, old) for c, old in enumerate(cells))

    @staticmethod
    def _write(eq, v, old):
        """If(eq, v, old) for a cell of a store, not simplified: v and old were each simplified
        when they were made, and with eq symbolic the simplifier would walk them again for
        nothing but the fold of equal branches, done here."""
        if type(eq) is bool:
            return v if eq else old
        literal, was = type(v) is int or type(v) is bool, type(old) is int or type(old) is bool
        if (v == old) if literal and was else (not literal and not was and v.eq(old)):
            return v  # (a literal never equals a term: a term that is a literal is a Python value)
        ctx = eq.ctx
        a, b = term(v, ctx), term(old, ctx)  # of one sort, int or bool: z3.If's coercions are not needed
        r = z3.Z3_mk_ite(ctx.ref(), eq.as_ast(), a.as_ast(), b.as_ast())
        return z3.BoolRef(r, ctx) if isinstance(a, z3.BoolRef) else z3.ArithRef(r, ctx)

    def _bump(self, cells, index, ik, delta) -> tuple:
        """cells with delta added to cells[index]: cell c is cells[c] + If(index == c, delta, 0),
        written as a sum in a canonical order (summands sorted by their z3 id, literals first:
        within a run, structurally equal terms share one id), so that increments applied in either
        order give the same term."""
        if type(delta) is int and delta == 0:
            return cells
        dk = key(delta)
        return tuple(self._sum(self._summands(old) + [(self._indicator_term(index, ik, c, delta, dk), 1)])
                     for c, old in enumerate(cells))

    def _indicator_term(self, index, ik, c, delta, dk):
        """If(index == c, delta, 0), built once per run."""
        return self._cached(("ind", ik, c, dk), (index, delta),
                            lambda: z3.If(self._eq(index, ik, c), term(delta, index.ctx), 0))

    def _sum(self, parts: list):
        """The sum of (summand, multiplicity) pairs, in a canonical order."""
        const = 0
        terms = []
        for s, m in parts:
            if type(s) is int:
                const += s * m
            else:
                terms.extend([s] * m)
        terms.sort(key=_term_id)
        if not terms:
            return const
        if const:
            terms.insert(0, z3.IntVal(_size(const), terms[0].ctx))
        return terms[0] if len(terms) == 1 else z3.Sum(terms)

    def total(self, cells):
        """The sum of int cells, with Σ_{c=lo..hi} If(x == c, δ, 0) folded into
        If(And(x >= lo, x <= hi), δ, 0) (x equals at most one c, so the two are equal)."""
        cells = tuple(cells)
        return self._cached(("total", self._cells_key(cells)), cells, lambda: self._total(cells))

    def _total(self, cells):
        const = 0
        rest: list = []
        groups: dict = {}  # (key(x), key(δ)) -> [x, δ, {c: count}]
        for v in cells:
            if type(v) is int:
                const += v
                continue
            for s, times in self._summands(v):
                if type(s) is int:
                    const += s * times
                    continue
                ind = self._indicator(s)
                if ind is None:
                    rest.extend([s] * times)
                    continue
                x, c, d = ind
                g = groups.setdefault((key(x), key(d)), [x, d, {}])
                g[2][c] = g[2].get(c, 0) + times
        for x, d, counts in groups.values():
            while counts:
                run = [min(counts)]
                while run[-1] + 1 in counts:
                    run.append(run[-1] + 1)
                if len(run) == 1:
                    rest.append(z3.If(x == run[0], term(d, x.ctx), 0))
                else:
                    rest.append(z3.If(z3.And(x >= run[0], x <= run[-1]), term(d, x.ctx), 0))
                for c in run:
                    counts[c] -= 1
                    if not counts[c]:
                        del counts[c]
        if not rest:
            return _size(const)
        return add(const, value(z3.simplify(z3.Sum(rest)) if len(rest) > 1 else z3.simplify(rest[0])))

    def _summands(self, v) -> list:
        """v as (summand, multiplicity) pairs; integer literals come out as Python ints."""
        if type(v) is int:
            return [(v, 1)]
        i = v.get_id()
        hit = self._parts.get(i)
        if hit is not None:
            return hit[1]
        if z3.is_add(v):
            out = []
            for a in v.children():
                out.extend(self._summands(a))
        elif isinstance(v, z3.IntNumRef):
            out = [(v.as_long(), 1)]
        elif z3.is_mul(v) and v.num_args() == 2 and isinstance(v.arg(0), z3.IntNumRef) \
                and 0 < v.arg(0).as_long() <= 64:
            out = [(s, m * v.arg(0).as_long()) for s, m in self._summands(v.arg(1))]
        else:
            out = [(v, 1)]
        if len(self._parts) < MEMO_LIMIT:
            self._parts[i] = (v, out)
        return out

    def _indicator(self, s):
        """(x, c, δ) if s is If(x == c, δ, 0) with c an integer literal, else None."""
        i = s.get_id()
        hit = self._ind.get(i)
        if hit is not None:
            return hit[1]
        out = None
        if z3.is_app_of(s, z3.Z3_OP_ITE):
            cond, then, other = s.children()
            if isinstance(other, z3.IntNumRef) and other.as_long() == 0 and z3.is_eq(cond):
                a, b = cond.children()
                if isinstance(b, z3.IntNumRef) and not isinstance(a, z3.IntNumRef):
                    out = (a, b.as_long(), value(then))
                elif isinstance(a, z3.IntNumRef) and not isinstance(b, z3.IntNumRef):
                    out = (b, a.as_long(), value(then))
        if len(self._ind) < MEMO_LIMIT:
            self._ind[i] = (s, out)
        return out


def _term_id(t) -> int:
    return t.get_id()


def _is_int(v) -> bool:
    return type(v) is int or (type(v) is not bool and z3.is_int(v))
