"""Layout: where everything shared lives, and how a statement names it.

Memory is one list of slots: the inputs first (read-only), then each shared variable's cells
(`Var`: `size` cells from `base`). Sync objects are numbered apart (`SyncObj`; an array of
N takes N consecutive numbers). Thread instances are numbered in declaration order. The initial
value of a shared cell is an expression over constants and inputs (`InitialValue`).
"""
from __future__ import annotations

from checker.errors import ModelError, Pos, did_you_mean
from checker.lang import syntax as S
from checker.primitives import KINDS
from checker.program import ir, maps
from checker.program.expr import ARITH, Expressions
from checker.program.model import InputInfo, MapVar, Slot, SyncObj, Var
from checker.program.names import Names, type_words

MAX_THREADS = 64


class InitialValue(Expressions):
    """A shared variable's initial value: constants and inputs, with `-`, `+` and `*`."""

    def expr(self, e: S.Expr, src: ir.Src | None = None):
        if (isinstance(e, (S.Num, S.Bool, S.Name)) or (isinstance(e, S.Unary) and e.op == "-")
                or (isinstance(e, S.Binary) and e.op in ARITH)):
            return super().expr(e, src)
        raise ModelError("an initial value must be a constant or an input", e.pos,
                         "write a number, true/false, an input, or '-', '+', '*' of those; "
                         "compute the rest in a thread")

    def name(self, e: S.Name, src: ir.Src):
        c = self.layout
        if e.id in c.input_slot:
            slot = c.input_slot[e.id]
            return [], (lambda X: X.M[slot]), c.slots[slot].type
        raise ModelError(f"undefined name '{e.id}' in an initial value", e.pos,
                         did_you_mean(e.id, list(c.input_slot)) or "initial values are constants or inputs")


class Layout:
    """The model's names, memory slots, variables, sync objects and thread instances."""

    def __init__(self, model: S.Model):
        self.model = model
        self.names = Names(model)
        self.slots: list[Slot] = []
        self.init: list = []  # (slot, fn): the initial value of each shared cell
        self.vars: dict[str, Var] = {}
        self.syncs: list[SyncObj] = []
        self.sync_refs: dict[str, tuple[str, int, int]] = {}  # name -> (kind, first sync object, how many)
        self.inputs: list[InputInfo] = []
        self.input_slot: dict[str, int] = {}
        self.thread_index: dict[str, list[int]] = {}  # thread name -> its instances' indices
        self.thread_counted: dict[str, bool] = {}  # declared with `count:` (instances are named t[i])
        self.watched: set[int] = set()  # threads some `no_leak` observes: their input reads are seen
        self.procedures: dict = {}  # name -> syntax.ProcedureDecl (`procedures.check`)
        self.maps: dict[str, MapVar] = {}  # shared maps (`program.maps`)
        self.place_inputs()
        self.place_shared()
        maps.locate(self)
        self.number_threads()
        self.loops: dict[str, int] = {}  # event loop name -> its sync object (`loop: NAME` on threads)
        for d in model.threads:
            if d.loop is not None and d.loop[0] not in self.loops:
                self.loops[d.loop[0]] = len(self.syncs)
                self.syncs.append(SyncObj(d.loop[0], "eventloop"))

    def place_inputs(self) -> None:
        for d in self.model.inputs:
            slot = len(self.slots)
            self.slots.append(Slot(d.name, d.type, True))
            self.inputs.append(InputInfo(d.name, d.type, d.lo, d.hi, slot, d.secret))
            self.input_slot[d.name] = slot

    def place_shared(self) -> None:
        initial = InitialValue(self)
        for d in self.model.shared:
            if d.kind == "map":
                maps.place(self, d)
                continue
            if d.kind in ("var", "int_array", "bool_array"):
                cells = (d.init,) if d.kind == "var" else d.init
                types = [initial.expr(c)[1:] for c in cells]
                typ = types[0][1]
                for (fn, t), c in zip(types, cells):
                    if t != typ:
                        raise ModelError(f"array '{d.name}' mixes {type_words(typ)} and {type_words(t)} cells",
                                         c.pos, "an array holds cells of one type")
                base = len(self.slots)
                array = d.kind != "var"
                for k, (fn, _) in enumerate(types):
                    self.slots.append(Slot(f"{d.name}[{k}]" if array else d.name, typ, False))
                    self.init.append((base + k, fn))
                self.vars[d.name] = Var(d.name, typ, base, len(cells), array, d.atomic)
                continue
            kind = d.kind.removesuffix("_array")  # a primitive, or an array of one (`locks: mutex[8]`)
            permits = d.init if KINDS[kind].param else 0
            self.sync_refs[d.name] = (kind, len(self.syncs), d.size)
            if kind == d.kind:
                self.syncs.append(SyncObj(d.name, kind, permits))
            else:
                self.syncs.extend(SyncObj(f"{d.name}[{k}]", kind, permits) for k in range(d.size))

    def number_threads(self) -> None:
        decls = self.model.threads
        total = sum(d.count or 1 for d in decls)
        if total > MAX_THREADS:
            raise ModelError(f"the model has {total} threads; at most {MAX_THREADS} are supported", decls[0].pos,
                             "model fewer threads, or lower their 'count'")
        idx = 0
        for d in decls:
            n = d.count or 1
            self.thread_index[d.name] = list(range(idx, idx + n))
            self.thread_counted[d.name] = d.count is not None
            idx += n

    def thread_ref(self, e: S.Expr, pos: Pos) -> int:
        """`t` or `t[K]` naming one thread instance."""
        base = e.base if isinstance(e, S.Index) else e
        if not isinstance(base, S.Name):
            raise ModelError("expected a thread name", pos, "write a thread's name, or NAME[K] for an instance")
        if base.id not in self.thread_index:
            name = base.id
            raise ModelError(f"'{name}' is not a thread", pos,
                             did_you_mean(name, list(self.thread_index)) or f"threads: {', '.join(self.thread_index)}")
        ids = self.thread_index[base.id]
        if isinstance(e, S.Index):
            if not isinstance(e.index, S.Num):
                raise ModelError("a thread instance is named with a constant index, e.g. worker[0]", e.index.pos,
                                 f"name each instance on its own: {base.id}[0], {base.id}[1], ...")
            if not 0 <= e.index.value < len(ids):
                raise ModelError(f"thread '{base.id}' has {len(ids)} instances; [{e.index.value}] is out of range", e.pos,
                                 f"its instances are {base.id}[0] to {base.id}[{len(ids) - 1}]")
            return ids[e.index.value]
        if self.thread_counted[base.id]:
            raise ModelError(f"'{base.id}' has {len(ids)} instances; name one", pos, f"write {base.id}[0]")
        return ids[0]
