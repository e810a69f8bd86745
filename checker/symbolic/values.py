"""Arithmetic and logic over values that are either concrete (int, bool) or z3 terms.

Contract: when every operand is concrete the result is concrete and no z3 object is built, so a
model without inputs runs as plain Python. A result on terms that simplifies to a literal is
returned as the Python int or bool too (`value`), so a condition that z3's simplifier already
decides (`g1 + g2 == g1 + g2`) never reaches the solver; the callers test `type(c) is bool`
before asking, and a path condition only ever holds terms. Integers are mathematical; `//` and `%` follow
Python's floor semantics in both worlds (z3's own `div` is Euclidean, so it is wrapped).
The caller guards division by zero; here a zero divisor is never passed for concrete values.

Arrays read or written at a symbolic index are built by a `Terms` object (`checker.symbolic.terms`),
which belongs to one run and memoises its terms; there is no module-level mutable state here.
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


def show(v: Value) -> str:
    if type(v) is bool:
        return "true" if v else "false"
    return str(v)
