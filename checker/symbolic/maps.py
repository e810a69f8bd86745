"""The value of a shared map (`cache: map`): its entries, as one hashable, immutable value.

A `MapValue` is a tuple of (key, value) pairs. Keys and values are ints or z3 int terms.
Invariant (kept by `checker.explore.maps`): the keys of one map are pairwise distinct on the
path that holds it, so the number of entries is the map's size (`len` is always concrete)
and a key equals at most one entry. Concrete keys come first, in ascending order, then the
symbolic keys in the order they were inserted; so two states with the same concrete entries
hold equal values (the stateful search hashes them through `values.key`).

The lookups below build terms only when a key is symbolic: `member(entries, k)` is the
condition "k is a key", `select(entries, k)` the value at k (an If-chain; the caller has
proved k is a key). On concrete keys they are plain Python.
"""
from __future__ import annotations

from checker.symbolic import values as V


class MapValue(tuple):
    """The entries of a map: ((key, value), ...), keys pairwise distinct on the path."""

    __slots__ = ()

    def __str__(self) -> str:
        return "{" + ", ".join(f"{V.show(k)}: {V.show(v)}" for k, v in self) + "}"

    __repr__ = __str__


EMPTY = MapValue()


def _order(entries) -> MapValue:
    concrete = sorted((e for e in entries if type(e[0]) is int), key=lambda e: e[0])
    return MapValue(concrete + [e for e in entries if type(e[0]) is not int])


def equalities(entries: MapValue, k) -> list:
    """k == key for each entry, in order: True, False or a term."""
    return [V.compare("==", k, key) for key, _ in entries]


def member(entries: MapValue, k):
    """The condition that k is a key of the map (a bool when it is decided without a solver)."""
    out = False
    for c in equalities(entries, k):
        out = V.or_(out, c)
        if out is True:
            return True
    return out


def select(entries: MapValue, k):
    """The value at key k (the caller has proved that k is a key): the entry whose key is k."""
    eqs = equalities(entries, k)
    for c, (_, v) in zip(eqs, entries):
        if c is True:
            return v
    live = [(c, v) for c, (_, v) in zip(eqs, entries) if c is not False]
    if not live:  # unreachable when k is a key; a value nonetheless
        return 0
    out = live[-1][1]
    for c, v in reversed(live[:-1]):
        out = V.ite(c, v, out)
    return out


def put(entries: MapValue, index: int | None, k, v) -> MapValue:
    """The map with entry `index` set to v, or (index None) with the new entry (k, v)."""
    if index is None:
        return _order(list(entries) + [(k, v)])
    out = list(entries)
    out[index] = (out[index][0], v)
    return MapValue(out)


def delete(entries: MapValue, index: int) -> MapValue:
    return MapValue(entries[:index] + entries[index + 1:])


def find(entries: MapValue, k) -> int | None:
    """The entry whose key is k, when that is known without a solver (else None)."""
    for n, c in enumerate(equalities(entries, k)):
        if c is True:
            return n
    return None

