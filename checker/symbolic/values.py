"""Arithmetic and logic over values that are either concrete (int, bool) or z3 terms.

Contract: when every operand is concrete the result is concrete and no z3 object is built, so a
model without inputs runs as plain Python. A result on terms that simplifies to a literal is
returned as the Python int or bool too (`value`), so a condition that z3's simplifier already
decides (`g1 + g2 == g1 + g2`) never reaches the solver; the callers test `type(c) is bool`
before asking, and a path condition only ever holds terms. Integers are mathematical; `//` and `%` follow
Python's floor semantics in both worlds (z3's own `div` is Euclidean, so it is wrapped).
The caller guards division by zero; here a zero divisor is never passed for concrete values.

Arrays read or written at a symbolic index are built by a `Terms` object, which belongs to one
run and memoises its terms; there is no module-level mutable state here.
"""
from __future__ import annotations

import z3

Value = object  # int | bool | z3.ArithRef | z3.BoolRef

MAX_BITS = 4096  # a concrete integer beyond this is a hostile model: `Overflow` ends the run


class Overflow(Exception):
    """A concrete integer outgrew MAX_BITS (an internal budget signal, not a model error)."""


def concrete(v: Value) -> bool:
    return type(v) is int or type(v) is bool


def _size(v: int) -> int:
    if v.bit_length() > MAX_BITS:
        raise Overflow()
    return v


def context() -> z3.Context:
    """A z3 context for one run: its terms, its solver and the order z3 gives their arguments
    belong to that run alone, so two runs in one process answer as each alone."""
    return z3.Context()


def int_var(name: str, ctx: z3.Context | None = None) -> z3.ArithRef:
    return z3.Int(name, ctx)


def bool_var(name: str, ctx: z3.Context | None = None) -> z3.BoolRef:
    return z3.Bool(name, ctx)


def add(a, b):
    if type(a) is int and type(b) is int:
        return _size(a + b)
    return value(z3.simplify(a + b))


def sub(a, b):
    if type(a) is int and type(b) is int:
        return _size(a - b)
    return value(z3.simplify(a - b))


def mul(a, b):
    if type(a) is int and type(b) is int:
        return _size(a * b)
    return value(z3.simplify(a * b))


def neg(a):
    if type(a) is int:
        return -a
    return value(z3.simplify(-a))


def _zdiv(a, b):
    # floor division for any sign of b: for b > 0 SMT div is floor; for b < 0 negate both.
    return z3.If(b > 0, a / b, (-a) / (-b))


def floordiv(a, b):
    if type(a) is int and type(b) is int:
        return a // b
    return value(z3.simplify(_zdiv(a, b)))


def mod(a, b):
    if type(a) is int and type(b) is int:
        return a % b
    return value(z3.simplify(a - b * _zdiv(a, b)))


_CMP = {
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}


def compare(op: str, a, b):
    r = _CMP[op](a, b)
    if concrete(a) and concrete(b):
        return bool(r)
    return value(z3.simplify(r))


def not_(a):
    if type(a) is bool:
        return not a
    return value(z3.simplify(z3.Not(a)))


def and_(a, b):
    if type(a) is bool and type(b) is bool:
        return a and b
    if a is False or b is False:
        return False
    if a is True:
        return b
    if b is True:
        return a
    return value(z3.simplify(z3.And(a, b)))


def or_(a, b):
    if type(a) is bool and type(b) is bool:
        return a or b
    if a is True or b is True:
        return True
    if a is False:
        return b
    if b is False:
        return a
    return value(z3.simplify(z3.Or(a, b)))


def ite(c, a, b):
    if type(c) is bool:
        return a if c else b
    return value(z3.simplify(z3.If(c, term(a, c.ctx), term(b, c.ctx))))


def term(v, ctx: z3.Context | None = None):
    """A value as a z3 term (ints and bools become constants of `ctx`: pass the run's context,
    or a term's `.ctx`, whenever v may be a Python value)."""
    if type(v) is bool:
        return z3.BoolVal(v, ctx)
    if type(v) is int:
        return z3.IntVal(v, ctx)
    return v


def value(t):
    """A z3 term that simplified to a literal, as the Python int or bool it is (other values
    are returned as they are), so that concrete results stay concrete."""
    if type(t) is int or type(t) is bool:
        return t
    if isinstance(t, z3.IntNumRef):
        return t.as_long()
    if isinstance(t, z3.BoolRef):
        b = z3.Z3_get_bool_value(t.ctx_ref(), t.as_ast())
        if b == z3.Z3_L_TRUE:
            return True
        if b == z3.Z3_L_FALSE:
            return False
    return t


def key(v: Value):
    """A hashable identity of a value that keeps its type apart: `key(True) != key(1)` although
    `True == 1` in Python; structurally equal z3 terms share an id (hash-consing), and terms of
    different sorts are different terms."""
    t = type(v)
    if t is int or v is None:
        return v
    if t is bool:
        return _TRUE if v else _FALSE
    if isinstance(v, tuple):  # a map's entries (`symbolic.maps.MapValue`)
        return ("map",) + tuple((key(a), key(b)) for a, b in v)
    return ("z", v.get_id())


_TRUE, _FALSE = ("bool", True), ("bool", False)


# ---- arrays at a symbolic index --------------------------------------------------------------

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


def show(v: Value) -> str:
    if type(v) is bool:
        return "true" if v else "false"
    return str(v)
