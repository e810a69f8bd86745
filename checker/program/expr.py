"""The typed expression compiler: every expression of a model -> `(reads, fn, type)`.

`fn(X)` is a closure over the running frame (`checker.program.ir`), tagged with the locals it
reads (`fn.uses`, for liveness); `type` is 'int' or 'bool'; `reads` are the `Read` instructions a
statement must run first, one step per shared read, left to right. `Expressions` walks the tree
and checks the types, once, for every place an expression stands; what a name, a cell, a call
means there is the place's own (the leaves): a thread's statements (`StatementExprs`, below),
properties (`properties.PropertyExprs`, which read memory in place), initial values of shared
variables (`layout.InitialValue`, constants and inputs only).
"""
from __future__ import annotations

from checker.errors import ModelError, Pos, did_you_mean
from checker.lang import syntax as S
from checker.lang.statements import ATOMICS
from checker.primitives import STATEMENTS
from checker.program import ir, maps
from checker.program.ir import Fault, Src
from checker.program.model import SyncRef, Var
from checker.program.names import Locals, describe_type, type_hint, use_hint
from checker.symbolic import values as V

ARITH = {"+": V.add, "-": V.sub, "*": V.mul}


def const(v):
    return lambda X: v


def reads(fn, *parts):
    """Tag a closure with the locals it reads (for liveness): the union of its parts' tags."""
    fn.uses = frozenset().union(*(getattr(p, "uses", frozenset()) for p in parts))
    return fn


def seen_input(slot: int, channel: tuple):
    """An input read by a thread that a `no_leak` observes: the value is also appended to the
    step's observations (`Frame.seen`, or `View.seen` at start-up; None elsewhere)."""
    def read_input(X):
        v = X.M[slot]
        seen = getattr(X, "seen", None)
        if seen is not None:
            seen.append((channel, v))
        return v
    return read_input


def binop(op: str, fa, fb, pos: Pos):
    return reads(_binop(op, fa, fb, pos), fa, fb)


def _binop(op: str, fa, fb, pos: Pos):
    if op in ARITH:
        f = ARITH[op]
        return lambda X: f(fa(X), fb(X))
    if op in ("//", "%"):
        g = V.floordiv if op == "//" else V.mod

        def divide(X):
            a, b = fa(X), fb(X)
            if type(b) is int:
                if b == 0:
                    raise Fault(f"division by zero in '{op}'", pos)
            else:
                X.ob.append((V.compare("!=", b, 0), f"division by zero in '{op}'", pos))
            return g(a, b)
        return divide
    if op == "and":
        return lambda X: V.and_(fa(X), fb(X))
    if op == "or":
        return lambda X: V.or_(fa(X), fb(X))
    return lambda X: V.compare(op, fa(X), fb(X))


def direct_cell(var: Var, ifn, pos: Pos):
    """An array cell read in place (properties and `assume`), its index guarded."""
    def cell(X):
        i = ifn(X)
        check_index(i, var.size, f"'{var.name}'", pos, X)
        if type(i) is int:
            return X.M[var.base + i]
        return X.terms.select(X.M[var.base:var.base + var.size], i)
    return cell


def check_index(index, size: int, what: str, pos: Pos, X):
    """Guard an array index: a concrete miss raises, a symbolic one adds an obligation."""
    if type(index) is int:
        if not 0 <= index < size:
            raise Fault(f"index {index} out of range for {what} (size {size})", pos)
    else:
        X.ob.append((V.and_(V.compare(">=", index, 0), V.compare("<", index, size)),
                     f"index out of range for {what} (size {size})", pos))


class Expressions:
    """Walks an expression and checks its types; subclasses give the leaves: `name`, `index`,
    `call` and `any_value`, each returning `(reads, fn, type)`."""

    UNSUPPORTED = "unsupported expression"
    UNSUPPORTED_HINT = "docs/language.md lists the expressions a model may use"

    def __init__(self, layout):
        self.layout = layout

    def expr(self, e: S.Expr, src: Src | None = None):
        """Returns (reads, fn, type): `reads` are Read instructions to emit first."""
        src = src or Src("", e.pos)
        if isinstance(e, S.Num):
            return [], const(e.value), "int"
        if isinstance(e, S.Bool):
            return [], const(e.value), "bool"
        if isinstance(e, S.Name):
            return self.name(e, src)
        if isinstance(e, S.Index):
            return self.index(e, src)
        if isinstance(e, S.Unary):
            pre, fn, t = self.expr(e.operand, src)
            if e.op == "-":
                self.want(t, "int", e.pos, "'-'")
                return pre, reads(lambda X: V.neg(fn(X)), fn), "int"
            self.want(t, "bool", e.pos, "'not'")
            return pre, reads(lambda X: V.not_(fn(X)), fn), "bool"
        if isinstance(e, S.Binary) and e.op == "in":  # `k in cache`
            return self.member(e, src)
        if isinstance(e, S.Binary):
            pa, fa, ta = self.expr(e.left, src)
            pb, fb, tb = self.expr(e.right, src)
            return pa + pb, binop(e.op, fa, fb, e.pos), self.binary_type(e, ta, tb)
        if isinstance(e, S.Call):
            return self.call(e, src)
        if isinstance(e, S.AnyValue):
            return self.any_value(e)
        raise ModelError(self.UNSUPPORTED, e.pos, self.UNSUPPORTED_HINT)

    def binary_type(self, e: S.Binary, ta: str, tb: str) -> str:
        if e.op in ("and", "or"):
            self.want(ta, "bool", e.left.pos, f"'{e.op}'")
            self.want(tb, "bool", e.right.pos, f"'{e.op}'")
            return "bool"
        if e.op in ("==", "!="):
            if ta != tb:
                raise ModelError(f"'{e.op}' compares {describe_type(ta)} with {describe_type(tb)}", e.pos,
                                 "compare two ints or two bools; test a bool b as 'b' or 'not b'")
            return "bool"
        self.want(ta, "int", e.left.pos, f"'{e.op}'")
        self.want(tb, "int", e.right.pos, f"'{e.op}'")
        return "bool" if e.op in ("<", "<=", ">", ">=") else "int"

    def want(self, got: str, want: str, pos: Pos, what: str) -> None:
        if got != want:
            raise ModelError(f"{what} needs {describe_type(want)}, found {describe_type(got)}", pos,
                             type_hint(want, got))

    def cond(self, e: S.Expr, src: Src, what: str):
        pre, fn, t = self.expr(e, src)
        self.want(t, "bool", e.pos, what)
        return pre, fn

    def name(self, e: S.Name, src: Src):
        raise NotImplementedError

    def index(self, e: S.Index, src: Src):
        raise NotImplementedError

    def call(self, e: S.Call, src: Src):
        raise NotImplementedError

    def member(self, e: S.Binary, src: Src):
        raise ModelError(self.UNSUPPORTED, e.pos, self.UNSUPPORTED_HINT)

    def any_value(self, e: S.AnyValue):
        raise NotImplementedError


class StatementExprs(Expressions):
    """Expressions in a thread's statements: names are locals, `tid`, inputs and shared
    variables; each shared read is a step (a `Read` into a temp), except while `direct` is a
    set (an `assume`, which takes no step): then memory is read in place and the ranges read
    are added to `direct`."""

    def __init__(self, layout, locals_: Locals, tid: int, index: int):
        super().__init__(layout)
        self.locals = locals_
        self.tid = tid
        self.thread = index  # the instance's index among all threads
        self.direct: set | None = None

    def name(self, e: S.Name, src: Src):
        n, c = e.id, self.layout
        if n == "tid":
            return [], const(self.tid), "int"
        if n in self.locals and not n.startswith("%"):
            return [], self.locals.read(self.locals.slot[n], e.pos), self.locals.types[n]
        if n in c.input_slot:
            slot = c.input_slot[n]
            if self.thread in c.watched and self.direct is None:  # an observer sees what it reads
                return [], seen_input(slot, ("thread", self.thread)), c.slots[slot].type
            return [], (lambda X: X.M[slot]), c.slots[slot].type
        if n in c.vars:
            var = c.vars[n]
            if var.array:
                raise ModelError(f"'{n}' is an array; index it", e.pos, f"write {n}[i]")
            if self.direct is not None:  # `assume`: reads memory in place, no step
                self.direct.add((var.base, var.base + 1))
                return [], (lambda X: X.M[var.base]), var.type
            dst = self.locals.temp(var.type)
            return [ir.Read(dst, var, None, src)], self.locals.read(dst, e.pos), var.type
        if n in c.names.kinds:
            kind = c.names.kinds[n]
            raise ModelError(f"'{n}' is {describe_type(kind)}, not a value", e.pos, use_hint(n, kind))
        if n in self.locals.assigned:
            raise ModelError(f"local '{n}' is read before any assignment to it", e.pos,
                             "assign it first, or declare it under 'locals:'")
        raise self.locals.undefined(e)

    def index(self, e: S.Index, src: Src):
        base, c = e.base.id, self.layout
        if base in c.maps:  # `cache[k]`: a step that reads the entry (in place in an `assume`)
            return maps.read(self, e, src, self.direct)
        kind = c.names.kinds.get(base)
        if base in c.vars and c.vars[base].array:
            var = c.vars[base]
            pre, ifn, it = self.expr(e.index, src)
            self.want(it, "int", e.index.pos, "an array index")
            if self.direct is not None:  # `assume`: reads memory in place, no step
                self.direct.add((var.base, var.base + var.size))
                return pre, reads(direct_cell(var, ifn, e.pos), ifn), var.type
            dst = self.locals.temp(var.type)
            return pre + [ir.Read(dst, var, ifn, src)], self.locals.read(dst, e.pos), var.type
        if kind is None and base not in self.locals:
            raise self.locals.undefined(e.base)
        raise ModelError(f"'{base}' is {describe_type(kind or 'local')}, not an array",
                         e.pos, "only shared int arrays are indexed in expressions")

    def member(self, e: S.Binary, src: Src):
        return maps.member(self, e, src, self.direct, step=self.direct is None)

    def call(self, e: S.Call, src: Src):
        vars_ = self.layout.vars
        if e.fn == "len" and len(e.args) == 1 and isinstance(e.args[0], S.Name) and e.args[0].id in self.layout.maps:
            return maps.size(self, e, src, self.direct, step=self.direct is None)
        if e.fn == "len":
            maps.len_of_other(self.layout, e)
        if e.fn == "len" and len(e.args) == 1 and isinstance(e.args[0], S.Name) and e.args[0].id in vars_:
            return [], const(vars_[e.args[0].id].size), "int"
        if e.fn == "len" and len(e.args) == 1 and isinstance(e.args[0], (S.Name, S.Index)) and self.queue(e.args[0]):
            return self.queue_length(e.args[0], src)
        if e.fn == "len":
            arg = e.args[0] if len(e.args) == 1 else None
            base = arg.base if isinstance(arg, S.Index) else arg
            if isinstance(base, S.Name) and base.id not in self.layout.names.kinds and base.id not in self.locals:
                raise self.locals.undefined(base)
            raise ModelError("'len' takes one shared array or queue", e.pos, "write len(d) or len(q)")
        if e.fn in ("sum", "at"):
            raise ModelError(f"'{e.fn}(...)' is only for properties under 'check'", e.pos,
                             "in a thread, read cells one by one")
        if e.fn in ATOMICS or e.fn in STATEMENTS:
            raise ModelError(f"'{e.fn}' must be the whole right-hand side of '='", e.pos,
                             f"write 'old = {e.fn}(...)' as its own statement")
        if e.fn in self.layout.procedures:
            raise ModelError(f"a call of procedure '{e.fn}' must be a statement or the whole right-hand side of '='",
                             e.pos, f"write 'v = {e.fn}(...)' as its own statement, then use v")
        raise ModelError(f"unknown function '{e.fn}'", e.pos,
                         did_you_mean(e.fn, ["len", *ATOMICS]) or "functions: len, and in properties sum, at")

    def queue(self, e: S.Name | S.Index) -> bool:
        ref = self.layout.sync_refs.get((e.base if isinstance(e, S.Index) else e).id)
        return ref is not None and ref[0] == "queue"

    def queue_length(self, e: S.Name | S.Index, src: Src):
        """`len(q)` in a statement: a step of its own that reads the queue (`queue.apply`)."""
        name = (e.base if isinstance(e, S.Index) else e).id
        if self.direct is not None:
            raise ModelError(f"'len({name})' reads a queue, a step; an 'assume' takes none", e.pos,
                             f"write 'n = len({name})' first, then 'assume' on n")
        kind, base, size = self.layout.sync_refs[name]
        array = self.layout.names.kinds[name] != kind
        if array != isinstance(e, S.Index):
            raise ModelError(f"'{name}' is an array of {size} queues; name one" if array else f"'{name}' is not an array",
                             e.pos, f"write len({name}[i])" if array else f"write len({name})")
        pre, local = [], None
        if array:
            pre, ifn, it = self.expr(e.index, src)
            self.want(it, "int", e.index.pos, "a queue index")
            local = self.locals.temp("int")
            pre = pre + [ir.Resolve(local, ifn, size, src, kind)]
        dst = self.locals.temp("int")
        ref = SyncRef(name, kind, base, size if array else 1, local)
        return pre + [ir.SyncOp("len", ref, dst, src)], self.locals.read(dst, e.pos), "int"

    def any_value(self, e: S.AnyValue):
        raise ModelError("'any LO..HI' can only be the whole right-hand side of '='", e.pos,
                         "write 'v = any 0..9' as its own statement")
