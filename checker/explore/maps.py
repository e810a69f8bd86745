"""Shared maps (`cache: map`): the semantics of a map step, its dependence, and its races.

Semantics (docs/semantics.md, "Maps"). A map's entries are one `symbolic.maps.MapValue` in its
memory slot; its keys are pairwise distinct on the path. A step evaluates its key (and value):
* `get` reads the entry at k; `in` whether k is a key; `len` the number of entries (always
  concrete). On a symbolic key the value is an If-chain over the entries and `in` a
  disjunction of equalities: no fork. A `get` of a key that may be missing is a solver
  obligation of kind `runtime`; its message names the key the counterexample gives.
* `put` and `del` must know which entry k is: on a symbolic key the step forks, one way per
  entry k can equal and (for `put`) one where k is new, each way with its equality (or the
  disequalities) on the path; ways the path refutes are dropped, and a single feasible way
  adds nothing to the path (as a branch does). A `del` of a key that may be missing is a
  runtime obligation first.

Dependence (docs/soundness.md, "Maps"): a map owns `2 * B` location ids (`model.MapVar`): B key-set
buckets, then B entry buckets; a concrete key k is in bucket k % B, a symbolic one in every
bucket. get: R entry bucket; put: W entry bucket, and W key-set bucket when k is not yet a key
(state-dependent); del: W both; in: R key-set bucket; len: R every key-set bucket.

Races (docs/semantics.md): entries are locations per key (never per bucket): two accesses race
on `cache[k]` only if their keys can be equal; the key set is one location, read by `len`
(every key) and `in` (its key), written by a first `put` of a key and by `del` (that key).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from checker.explore.frame import STOP, Frame
from checker.explore.memory import index_value
from checker.explore.state import OTHER, READ, WRITE, Access, Outcome, Violation
from checker.program import ir
from checker.program.model import MapVar
from checker.symbolic import maps as MV
from checker.symbolic import values as V
from checker.symbolic.solver import Sat

if TYPE_CHECKING:
    from checker.explore.semantics import Engine

KEY = "\0key"  # the name under which a counterexample model returns a missing key


# ---- semantics ----------------------------------------------------------------------------------

def missing(mv: MapVar, k) -> str:
    return f"key {V.show(k)} is not in map '{mv.name}'"


def present(e: Engine, f: Frame, i: ir.MapOp, k, out) -> bool:
    """Is k a key of the map on every input that reaches here? Else the runtime violation, with
    the key the counterexample gives in its message."""
    entries = f.M[i.map.slot]
    cond = MV.member(entries, k)
    if cond is True:
        return True
    if cond is False:
        e.violate(f, "runtime", missing(i.map, k), i.src, out)
        return False
    neg = e.solver.terms.negate(cond)
    r = e.solver.check(f.path, neg)
    if r is Sat.UNSAT:
        return True
    if r is Sat.UNKNOWN:
        e.unknowns.append(f"solver returned unknown on '{i.src.text}' (line {i.src.pos.line})")
        return True
    values = e.solver.model(f.path, neg, {**e.symbols, KEY: k} if type(k) is not int else e.symbols) or {}
    message = missing(i.map, values.pop(KEY, k))
    f.note("violation", message)
    out.append(Outcome(f.state(), tuple(f.choices), Violation("runtime", message, i.src.text, i.src.pos.line,
                                                                 i.src.pos.col, values), None, f.log))
    return False


def step(e: Engine, f: Frame, i: ir.MapOp, out):
    mv, op = i.map, i.op
    v = None
    if op == "put":  # the value, then the key (as an array write)
        ok, v = e.eval(f, i.value, i.src, out)
        if not ok:
            return STOP
    k = None
    if i.key is not None:
        ok, k = e.eval(f, i.key, i.src, out)
        if not ok:
            return STOP
    entries = f.M[mv.slot]
    if op == "len":
        return _result(e, f, i, f"len({mv.name})", len(entries))
    if op == "in":
        return _result(e, f, i, f"{V.show(k)} in {mv.name}", MV.member(entries, k))
    if op == "get":
        if not present(e, f, i, k, out):
            return STOP
        return _result(e, f, i, f"{mv.name}[{V.show(k)}]", MV.select(entries, k))
    if op == "del" and not present(e, f, i, k, out):
        return STOP
    ways = _ways(e, f, entries, k, new=op == "put")
    if not ways:  # only when the solver could not decide: `unknowns` says so
        return STOP
    if len(ways) == 1:
        index, _ = ways[0]
        _apply(f, i, index, k, v)
        return None
    branches = []
    for index, cond in ways:
        g = f.clone()
        g.path = g.path + (cond,)
        g.forks.append(("map", index))
        _apply(g, i, index, k, v)
        branches.append(g)
    return e.continue_forks(branches, out)


def _ways(e: Engine, f: Frame, entries, k, new: bool) -> list:
    """Which entry k is: [(entry index or None for a new key, condition)], the feasible ones.
    A key known without the solver gives one way and no condition."""
    hit = MV.find(entries, k)
    if hit is not None:
        return [(hit, True)]
    eqs = [(n, c) for n, c in enumerate(MV.equalities(entries, k)) if c is not False]
    ways = list(eqs)
    if new:
        absent = True
        for _, c in eqs:
            absent = V.and_(absent, V.not_(c))
        ways.append((None, absent))
    if len(ways) == 1 and type(ways[0][1]) is bool:
        return ways
    feasible = [(n, c) for n, c in ways if c is True or (c is not False and e.feasible(f, c))]
    if len(feasible) == 1:  # the path decides it: nothing to add (as a branch the path implies)
        f.forks.append(("map", feasible[0][0]))
    return feasible


def _apply(f: Frame, i: ir.MapOp, index, k, v) -> None:
    mv = i.map
    entries = f.M[mv.slot]
    if i.op == "put":
        name = f"{mv.name}[{V.show(k)}]"
        f.M[mv.slot] = MV.put(entries, index, k, v)
        f.note("write", name, v)
    else:
        name = f"{mv.name}[{V.show(entries[index][0])}]"
        f.M[mv.slot] = MV.delete(entries, index)
        f.note("del", name)
    f.pc += 1


def _result(e: Engine, f: Frame, i: ir.MapOp, what: str, v):
    f.L[i.dst] = v
    if f.seen is not None and f.t in e.watched_threads:  # a `no_leak` observer sees what it reads
        f.seen.append((("thread", f.t), v))
    f.note("read", what, v)
    f.pc += 1


HANDLERS = {ir.MapOp: step}


# ---- dependence ---------------------------------------------------------------------------------

def key_here(i: ir.MapOp, L, M):
    """The step's key from locals L (None: not known) and memory M: an int, a term, or None
    (not known here: every bucket)."""
    return None if i.key is None else index_value(i.key, L, M)


def access(i: ir.MapOp, t: int, s, L) -> tuple:
    """The locations map step i touches (s None: in any state; L None: locals not known)."""
    mv, B = i.map, i.map.buckets
    keys, entries = mv.loc, mv.loc + B
    k = key_here(i, L, s.M if s is not None else ())
    exact = type(k) is int
    b = k % B if exact else 0

    def at(first: int, mode: int) -> Access:
        if exact:
            return Access(first + b, first + b + 1, mode, OTHER)
        return Access(first, first + B, mode, OTHER)

    op = i.op
    if op == "get":
        return (at(entries, READ),)
    if op == "in":
        return (at(keys, READ),)
    if op == "len":
        return (Access(keys, keys + B, READ, OTHER),)
    if op == "del" or not exact:
        return (at(keys, WRITE), at(entries, WRITE))
    new = s is None or MV.find(s.M[mv.slot], k) is None  # put: a first write also writes the key set
    return ((at(keys, WRITE),) if new else ()) + (at(entries, WRITE),)


def state_dependent(i) -> bool:
    """A `put` writes the key set only when its key is new: what it touches depends on the map."""
    return i.op == "put"


def owner(maps: dict, loc: int):
    """The map whose block holds location `loc`, or None."""
    for mv in maps.values():
        if mv.loc <= loc < mv.loc + 2 * mv.buckets:
            return mv
    return None
