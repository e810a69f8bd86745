"""Shared maps (`cache: map`) in the program stage: where a map lives, and its forms -> `ir.MapOp`.

A map is one memory slot holding its entries (`symbolic.maps.MapValue`, empty at the start),
plus a block of location ids past memory for the reduction and the race check:
`BUCKETS` key-set buckets, then `BUCKETS` entry buckets (`MapVar`; docs/soundness.md).

Forms, each one step (an `ir.MapOp`), after the reads of its key (and value) as in any
statement: `v = cache[k]` (get), `cache[k] = v` (put), `del cache[k]` (del), and in expressions
`cache[k]`, `k in cache`, `len(cache)`. In an `assume` (no step) and in properties the map is
read in place: a read of a missing key there is a runtime error like an index out of range.
"""
from __future__ import annotations

from checker.errors import ModelError
from checker.lang import syntax as S
from checker.program import ir
from checker.program.ir import Fault, Src
from checker.program.model import MapVar, Slot
from checker.program.names import describe_type
from checker.symbolic import maps as MV

BUCKETS = 8  # entry buckets per map (and as many key-set buckets): a key k is in bucket k % BUCKETS
MAP_HINT = "declare one under 'shared:', e.g. 'cache: map'"


# ---- layout ---------------------------------------------------------------------------------

def place(layout, d: S.SharedDecl) -> None:
    """A map's memory slot (its entries, empty at the start); its locations come in `locate`."""
    slot = len(layout.slots)
    layout.slots.append(Slot(d.name, "map", False))
    layout.init.append((slot, lambda X: MV.EMPTY))
    layout.maps[d.name] = MapVar(d.name, slot, -1, BUCKETS)


def locate(layout) -> None:
    """Once every slot is placed: each map's block of location ids, past memory."""
    at = len(layout.slots)
    for name, mv in list(layout.maps.items()):
        layout.maps[name] = MapVar(name, mv.slot, at, mv.buckets)
        at += 2 * mv.buckets


def locations(maps) -> int:
    """How many location ids the maps take (past memory)."""
    return sum(2 * mv.buckets for mv in maps.values())


def keyset(mv: MapVar) -> tuple[int, int]:
    return mv.loc, mv.loc + mv.buckets


def block(mv: MapVar) -> tuple[int, int]:
    return mv.loc, mv.loc + 2 * mv.buckets


# ---- names ----------------------------------------------------------------------------------

def kind_words(layout, name: str) -> str:
    kind = layout.names.kinds.get(name)
    return describe_type(kind) if kind else "not declared"


def the_map(layout, e, what: str, hint: str) -> MapVar:
    """The map `e` names (a Name), or a ModelError that says what `e` is."""
    if isinstance(e, S.Name) and e.id in layout.maps:
        return layout.maps[e.id]
    if isinstance(e, S.Name):
        kind = layout.names.kinds.get(e.id)
        what_it_is = f"'{e.id}' is {describe_type(kind)}" if kind else f"'{e.id}' is not a shared map"
        raise ModelError(f"{what}; {what_it_is}", e.pos, hint)
    raise ModelError(f"{what}; found an expression", e.pos, hint)


def key_of(exprs, e: S.Index, src: Src):
    """(reads, key fn) of `cache[k]`: the key is an int."""
    pre, kfn, kt = exprs.expr(e.index, src)
    exprs.want(kt, "int", e.index.pos, "a map key")
    return pre, kfn


# ---- expressions ----------------------------------------------------------------------------

def is_map(layout, e) -> bool:
    return isinstance(e, (S.Name, S.Index)) and (e.base if isinstance(e, S.Index) else e).id in layout.maps


def direct_get(mv: MapVar, kfn, pos):
    """`cache[k]` read in place (an `assume`, a property): a missing key is a runtime error."""
    def get(X):
        k = kfn(X)
        entries = X.M[mv.slot]
        present = MV.member(entries, k)
        if present is False:
            raise Fault(f"key {k} is not in map '{mv.name}'", pos)
        if present is not True:
            X.ob.append((present, f"a key that is not in map '{mv.name}' is read", pos))
        return MV.select(entries, k)
    return get


def read(exprs, e: S.Index, src: Src, direct: set | None):
    """`cache[k]` in a statement: a `get` step into a temp; in place where `direct` is a set."""
    mv = exprs.layout.maps[e.base.id]
    pre, kfn = key_of(exprs, e, src)
    if direct is not None:
        direct.add(block(mv))
        return pre, reads(direct_get(mv, kfn, e.pos), kfn), "int"
    dst = exprs.locals.temp("int")
    return pre + [ir.MapOp("get", dst, mv, kfn, None, src)], exprs.locals.read(dst, e.pos), "int"


def member(exprs, e: S.Binary, src: Src, direct: set | None, step: bool):
    """`k in cache`: a step that reads the key set (`step`), else read in place."""
    mv = the_map(exprs.layout, e.right, "'in' needs a map on its right", MAP_HINT + ", and write 'k in cache'")
    pre, kfn, kt = exprs.expr(e.left, src)
    exprs.want(kt, "int", e.left.pos, "a map key")
    if not step:
        if direct is not None:
            direct.add(keyset(mv))
        return pre, reads(lambda X: MV.member(X.M[mv.slot], kfn(X)), kfn), "bool"
    dst = exprs.locals.temp("bool")
    return pre + [ir.MapOp("in", dst, mv, kfn, None, src)], exprs.locals.read(dst, e.pos), "bool"


def size(exprs, e: S.Call, src: Src, direct: set | None, step: bool):
    """`len(cache)`: a step that reads the key set (`step`), else read in place."""
    mv = exprs.layout.maps[e.args[0].id]
    if not step:
        if direct is not None:
            direct.add(keyset(mv))
        return [], (lambda X: len(X.M[mv.slot])), "int"
    dst = exprs.locals.temp("int")
    return [ir.MapOp("len", dst, mv, None, None, src)], exprs.locals.read(dst, e.pos), "int"


def len_of_other(layout, e: S.Call) -> None:
    """`len(m)` on a declared name that has no length: say what it is."""
    arg = e.args[0] if len(e.args) == 1 else None
    if isinstance(arg, S.Name) and arg.id in layout.names.kinds and arg.id not in layout.maps:
        kind = layout.names.kinds[arg.id]
        if not kind.endswith("_array") and kind not in ("queue",):
            raise ModelError(f"'len' takes a shared array, queue or map; '{arg.id}' is {describe_type(kind)}",
                             arg.pos, "write len(d) for an array, len(cache) for a map")


class Slots:
    """Where a property records what it reads: each location id (statements record ranges)."""

    def __init__(self, slots: set):
        self.slots = slots

    def add(self, lo_hi: tuple[int, int]) -> None:
        self.slots.update(range(*lo_hi))


def reads(fn, *parts):
    fn.uses = frozenset().union(*(getattr(p, "uses", frozenset()) for p in parts))
    return fn


# ---- statements -----------------------------------------------------------------------------

def entry(low, target: S.Index, src: Src):
    """(reads, map, key fn) of an entry `cache[k]` that a statement writes or deletes."""
    mv = low.layout.maps[target.base.id]
    pre, kfn = key_of(low.exprs, target, src)
    return pre, mv, kfn


def store(low, target, typ: str, src: Src, fn, cell) -> None:
    """`cache[k] = v`: the key's reads (unless `cell` has them done), then the `put` step."""
    name = (target.base if isinstance(target, S.Index) else target).id
    if not isinstance(target, S.Index):
        raise ModelError(f"cannot assign to '{name}': it is a map", target.pos,
                         f"write an entry, '{name}[k] = v'")
    if cell is None:
        pre, mv, kfn = entry(low, target, src)
        low.emit_all(pre)
    else:
        mv, kfn = cell
    low.exprs.want(typ, "int", src.pos, f"an entry of map '{name}'")
    low.emit(ir.MapOp("put", None, mv, kfn, fn, src))


def delete(low, s: S.Delete, src: Src) -> None:
    """`del cache[k]`: the key's reads, then the `del` step."""
    target = s.target
    base = target.base if isinstance(target, S.Index) else target
    if base.id not in low.layout.maps:
        kind = low.layout.names.kinds.get(base.id) or (base.id in low.locals and "local")
        if not kind:
            raise low.locals.undefined(base)
        raise ModelError(f"'del' removes an entry of a map; '{base.id}' is {describe_type(kind)}", base.pos,
                         MAP_HINT + ", and write 'del cache[k]'")
    if not isinstance(target, S.Index):
        raise ModelError(f"'del' needs the key of the entry to remove from map '{base.id}'", target.pos,
                         f"write 'del {base.id}[k]'")
    pre, mv, kfn = entry(low, target, src)
    low.emit_all(pre)
    low.emit(ir.MapOp("del", None, mv, kfn, None, src))


def uses_defs(i: ir.MapOp, uses) -> tuple[frozenset, frozenset]:
    """Liveness: the locals a map step reads, and the one it defines."""
    return uses(i.key) | uses(i.value), frozenset(() if i.dst is None else (i.dst,))
