"""Arithmetic and logic over values that are either concrete (int, bool) or z3 terms.

Contract: when every operand is concrete the result is concrete and no z3 object is built, so a
model without inputs runs as plain Python. Integers are mathematical; `//` and `%` follow
Python's floor semantics in both worlds (z3's own `div` is Euclidean, so it is wrapped).
The caller guards division by zero; here a zero divisor is never passed for concrete values.
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


def int_var(name: str) -> z3.ArithRef:
    return z3.Int(name)


def bool_var(name: str) -> z3.BoolRef:
    return z3.Bool(name)


def add(a, b):
    if type(a) is int and type(b) is int:
        return _size(a + b)
    return z3.simplify(a + b)


def sub(a, b):
    if type(a) is int and type(b) is int:
        return _size(a - b)
    return z3.simplify(a - b)


def mul(a, b):
    if type(a) is int and type(b) is int:
        return _size(a * b)
    return z3.simplify(a * b)


def neg(a):
    if type(a) is int:
        return -a
    return z3.simplify(-a)


def _zdiv(a, b):
    # floor division for any sign of b: for b > 0 SMT div is floor; for b < 0 negate both.
    return z3.If(b > 0, a / b, (-a) / (-b))


def floordiv(a, b):
    if type(a) is int and type(b) is int:
        return a // b
    return z3.simplify(_zdiv(a, b))


def mod(a, b):
    if type(a) is int and type(b) is int:
        return a % b
    return z3.simplify(a - b * _zdiv(a, b))


_CMP = {
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}


def compare(op: str, a, b):
    r = _CMP[op](a, b)
    if concrete(a) and concrete(b):
        return bool(r)
    return z3.simplify(r)


def not_(a):
    if type(a) is bool:
        return not a
    return z3.simplify(z3.Not(a))


def and_(a, b):
    if type(a) is bool and type(b) is bool:
        return a and b
    if a is False or b is False:
        return False
    if a is True:
        return b
    if b is True:
        return a
    return z3.simplify(z3.And(a, b))


def or_(a, b):
    if type(a) is bool and type(b) is bool:
        return a or b
    if a is True or b is True:
        return True
    if a is False:
        return b
    if b is False:
        return a
    return z3.simplify(z3.Or(a, b))


def ite(c, a, b):
    if type(c) is bool:
        return a if c else b
    return z3.simplify(z3.If(c, _term(a), _term(b)))


def _term(v):
    if type(v) is bool:
        return z3.BoolVal(v)
    if type(v) is int:
        return z3.IntVal(v)
    return v


_MEMO: dict = {}
MEMO_LIMIT = 200_000


def _memo(key, inputs, compute):
    """Memoise a term construction by the ids of its inputs. The entry keeps the inputs alive,
    because z3 reuses the id of a freed term."""
    hit = _MEMO.get(key)
    if hit is not None:
        return hit[1]
    result = compute()
    if len(_MEMO) < MEMO_LIMIT:
        _MEMO[key] = (inputs, result)
    return result


def select(cells, index):
    """cells[index] for a symbolic index (the caller has proved 0 <= index < len(cells))."""
    def compute():
        result = cells[-1]
        for k in range(len(cells) - 2, -1, -1):
            result = ite(compare("==", index, k), cells[k], result)
        return result
    cells = tuple(cells)
    return _memo(("select", tuple(key(c) for c in cells), key(index)), (cells, index), compute)


def store(cells, index, v) -> tuple:
    """cells with cells[index] = v, for a symbolic index (proved in range by the caller)."""
    cells = tuple(cells)
    return _memo(("store", tuple(key(c) for c in cells), key(index), key(v)), (cells, index, v),
                 lambda: tuple(ite(compare("==", index, c), v, old) for c, old in enumerate(cells)))


def key(v: Value):
    """A hashable identity of a value: structurally equal z3 terms share an id (hash-consing)."""
    if v is None or concrete(v):
        return v
    return ("z", v.get_id())


def show(v: Value) -> str:
    if type(v) is bool:
        return "true" if v else "false"
    return str(v)
