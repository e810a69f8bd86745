"""Interval bounds: decide a query without z3 when the ranges on the path already refute it.

The path condition holds range facts about single constants: an input's declared range, an
`any` draw's range, a branch like `x > 5`, a resolved index `i == 2`. `facts(c)` reads those
out of one conjunct; `refuted(t, bounds)` evaluates a boolean term over intervals (three-valued:
True, False, or None for "cannot tell") with every constant in its range. If the term is False
on every point of the box, then `path ∧ t` is unsatisfiable, because the box contains every
point that satisfies the path's range facts. Only that answer (unsat) is ever taken from here;
anything else goes to z3. A typical win: an index obligation `Not(And(k >= 0, k <= 9))` under
the draw `k = any 0..9`, or `sum(d) == 6` after `Terms.total` folded it into a few guarded
constants.
"""
from __future__ import annotations

import z3

INF = float("inf")
NODE_LIMIT = 400  # larger terms are left to z3

_LE, _GE, _LT, _GT = z3.Z3_OP_LE, z3.Z3_OP_GE, z3.Z3_OP_LT, z3.Z3_OP_GT
_EQ, _DISTINCT, _NOT, _AND, _OR = z3.Z3_OP_EQ, z3.Z3_OP_DISTINCT, z3.Z3_OP_NOT, z3.Z3_OP_AND, z3.Z3_OP_OR
_ITE, _ADD, _SUB, _MUL, _UMINUS = z3.Z3_OP_ITE, z3.Z3_OP_ADD, z3.Z3_OP_SUB, z3.Z3_OP_MUL, z3.Z3_OP_UMINUS
_TRUE, _FALSE, _NUM, _CONST = z3.Z3_OP_TRUE, z3.Z3_OP_FALSE, z3.Z3_OP_ANUM, z3.Z3_OP_UNINTERPRETED


def _symbol(t) -> bool:
    return t.num_args() == 0 and t.decl().kind() == _CONST and z3.is_int(t)


def facts(c) -> list:
    """Range facts (constant id, lo, hi) that the conjunct c states about single int constants."""
    out: list = []
    _facts(c, True, out)
    return out


def _facts(c, positive: bool, out: list) -> None:
    if not z3.is_app(c):
        return
    k = c.decl().kind()
    if k == _AND and positive:
        for a in c.children():
            _facts(a, True, out)
        return
    if k == _NOT:
        _facts(c.arg(0), not positive, out)
        return
    if k not in (_LE, _GE, _LT, _GT, _EQ) or c.num_args() != 2:
        return
    a, b = c.arg(0), c.arg(1)
    if _symbol(a) and isinstance(b, z3.IntNumRef):
        x, n, op = a, b.as_long(), k
    elif _symbol(b) and isinstance(a, z3.IntNumRef):  # n <= x is x >= n
        x, n, op = b, a.as_long(), {_LE: _GE, _GE: _LE, _LT: _GT, _GT: _LT, _EQ: _EQ}[k]
    else:
        return
    if not positive:  # not (x <= n) is x >= n + 1, ...; not (x == n) says no range
        if op == _EQ:
            return
        op = {_LE: _GT, _GE: _LT, _LT: _GE, _GT: _LE}[op]
    i = x.get_id()
    if op == _LE:
        out.append((i, -INF, n))
    elif op == _LT:
        out.append((i, -INF, n - 1))
    elif op == _GE:
        out.append((i, n, INF))
    elif op == _GT:
        out.append((i, n + 1, INF))
    else:
        out.append((i, n, n))


def narrow(bounds: dict, new: list) -> dict:
    """bounds (constant id -> (lo, hi)) with the facts `new` added (a new dict if any)."""
    if not new:
        return bounds
    out = dict(bounds)
    for i, lo, hi in new:
        old = out.get(i)
        if old is not None:
            lo, hi = max(lo, old[0]), min(hi, old[1])
        out[i] = (lo, hi)
    return out


class _TooBig(Exception):
    pass


def refuted(t, bounds: dict) -> bool:
    """True if the boolean term t is false at every point of the box `bounds`."""
    if any(lo > hi for lo, hi in bounds.values()):
        return True  # the path's own ranges are empty: nothing satisfies it
    ev = _Eval(t.ctx_ref(), bounds)
    try:
        return ev.boolean(t.as_ast()) is False
    except _TooBig:
        return False


# The evaluator walks raw ASTs through the C API: no Python wrapper per node. The root term
# is alive for the whole walk, and it holds every node below it.
_kind_of_ast, _decl, _decl_kind = z3.Z3_get_ast_kind, z3.Z3_get_app_decl, z3.Z3_get_decl_kind
_nargs, _arg, _id = z3.Z3_get_app_num_args, z3.Z3_get_app_arg, z3.Z3_get_ast_id
_NUMERAL_AST, _APP_AST = z3.Z3_NUMERAL_AST, z3.Z3_APP_AST


class _Eval:
    def __init__(self, ctx, bounds: dict):
        self.ctx = ctx
        self.bounds = bounds
        self.seen: dict = {}
        self.nodes = 0

    def _app(self, a):
        """(node id, decl kind or None for a numeral, number of args); counts the node."""
        self.nodes += 1
        if self.nodes > NODE_LIMIT:
            raise _TooBig()
        ctx = self.ctx
        k = _kind_of_ast(ctx, a)
        if k == _NUMERAL_AST:
            return _id(ctx, a), None, 0
        if k != _APP_AST:
            return _id(ctx, a), -1, 0
        return _id(ctx, a), _decl_kind(ctx, _decl(ctx, a)), _nargs(ctx, a)

    def boolean(self, a):
        i, k, n = self._app(a)
        if i in self.seen:
            return self.seen[i]
        r = self._boolean(a, k, n)
        self.seen[i] = r
        return r

    def _boolean(self, a, k, n):
        ctx = self.ctx
        if k == _TRUE:
            return True
        if k == _FALSE:
            return False
        if k == _NOT:
            r = self.boolean(_arg(ctx, a, 0))
            return None if r is None else not r
        if k == _AND or k == _OR:
            unknown = False
            for j in range(n):
                r = self.boolean(_arg(ctx, a, j))
                if r is None:
                    unknown = True
                elif r is (k == _OR):  # a true disjunct, a false conjunct
                    return r
            return None if unknown else k == _AND
        if k == _ITE:
            c = self.boolean(_arg(ctx, a, 0))
            if c is not None:
                return self.boolean(_arg(ctx, a, 1 if c else 2))
            x, y = self.boolean(_arg(ctx, a, 1)), self.boolean(_arg(ctx, a, 2))
            return x if x == y else None
        if k in _COMPARE and n == 2:
            x, y = _arg(ctx, a, 0), _arg(ctx, a, 1)
            if z3.Z3_get_sort_kind(ctx, z3.Z3_get_sort(ctx, x)) != z3.Z3_INT_SORT:
                return None
            (alo, ahi), (blo, bhi) = self.integer(x), self.integer(y)
            if k == _GE or k == _GT:
                (alo, ahi), (blo, bhi), k = (blo, bhi), (alo, ahi), _LE if k == _GE else _LT
            if k == _LE:
                return True if ahi <= blo else False if alo > bhi else None
            if k == _LT:
                return True if ahi < blo else False if alo >= bhi else None
            same = alo == ahi == blo == bhi
            apart = ahi < blo or bhi < alo
            if k == _EQ:
                return True if same else False if apart else None
            return False if same else True if apart else None
        return None

    def integer(self, a) -> tuple:
        i, k, n = self._app(a)
        if i in self.seen:
            return self.seen[i]
        r = self._integer(a, i, k, n)
        self.seen[i] = r
        return r

    def _integer(self, a, i, k, n) -> tuple:
        ctx = self.ctx
        if k is None:
            v = int(z3.Z3_get_numeral_string(ctx, a))
            return v, v
        if k == _CONST and n == 0:
            return self.bounds.get(i, (-INF, INF))
        if k == _ADD:
            lo = hi = 0
            for j in range(n):
                alo, ahi = self.integer(_arg(ctx, a, j))
                lo, hi = lo + alo, hi + ahi
            return lo, hi
        if k == _SUB:
            lo, hi = self.integer(_arg(ctx, a, 0))
            for j in range(1, n):
                alo, ahi = self.integer(_arg(ctx, a, j))
                lo, hi = lo - ahi, hi - alo
            return lo, hi
        if k == _UMINUS:
            lo, hi = self.integer(_arg(ctx, a, 0))
            return -hi, -lo
        if k == _MUL:
            lo = hi = 1
            for j in range(n):
                alo, ahi = self.integer(_arg(ctx, a, j))
                ps = [_times(x, y) for x in (lo, hi) for y in (alo, ahi)]
                lo, hi = min(ps), max(ps)
            return lo, hi
        if k == _ITE:
            c = self.boolean(_arg(ctx, a, 0))
            if c is not None:
                return self.integer(_arg(ctx, a, 1 if c else 2))
            (alo, ahi), (blo, bhi) = self.integer(_arg(ctx, a, 1)), self.integer(_arg(ctx, a, 2))
            return min(alo, blo), max(ahi, bhi)
        return -INF, INF


_COMPARE = (_LE, _GE, _LT, _GT, _EQ, _DISTINCT)


def _times(x, y):
    return 0 if x == 0 or y == 0 else x * y
