"""Properties: the `check:` entries -> `Property` (and `Leak` for `no_leak`).

`final` and `always` are conditions over shared memory, inputs and thread positions, compiled by
the one expression compiler (`expr.Expressions`) with the leaves of a property (`PropertyExprs`):
memory is read in place (no steps), and `sum(a)`, `len(a)`, `len(q)` and `at(THREAD, LABEL)` are allowed.
Each property records the memory slots and the threads whose position it reads (the reduction's
observer needs them). `no_race` and `no_leak` name what they watch; their names are checked here.
"""
from __future__ import annotations

from checker.errors import ModelError, did_you_mean
from checker.lang import syntax as S
from checker.program import ir, maps
from checker.program.expr import Expressions, const, direct_cell
from checker.program.layout import Layout
from checker.program.model import Leak, Property, ThreadCode
from checker.program.names import describe_type, type_hint, use_hint


def compile_property(layout: Layout, threads: list[ThreadCode], p: S.PropertyDecl) -> Property:
    """A `final` or `always` property."""
    exprs = PropertyExprs(layout, threads)
    _, fn, t = exprs.expr(p.expr)
    if t != "bool":
        raise ModelError(f"a '{p.kind}' property must be a condition, found {describe_type(t)}", p.expr.pos,
                         "compare it, e.g. 'x == 2'")
    return Property(p.kind, fn, p.text, p.pos, frozenset(exprs.slots), frozenset(exprs.observed),
                    frozenset(exprs.syncs), cannot_fault(layout, p.expr))


SAFE_OPS = frozenset(("+", "-", "*", "==", "!=", "<", "<=", ">", ">=", "and", "or", "not"))


def cannot_fault(layout: Layout, e: S.Expr) -> bool:
    """Can evaluating this (type-checked) property expression raise no runtime error, in any
    state? True only for what surely cannot: literals, names, + - * and comparisons, `sum`, `len`,
    `at`, and array cells at a constant index in range; False for everything else (a division,
    a cell at a computed index, a map read, and whatever is added later). A search skips a
    property that has its counterexample only when this holds (monitors.holds)."""
    if isinstance(e, (S.Num, S.Bool, S.Name)):
        return True
    if isinstance(e, S.Unary):
        return e.op in SAFE_OPS and cannot_fault(layout, e.operand)
    if isinstance(e, S.Binary):
        return e.op in SAFE_OPS and cannot_fault(layout, e.left) and cannot_fault(layout, e.right)
    if isinstance(e, S.Call):
        return e.fn in ("sum", "len", "at")
    if isinstance(e, S.Index):
        var = layout.vars.get(e.base.id)
        return (e.base.id not in layout.maps and var is not None and var.array and isinstance(e.index, S.Num)
                and 0 <= e.index.value < var.size)
    return False


class PropertyExprs(Expressions):
    """Expressions in a property: read shared memory directly; `at`, `sum`, `len` are allowed."""

    UNSUPPORTED = "unsupported expression in a property"

    def __init__(self, layout: Layout, threads: list[ThreadCode]):
        super().__init__(layout)
        self.threads = threads
        self.slots: set[int] = set()  # the memory slots it reads
        self.observed: set[int] = set()  # the threads whose position it reads
        self.syncs: set[int] = set()  # the sync objects it reads (`len(q)`)

    def name(self, e: S.Name, src: ir.Src):
        n, c = e.id, self.layout
        if n in c.input_slot:
            slot = c.input_slot[n]
            return [], (lambda X: X.M[slot]), c.slots[slot].type
        if n in c.vars:
            var = c.vars[n]
            if var.array:
                raise ModelError(f"'{n}' is an array; index it or use sum({n})", e.pos, f"write {n}[0] or sum({n})")
            self.slots.add(var.base)
            return [], (lambda X: X.M[var.base]), var.type
        if n in c.names.kinds:
            kind = c.names.kinds[n]
            raise ModelError(f"'{n}' is {describe_type(kind)}, not a value", e.pos, use_hint(n, kind))
        raise ModelError(f"undefined name '{n}' in a property", e.pos,
                         did_you_mean(n, list(c.input_slot) + list(c.vars))
                         or "properties read shared variables and inputs, not thread locals")

    def member(self, e: S.Binary, src: ir.Src):
        return maps.member(self, e, src, maps.Slots(self.slots), step=False)

    def index(self, e: S.Index, src: ir.Src):
        if e.base.id in self.layout.maps:  # `cache[k]`, read in place (a missing key: a runtime error)
            return maps.read(self, e, src, maps.Slots(self.slots))
        var = self.layout.vars.get(e.base.id)
        if var is None or not var.array:
            raise ModelError(f"'{e.base.id}' is not a shared array", e.pos,
                             "properties index shared arrays and maps; drop the index, or declare an array, "
                             f"e.g. '{e.base.id}: int[4]'")
        _, ifn, it = self.expr(e.index)
        if it != "int":
            raise ModelError("an array index needs an int", e.index.pos, type_hint("int", it))
        self.slots.update(range(var.base, var.base + var.size))
        return [], direct_cell(var, ifn, e.pos), var.type

    def any_value(self, e: S.AnyValue):
        raise ModelError(self.UNSUPPORTED, e.pos, "'any LO..HI' draws a value in a thread; a property only reads")

    def queue(self, e: S.Name | S.Index) -> bool:
        ref = self.layout.sync_refs.get((e.base if isinstance(e, S.Index) else e).id)
        return ref is not None and ref[0] == "queue"

    def queue_id(self, e: S.Name | S.Index) -> int:
        """The sync object `len(q)` or `len(qs[2])` reads (an index in a property is a constant)."""
        name = (e.base if isinstance(e, S.Index) else e).id
        kind, base, size = self.layout.sync_refs[name]
        array = self.layout.names.kinds[name] != kind
        if not array:
            if isinstance(e, S.Index):
                raise ModelError(f"'{name}' is not an array", e.pos, f"write len({name})")
            return base
        if not isinstance(e, S.Index) or not isinstance(e.index, S.Num):
            raise ModelError(f"'{name}' is an array of {size} queues; name one by a constant index", e.pos,
                             f"write len({name}[0])")
        if not 0 <= e.index.value < size:
            raise ModelError(f"index {e.index.value} out of range for '{name}' (size {size})", e.index.pos,
                             f"the queues are {name}[0] to {name}[{size - 1}]")
        return base + e.index.value

    def call(self, e: S.Call, src: ir.Src):
        if e.fn == "len" and len(e.args) == 1 and isinstance(e.args[0], S.Name) and e.args[0].id in self.layout.maps:
            return maps.size(self, e, src, maps.Slots(self.slots), step=False)
        if e.fn == "len":
            maps.len_of_other(self.layout, e)
        if e.fn == "len" and len(e.args) == 1 and isinstance(e.args[0], (S.Name, S.Index)) and self.queue(e.args[0]):
            k = self.queue_id(e.args[0])
            self.syncs.add(k)
            return [], (lambda X: len(X.Y[k][1])), "int"
        if e.fn in ("sum", "len"):
            if len(e.args) != 1 or not isinstance(e.args[0], S.Name) or not (
                    e.args[0].id in self.layout.vars and self.layout.vars[e.args[0].id].array):
                raise ModelError(f"'{e.fn}' takes one shared array", e.pos, f"write {e.fn}(d)")
            var = self.layout.vars[e.args[0].id]
            if e.fn == "len":
                return [], const(var.size), "int"
            if var.type != "int":
                raise ModelError("'sum' needs an int array", e.pos,
                                 f"'{var.name}' holds bools: test its cells, e.g. '{var.name}[0] and {var.name}[1]'")
            self.slots.update(range(var.base, var.base + var.size))
            lo, hi = var.base, var.base + var.size
            return [], (lambda X: X.terms.total(X.M[lo:hi])), "int"
        if e.fn == "at":
            if len(e.args) != 2 or not isinstance(e.args[1], S.Name):
                raise ModelError("'at' takes a thread and a label", e.pos, "write at(worker, crit)")
            t = self.layout.thread_ref(e.args[0], e.args[0].pos)
            label = e.args[1].id
            labels = self.threads[t].labels
            if label not in labels:
                raise ModelError(f"thread '{self.threads[t].name}' has no label '{label}'", e.args[1].pos,
                                 did_you_mean(label, list(labels)) or "label a statement with '- LABEL: statement'")
            pc = labels[label]
            self.observed.add(t)
            return [], (lambda X: X.T[t].pc == pc and X.T[t].status == 0), "bool"
        raise ModelError(f"unknown function '{e.fn}'", e.pos,
                         did_you_mean(e.fn, ["sum", "len", "at"]) or "functions in properties: sum, len, at")


def race(layout: Layout, p: S.PropertyDecl) -> Property:
    """A `no_race` entry: the property 'race' watching the cells of the named variables and
    arrays (every non-atomic one when none is named); `slots` holds those cells."""
    watched_maps = []  # maps: their entries and key sets (docs/semantics.md, "Maps")
    if not p.names:
        watched = [v for v in layout.vars.values() if not v.atomic]
        watched_maps = list(layout.maps.values())
    else:
        watched = []
        for name, pos in p.names:
            if name in layout.maps:
                watched_maps.append(layout.maps[name])
                continue
            var = layout.vars.get(name)
            if var is None:
                kind = layout.names.kinds.get(name)
                if kind is None:
                    raise ModelError(f"undefined name '{name}' in 'no_race'", pos,
                                     did_you_mean(name, list(layout.vars)) or "name shared variables or arrays")
                raise ModelError(f"'no_race' watches shared variables and arrays; '{name}' is {describe_type(kind)}",
                                 pos, "a lock, condition, semaphore, thread or input cannot race")
            if var.atomic:
                raise ModelError(f"'{name}' is atomic: its accesses never race", pos,
                                 "drop it from 'no_race', or declare it without 'atomic' to check it")
            watched.append(var)
    if not watched and not watched_maps:
        raise ModelError("'no_race' has nothing to watch: the model has no non-atomic shared variable", p.pos,
                         "declare a shared variable, or drop 'no_race'")
    slots = frozenset(k for v in watched for k in range(v.base, v.base + v.size)) | frozenset(
        k for mv in watched_maps for k in range(*maps.block(mv)))
    return Property("race", None, p.text, p.pos, slots, frozenset())


def leak(layout: Layout, p: S.PropertyDecl) -> Leak:
    """Check a `no_leak` entry's names: the secrets are inputs marked `secret`, the observers
    threads (every instance) or shared int/bool variables."""
    secret: list[int] = []
    for name, pos in p.leak.secret:
        kind = layout.names.kinds.get(name)
        if name not in layout.input_slot:
            raise ModelError(f"'{name}' is {describe_type(kind)}, not an input" if kind else
                             f"undefined input '{name}' in 'no_leak'", pos,
                             did_you_mean(name, list(layout.input_slot)) or "'secret' names inputs marked 'secret'")
        decl = layout.names.decls[name]
        if not decl.secret:
            raise ModelError(f"input '{name}' is not marked secret", pos,
                             f"declare it as '{name}: {'bool' if decl.type == 'bool' else 'int'}"
                             f"{f' in {decl.lo}..{decl.hi}' if decl.lo is not None else ''} secret'")
        if layout.input_slot[name] not in secret:
            secret.append(layout.input_slot[name])
    channels: list[tuple[str, int]] = []
    for name, pos in p.leak.to:
        if name in layout.thread_index:
            found = [("thread", t) for t in layout.thread_index[name]]
        elif name in layout.vars and not layout.vars[name].array:
            found = [("var", layout.vars[name].base)]
        elif name in layout.vars:
            raise ModelError(f"'{name}' is an array; 'to' names a thread or a shared int or bool variable", pos,
                             "name the thread that reads the array (its reads are what it observes)")
        elif name in layout.names.kinds:
            what = "an input" if name in layout.input_slot else describe_type(layout.names.kinds[name])
            raise ModelError(f"'{name}' is {what}; 'to' names a thread or a shared variable", pos,
                             "name the thread that observes it")
        else:
            raise ModelError(f"'{name}' is neither a thread nor a shared variable", pos,
                             did_you_mean(name, list(layout.thread_index) + list(layout.vars))
                             or f"threads: {', '.join(layout.thread_index)}")
        channels.extend(c for c in found if c not in channels)
    return Leak(tuple(secret), tuple(channels), p.text, p.pos)
