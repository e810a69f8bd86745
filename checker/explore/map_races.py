"""Races on shared maps (`no_race`, `no_race: [cache]`): a map's accesses as `races.Touch`es, and
when two of them race (docs/semantics.md, "Maps").

A map has two kinds of location for races, never its buckets (those are the reduction's,
explore/maps.py): each entry `cache[k]`, per key, read by `get` and written by `put` and `del`;
and the key set, read by `len` (all of it) and `in` (its key), written by `del` and by a `put`
whose key is new. So two accesses to entries race only if their keys can be equal, and a
`len` races with every insertion and deletion. A Touch of a map holds in `index` the triple
(facet, key, guard): facet 'entry' or 'keys', the key (None: any key: `len`, or an `assume`
that reads the map in place), and the condition under which the access happens (a `put`
writes the key set only if its key is new: `not (k in cache)` on the state before it). A race
needs the keys equal and both guards true on the path; the solver decides it when terms are
involved, and the witness names the key (`cache[2]`).
"""
from __future__ import annotations

from checker.explore.maps import key_here, owner
from checker.explore.state import ATOMIC, READ, WRITE
from checker.program import ir
from checker.program.model import MapVar
from checker.symbolic import maps as MV
from checker.symbolic import values as V
from checker.symbolic.solver import Sat

KEY = "\0key"
ENUMERATE = 64  # the cross-checks: at most this many keys named per racing pair


def watched(watch, mv: MapVar) -> bool:
    return mv.loc in watch.slots


def touches(watch, code: tuple, s, t: int, A: tuple, pos: int, seq: int, Touch) -> list:
    """The plain accesses of thread t's step from s to the watched maps (accesses A)."""
    ts = s.T[t]
    i = code[ts.pc]
    out = []
    own = None
    if type(i) is ir.MapOp and watched(watch, i.map) and not any(a.op == ATOMIC for a in A):
        own = i.map
        k = key_here(i, ts.L, s.M)
        entries = s.M[i.map.slot]

        def touch(facet: str, mode: int, key, guard=True) -> None:
            if guard is not False:
                out.append(Touch(pos, t, seq, i.src, mode, i.map, None, (facet, key, guard)))

        if i.op == "get":
            touch("entry", READ, k)
        elif i.op == "in":
            touch("keys", READ, k)
        elif i.op == "len":
            touch("keys", READ, None)
        elif i.op == "put":
            touch("entry", WRITE, k)
            touch("keys", WRITE, k, V.not_(MV.member(entries, k)) if k is not None else True)
        else:
            touch("entry", WRITE, k)
            touch("keys", WRITE, k)
    for a in A:  # an `assume` in the step's local work that reads a map in place: any key
        mv = owner(watch.maps, a.lo)
        if mv is None or a.op == ATOMIC or mv is own or not watched(watch, mv):
            continue
        src = next((j.src for j in code[ts.pc + 1:] if type(j) is ir.Assume
                    and any(lo <= a.lo < hi for lo, hi in j.reads)), i.src)
        facet = "keys" if a.lo < mv.loc + mv.buckets else "entry"
        out.append(Touch(pos, t, seq, src, READ, mv, None, (facet, None, True)))
    return out


def cells(x) -> range:
    """The location ids (buckets) a map touch may be in, for the monitor's per-location lists."""
    facet, k, _ = x.index
    mv = x.var
    first = mv.loc if facet == "keys" else mv.loc + mv.buckets
    if type(k) is int:
        b = first + k % mv.buckets
        return range(b, b + 1)
    return range(first, first + mv.buckets)


def location(mv: MapVar, facet: str, key) -> str:
    return f"{mv.name}[{V.show(key)}]" if facet == "entry" else f"the key set of {mv.name}"


def race(watch, e, x, y, path: tuple, only=None, every_cell: bool = False) -> list:
    """Violations if map touches x and y race on `path` (different threads, not ordered)."""
    from checker.explore.races import violation
    if not (x.mode == WRITE or y.mode == WRITE) or x.var is not y.var:
        return []
    (fx, kx, gx), (fy, ky, gy) = x.index, y.index
    if fx != fy:
        return []
    mv = x.var
    props = [p for p in watch.props if mv.loc in p.slots and (only is None or only(p))]
    if not props:
        return []
    same = True if kx is None or ky is None else V.compare("==", kx, ky)
    cond = V.and_(V.and_(same, gx), gy)
    key = kx if kx is not None else ky
    if cond is False:
        return []
    found = []
    for values, k in witnesses(e, path, cond, key, every_cell and fx == "entry"):
        found += [violation(watch.program, p, location(mv, fx, k), x, y, values) for p in props]
    return found


def witnesses(e, path: tuple, cond, key, every: bool) -> list:
    """[(a model of the inputs, the racing key)]: one, or with `every` each key they can share."""
    if e.values is not None:  # a replay: everything is concrete
        return [(None, key)] if cond is True else []
    if cond is True and (key is None or type(key) is int):
        return [((e.solver.model(path, None, e.symbols) if (path or e.symbols) else {}), key)]
    out = []
    while len(out) < (ENUMERATE if every else 1):
        r = e.solver.check(path, cond)
        if r is Sat.UNKNOWN:
            e.unknowns.append("solver returned unknown on whether two accesses touch one map entry")
            return out
        if r is Sat.UNSAT:
            return out
        model = e.solver.model(path, cond, {**e.symbols, KEY: key} if key is not None and type(key) is not int
                               else e.symbols)
        if model is None:
            return out
        k = model.pop(KEY, key)
        out.append((model, k))
        if type(key) is int or key is None:
            return out
        cond = V.and_(cond, V.compare("!=", key, k))
    return out
