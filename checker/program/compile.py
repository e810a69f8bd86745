"""Name resolution, type checking and lowering of a `syntax.Model` into a `Program`.

Lowering follows the language's step rule: `x = EXPR` becomes one `Read` per shared read in
EXPR (left to right, each into a fresh temp), then the rest as local work, then one `Write` if
the target is shared. Conditions of `if`/`while`/`assert` read their shared operands the same
way. Every error names the statement's position and, where it can, the near-miss name.
"""
from __future__ import annotations

from checker.errors import ModelError, Pos, did_you_mean
from checker.lang import syntax as S
from checker.program import ir
from checker.program.ir import Fault, Src
from checker.program.liveness import dead_locals, guarded, local_reads
from checker.symbolic import values as V

MAX_THREADS = 64
MAX_INSTRS = 20_000
RESOURCE_WORDS = {"mutex": "a mutex", "mutex_array": "a mutex array", "rwlock": "a read-write lock",
                  "condition": "a condition variable", "semaphore": "a semaphore"}
ARITH = {"+": V.add, "-": V.sub, "*": V.mul}


def describe_type(t: str) -> str:
    return {"int": "an int", "bool": "a bool", "int_array": "an int array",
            "bool_array": "a bool array", "thread": "a thread", "var": "a shared variable",
            "local": "a thread-local variable"}.get(t, RESOURCE_WORDS.get(t, t))


def type_words(t: str) -> str:
    """'an int' -> 'int', for 'mixes int and bool cells'."""
    return describe_type(t).split(" ", 1)[-1]


def _const(v):
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


def direct_cell(var: ir.Var, ifn, pos: Pos):
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


def loops(body) -> list:
    """Every `while` statement in a list of statements, nested ones included."""
    return [s for s in statements(body) if isinstance(s, S.While)]


def counted(w: S.While, names: set) -> bool:
    """Is `w` a counted loop: `while k < N` or `k <= N` with k a local and N a literal, whose
    body increases k by a positive literal in a statement that runs on every turn (at the top
    of the body, or of an atomic block there) and assigns k nowhere else? Then k grows on every
    turn, so the loop ends after finitely many turns each time it is entered. `names` are the
    model's global names (inputs, shared resources, threads): any other name is a local."""
    c = w.cond
    if not (isinstance(c, S.Binary) and c.op in ("<", "<=") and isinstance(c.left, S.Name)
            and isinstance(c.right, S.Num)):
        return False
    k = c.left.id
    if k == "tid" or k in names:
        return False

    def assigns(s) -> bool:
        return isinstance(s, S.Assign) and isinstance(s.target, S.Name) and s.target.id == k

    def bump(s) -> bool:
        if not assigns(s):
            return False
        v = s.value
        return isinstance(v, S.Binary) and v.op == "+" and (
            (isinstance(v.left, S.Name) and v.left.id == k and isinstance(v.right, S.Num) and v.right.value > 0)
            or (isinstance(v.right, S.Name) and v.right.id == k and isinstance(v.left, S.Num) and v.left.value > 0))

    every_turn = list(w.body) + [b for s in w.body if isinstance(s, S.Atomic) for b in s.body]
    bumps = [s for s in every_turn if bump(s)]
    return len(bumps) == 1 and all(not assigns(s) or s is bumps[0] for s in statements(w.body))


def statements(body) -> list:
    """Every statement in a list of statements, nested ones included."""
    out = []
    for s in body:
        out.append(s)
        if isinstance(s, S.Labeled):
            out.extend(statements([s.stmt]))
        elif isinstance(s, (S.While, S.Atomic)):
            out.extend(statements(s.body))
        elif isinstance(s, S.If):
            out.extend(statements(s.then) + statements(s.orelse))
    return out


class Names:
    """The model-wide names: inputs, shared resources, threads."""

    def __init__(self, model: S.Model):
        self.kinds: dict[str, str] = {}
        self.decls: dict[str, object] = {}
        for d in model.inputs:
            self.add(d.name, d.type, d, d.pos)
        for d in model.shared:
            self.add(d.name, d.kind, d, d.pos)
        for d in model.threads:
            self.add(d.name, "thread", d, d.pos)

    def add(self, name: str, kind: str, decl, pos: Pos) -> None:
        if name in self.kinds:
            raise ModelError(f"'{name}' is declared twice", pos, "inputs, shared resources and threads share one namespace")
        self.kinds[name] = kind
        self.decls[name] = decl


class Compiler:
    def __init__(self, model: S.Model):
        self.model = model
        self.names = Names(model)
        self.slots: list[ir.Slot] = []
        self.init: list = []
        self.vars: dict[str, ir.Var] = {}
        self.syncs: list[ir.SyncObj] = []
        self.sync_refs: dict[str, tuple[str, int, int]] = {}
        self.inputs: list[ir.InputInfo] = []
        self.input_slot: dict[str, int] = {}
        self.thread_index: dict[str, list[int]] = {}
        self.thread_counted: dict[str, bool] = {}
        self.watched: set[int] = set()  # threads some `no_leak` observes: their input reads are seen

    # -- resources ------------------------------------------------------------------------
    def resources(self) -> None:
        for d in self.model.inputs:
            slot = len(self.slots)
            self.slots.append(ir.Slot(d.name, d.type, True))
            self.inputs.append(ir.InputInfo(d.name, d.type, d.lo, d.hi, slot, d.secret))
            self.input_slot[d.name] = slot
        for d in self.model.shared:
            if d.kind in ("var", "int_array", "bool_array"):
                cells = (d.init,) if d.kind == "var" else d.init
                types = [self.const_expr(c) for c in cells]
                typ = types[0][1]
                for (fn, t), c in zip(types, cells):
                    if t != typ:
                        raise ModelError(f"array '{d.name}' mixes {type_words(typ)} and {type_words(t)} cells",
                                         c.pos, "an array holds cells of one type")
                base = len(self.slots)
                array = d.kind != "var"
                for k, (fn, _) in enumerate(types):
                    self.slots.append(ir.Slot(f"{d.name}[{k}]" if array else d.name, typ, False))
                    self.init.append((base + k, fn))
                self.vars[d.name] = ir.Var(d.name, typ, base, len(cells), array, d.atomic)
            elif d.kind == "mutex_array":
                base = len(self.syncs)
                self.syncs.extend(ir.SyncObj(f"{d.name}[{k}]", "mutex") for k in range(d.size))
                self.sync_refs[d.name] = ("mutex", base, d.size)
            else:
                self.sync_refs[d.name] = (d.kind, len(self.syncs), 1)
                self.syncs.append(ir.SyncObj(d.name, d.kind, d.init if d.kind == "semaphore" else 0))

    def const_expr(self, e: S.Expr):
        """A shared variable's initial value: constants and inputs only."""
        if isinstance(e, S.Num):
            return _const(e.value), "int"
        if isinstance(e, S.Bool):
            return _const(e.value), "bool"
        if isinstance(e, S.Name) and e.id in self.input_slot:
            slot = self.input_slot[e.id]
            return (lambda X: X.M[slot]), self.slots[slot].type
        if isinstance(e, S.Unary) and e.op == "-":
            fn, t = self.const_expr(e.operand)
            return (lambda X: V.neg(fn(X))), t
        if isinstance(e, S.Binary) and e.op in ARITH:
            fa, _ = self.const_expr(e.left)
            fb, _ = self.const_expr(e.right)
            return binop(e.op, fa, fb, e.pos), "int"
        if isinstance(e, S.Name):
            raise ModelError(f"undefined name '{e.id}' in an initial value", e.pos,
                             did_you_mean(e.id, list(self.input_slot)) or "initial values are constants or inputs")
        raise ModelError("an initial value must be a constant or an input", e.pos)

    # -- threads --------------------------------------------------------------------------
    def program(self) -> ir.Program:
        self.resources()
        decls = self.model.threads
        total = sum(d.count or 1 for d in decls)
        if total > MAX_THREADS:
            raise ModelError(f"the model has {total} threads; at most {MAX_THREADS} are supported", decls[0].pos)
        idx = 0
        for d in decls:
            n = d.count or 1
            self.thread_index[d.name] = list(range(idx, idx + n))
            self.thread_counted[d.name] = d.count is not None
            idx += n
        leaks = tuple(self.leak(p) for p in self.model.properties if p.kind == "no_leak")
        self.watched = {t for leak in leaks for kind, t in leak.channels if kind == "thread"}
        threads: list[ir.ThreadCode] = []
        joined: set[int] = set()
        spins: set[int] = set()
        for d in decls:
            for i in range(d.count or 1):
                name = f"{d.name}[{i}]" if d.count is not None else d.name
                lowering = Lowering(self, d, name, i, len(threads))
                threads.append(lowering.run())
                joined |= lowering.joins
                spins |= lowering.spins
        threads = [self.with_exit(t) if k in joined else t for k, t in enumerate(threads)]
        has_loops = any(isinstance(i, ir.Jump) and i.back for t in threads for i in t.code)
        props = tuple(ir.Property("leak", None, p.text, p.pos, frozenset(), frozenset()) if p.kind == "no_leak"
                      else self.race(p) if p.kind == "no_race"
                      else PropertyCompiler(self, threads).run(p) for p in self.model.properties if p.kind != "no_deadlock")
        count = sum(len(t.code) for t in threads)
        if count > MAX_INSTRS:
            raise ModelError(f"the model lowers to {count} instructions; at most {MAX_INSTRS} are supported")
        shared = set(self.names.kinds)
        # a spin-wait turns once per change of what it reads: it ends when the other loops do
        counted_loops = all(counted(w, shared) or id(w) in spins for d in decls for w in loops(d.body))
        cyclic = any(isinstance(w.cond, S.Bool) and w.cond.value for d in decls for w in loops(d.body))
        return ir.Program(self.model.name, self.model.about, self.model.file, tuple(self.inputs),
                          tuple(self.slots), tuple(self.init), dict(self.vars), tuple(self.syncs),
                          tuple(threads), props, self.model.expect, has_loops, frozenset(joined), count,
                          counted_loops, cyclic, leaks=leaks)

    def race(self, p: S.PropertyDecl) -> ir.Property:
        """A `no_race` entry: the property 'race' watching the cells of the named variables and
        arrays (every non-atomic one when none is named); `slots` holds those cells."""
        if not p.names:
            watched = [v for v in self.vars.values() if not v.atomic]
        else:
            watched = []
            for name, pos in p.names:
                var = self.vars.get(name)
                if var is None:
                    kind = self.names.kinds.get(name)
                    if kind is None:
                        raise ModelError(f"undefined name '{name}' in 'no_race'", pos,
                                         did_you_mean(name, list(self.vars)) or "name shared variables or arrays")
                    raise ModelError(f"'no_race' watches shared variables and arrays; '{name}' is {describe_type(kind)}",
                                     pos, "a lock, condition, semaphore, thread or input cannot race")
                if var.atomic:
                    raise ModelError(f"'{name}' is atomic: its accesses never race", pos,
                                     f"drop it from 'no_race', or declare it without 'atomic' to check it")
                watched.append(var)
        if not watched:
            raise ModelError("'no_race' has nothing to watch: the model has no non-atomic shared variable", p.pos,
                             "declare a shared variable, or drop 'no_race'")
        slots = frozenset(k for v in watched for k in range(v.base, v.base + v.size))
        return ir.Property("race", None, p.text, p.pos, slots, frozenset())

    def leak(self, p: S.PropertyDecl) -> ir.Leak:
        """Check a `no_leak` entry's names: the secrets are inputs marked `secret`, the observers
        threads (every instance) or shared int/bool variables."""
        secret: list[int] = []
        for name, pos in p.leak.secret:
            kind = self.names.kinds.get(name)
            if name not in self.input_slot:
                raise ModelError(f"'{name}' is {describe_type(kind)}, not an input" if kind else
                                 f"undefined input '{name}' in 'no_leak'", pos,
                                 did_you_mean(name, list(self.input_slot)) or "'secret' names inputs marked 'secret'")
            decl = self.names.decls[name]
            if not decl.secret:
                raise ModelError(f"input '{name}' is not marked secret", pos,
                                 f"declare it as '{name}: {'bool' if decl.type == 'bool' else 'int'}"
                                 f"{f' in {decl.lo}..{decl.hi}' if decl.lo is not None else ''} secret'")
            if self.input_slot[name] not in secret:
                secret.append(self.input_slot[name])
        channels: list[tuple[str, int]] = []
        for name, pos in p.leak.to:
            if name in self.thread_index:
                found = [("thread", t) for t in self.thread_index[name]]
            elif name in self.vars and not self.vars[name].array:
                found = [("var", self.vars[name].base)]
            elif name in self.vars:
                raise ModelError(f"'{name}' is an array; 'to' names a thread or a shared int or bool variable", pos,
                                 "name the thread that reads the array (its reads are what it observes)")
            elif name in self.names.kinds:
                what = "an input" if name in self.input_slot else describe_type(self.names.kinds[name])
                raise ModelError(f"'{name}' is {what}; 'to' names a thread or a shared variable", pos,
                                 "name the thread that observes it")
            else:
                raise ModelError(f"'{name}' is neither a thread nor a shared variable", pos,
                                 did_you_mean(name, list(self.thread_index) + list(self.vars))
                                 or f"threads: {', '.join(self.thread_index)}")
            channels.extend(c for c in found if c not in channels)
        return ir.Leak(tuple(secret), tuple(channels), p.text, p.pos)

    def with_exit(self, t: ir.ThreadCode) -> ir.ThreadCode:
        end = Src("(thread ends)", t.code[-1].src.pos if t.code else Pos(1, 1))
        code = t.code + (ir.Exit(end),)
        return ir.ThreadCode(t.name, t.group, t.tid, code, t.local_names, t.local_init, t.labels,
                             dead_locals(code, len(t.local_names)), local_reads(code),
                             guarded(code))

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
                raise ModelError("a thread instance is named with a constant index, e.g. worker[0]", e.index.pos)
            if not 0 <= e.index.value < len(ids):
                raise ModelError(f"thread '{base.id}' has {len(ids)} instances; [{e.index.value}] is out of range", e.pos)
            return ids[e.index.value]
        if self.thread_counted[base.id]:
            raise ModelError(f"'{base.id}' has {len(ids)} instances; name one", pos, f"write {base.id}[0]")
        return ids[0]


class Lowering:
    """Lowers one thread instance's statements into instructions."""

    def __init__(self, c: Compiler, decl: S.ThreadDecl, name: str, tid: int, index: int):
        self.c = c
        self.decl = decl
        self.name = name
        self.tid = tid
        self.index = index
        self.code: list = []
        self.locals: dict[str, int] = {}
        self.local_types: dict[str, str] = {}
        self.local_names: list[str] = []
        self.labels: dict[str, int] = {}
        self.joins: set[int] = set()
        self.spins: set[int] = set()  # ids of the `while` statements lowered as spin-waits
        self.atomic_depth = 0
        self.direct: set | None = None  # while lowering an `assume`: the memory it reads in place
        self.assigned = self.collect_assigned(decl.body, set())

    def collect_assigned(self, body, acc: set) -> set:
        for s in body:
            if isinstance(s, S.Assign) and isinstance(s.target, S.Name):
                acc.add(s.target.id)
            elif isinstance(s, (S.If,)):
                self.collect_assigned(s.then, acc)
                self.collect_assigned(s.orelse, acc)
            elif isinstance(s, (S.While, S.Atomic)):
                self.collect_assigned(s.body, acc)
            elif isinstance(s, S.Labeled):
                self.collect_assigned((s.stmt,), acc)
        return acc

    def run(self) -> ir.ThreadCode:
        init = []
        for lname, e, pos in self.decl.locals:
            if lname in self.c.names.kinds:
                raise ModelError(f"local '{lname}' has the name of a shared resource, input or thread", pos)
            pre, fn, t = self.expr(e)
            if pre:
                raise ModelError(f"the initial value of local '{lname}' reads shared state", e.pos,
                                 "initial values of locals are constants, inputs or tid")
            init.append((self.new_local(lname, t, pos), fn))
        for s in self.decl.body:
            self.stmt(s)
        code = tuple(self.code)
        return ir.ThreadCode(self.name, self.decl.name, self.tid, code, tuple(self.local_names),
                             tuple(init), dict(self.labels), dead_locals(code, len(self.local_names)),
                             local_reads(code), guarded(code))

    # -- locals ---------------------------------------------------------------------------
    def new_local(self, name: str, typ: str, pos: Pos) -> int:
        if name in self.locals:
            if self.local_types[name] != typ:
                raise ModelError(f"local '{name}' is {describe_type(self.local_types[name])}; "
                                 f"it cannot also hold {describe_type(typ)}", pos)
            return self.locals[name]
        k = len(self.local_names)
        self.locals[name] = k
        self.local_types[name] = typ
        self.local_names.append(name)
        return k

    def temp(self, typ: str) -> int:
        k = len(self.local_names)
        name = f"%{k}"
        self.locals[name] = k
        self.local_types[name] = typ
        self.local_names.append(name)
        return k

    def emit(self, instr) -> int:
        self.code.append(instr)
        return len(self.code) - 1

    # -- expressions ----------------------------------------------------------------------
    def expr(self, e: S.Expr, src: Src | None = None):
        """Returns (reads, fn, type): `reads` are Read instructions to emit first."""
        src = src or Src("", e.pos)
        if isinstance(e, S.Num):
            return [], _const(e.value), "int"
        if isinstance(e, S.Bool):
            return [], _const(e.value), "bool"
        if isinstance(e, S.Name):
            return self.name_value(e, src)
        if isinstance(e, S.Index):
            base = e.base.id
            kind = self.c.names.kinds.get(base)
            if base in self.c.vars and self.c.vars[base].array:
                var = self.c.vars[base]
                pre, ifn, it = self.expr(e.index, src)
                self.want(it, "int", e.index.pos, "an array index")
                if self.direct is not None:  # `assume`: reads memory in place, no step
                    self.direct.add((var.base, var.base + var.size))
                    return pre, reads(direct_cell(var, ifn, e.pos), ifn), var.type
                dst = self.temp(var.type)
                return pre + [ir.Read(dst, var, ifn, src)], self.local_fn(dst, e), var.type
            if kind is None and base not in self.locals:
                raise self.undefined(e.base)
            raise ModelError(f"'{base}' is {describe_type(kind or 'local')}, not an array",
                             e.pos, "only shared int arrays are indexed in expressions")
        if isinstance(e, S.Unary):
            pre, fn, t = self.expr(e.operand, src)
            if e.op == "-":
                self.want(t, "int", e.pos, "'-'")
                return pre, reads(lambda X: V.neg(fn(X)), fn), "int"
            self.want(t, "bool", e.pos, "'not'")
            return pre, reads(lambda X: V.not_(fn(X)), fn), "bool"
        if isinstance(e, S.Binary):
            pa, fa, ta = self.expr(e.left, src)
            pb, fb, tb = self.expr(e.right, src)
            return pa + pb, binop(e.op, fa, fb, e.pos), self.binary_type(e, ta, tb)
        if isinstance(e, S.Call):
            if e.fn == "len" and len(e.args) == 1 and isinstance(e.args[0], S.Name) and e.args[0].id in self.c.vars:
                return [], _const(self.c.vars[e.args[0].id].size), "int"
            if e.fn == "len":
                raise ModelError("'len' takes one shared array", e.pos, "write len(d)")
            if e.fn in ("sum", "at"):
                raise ModelError(f"'{e.fn}(...)' is only for properties under 'check'", e.pos,
                                 "in a thread, read cells one by one")
            if e.fn in ("fetch_add", "cas", "swap", "trylock"):
                raise ModelError(f"'{e.fn}' must be the whole right-hand side of '='", e.pos,
                                 f"write 'old = {e.fn}(...)' as its own statement")
            raise ModelError(f"unknown function '{e.fn}'", e.pos,
                             did_you_mean(e.fn, ["len", "fetch_add", "cas", "swap"]) or "functions: len, and in properties sum, at")
        if isinstance(e, S.AnyValue):
            raise ModelError("'any LO..HI' can only be the whole right-hand side of '='", e.pos)
        raise ModelError("unsupported expression", e.pos)

    def binary_type(self, e: S.Binary, ta: str, tb: str) -> str:
        if e.op in ("and", "or"):
            self.want(ta, "bool", e.left.pos, f"'{e.op}'")
            self.want(tb, "bool", e.right.pos, f"'{e.op}'")
            return "bool"
        if e.op in ("==", "!="):
            if ta != tb:
                raise ModelError(f"'{e.op}' compares {describe_type(ta)} with {describe_type(tb)}", e.pos)
            return "bool"
        self.want(ta, "int", e.left.pos, f"'{e.op}'")
        self.want(tb, "int", e.right.pos, f"'{e.op}'")
        return "bool" if e.op in ("<", "<=", ">", ">=") else "int"

    def want(self, got: str, want: str, pos: Pos, what: str) -> None:
        if got != want:
            raise ModelError(f"{what} needs {describe_type(want)}, found {describe_type(got)}", pos)

    def local_fn(self, k: int, e):
        name = self.local_names[k]
        pos = e.pos

        def read_local(X):
            v = X.L[k]
            if v is None:
                raise Fault(f"local '{name}' is read before it has a value", pos)
            return v
        read_local.uses = frozenset((k,))
        return read_local

    def name_value(self, e: S.Name, src: Src):
        n = e.id
        if n == "tid":
            return [], _const(self.tid), "int"
        if n in self.locals and not n.startswith("%"):
            return [], self.local_fn(self.locals[n], e), self.local_types[n]
        if n in self.c.input_slot:
            slot = self.c.input_slot[n]
            if self.index in self.c.watched and self.direct is None:  # an observer sees what it reads
                return [], seen_input(slot, ("thread", self.index)), self.c.slots[slot].type
            return [], (lambda X: X.M[slot]), self.c.slots[slot].type
        if n in self.c.vars:
            var = self.c.vars[n]
            if var.array:
                raise ModelError(f"'{n}' is an array; index it", e.pos, f"write {n}[i]")
            if self.direct is not None:  # `assume`: reads memory in place, no step
                self.direct.add((var.base, var.base + 1))
                return [], (lambda X: X.M[var.base]), var.type
            dst = self.temp(var.type)
            return [ir.Read(dst, var, None, src)], self.local_fn(dst, e), var.type
        if n in self.c.names.kinds:
            raise ModelError(f"'{n}' is {describe_type(self.c.names.kinds[n])}, not a value", e.pos)
        if n in self.assigned:
            raise ModelError(f"local '{n}' is read before any assignment to it", e.pos,
                             "assign it first, or declare it under 'locals:'")
        raise self.undefined(e)

    def undefined(self, e: S.Name) -> ModelError:
        known = list(self.c.names.kinds) + [k for k in self.locals if not k.startswith("%")] + ["tid"]
        return ModelError(f"undefined name '{e.id}'", e.pos,
                          did_you_mean(e.id, known) or "shared names go under 'shared:', inputs under 'inputs:'")

    def cond(self, e: S.Expr, src: Src, what: str):
        pre, fn, t = self.expr(e, src)
        self.want(t, "bool", e.pos, what)
        return pre, fn

    # -- statements -----------------------------------------------------------------------
    def emit_all(self, instrs) -> None:
        for i in instrs:
            self.emit(i)

    def stmt(self, s: S.Stmt) -> None:
        src = Src(s.text, s.pos)
        if isinstance(s, S.Assign):
            self.assign(s, src)
        elif isinstance(s, S.Sync):
            self.sync(s, src)
        elif isinstance(s, S.Check) and s.op == "assume":
            # an assumption takes no step: it filters executions on the state as it is
            self.direct = set()
            try:
                pre, fn = self.cond(s.cond, src, "'assume'")
            finally:
                reads_, self.direct = frozenset(self.direct), None
            self.emit(ir.Assume(fn, src, reads_))
        elif isinstance(s, S.Check):
            pre, fn = self.cond(s.cond, src, f"'{s.op}'")
            self.emit_all(pre)
            self.emit(ir.Assert(fn, src))
        elif isinstance(s, S.Skip):
            pass
        elif isinstance(s, S.Atomic):
            # Only the outermost block is marked: a nested block is part of its step (an
            # inner AtomicEnd would end the outer block's atomicity).
            outer = self.atomic_depth == 0
            begin = self.emit(None) if outer else None
            self.atomic_depth += 1
            for b in s.body:
                self.stmt(b)
            self.atomic_depth -= 1
            if outer:
                end = self.emit(ir.AtomicEnd(src))
                self.code[begin] = ir.AtomicBegin(end, src)
        elif isinstance(s, S.If):
            pre, fn = self.cond(s.cond, src, "'if'")
            self.emit_all(pre)
            br = self.emit(None)
            for b in s.then:
                self.stmt(b)
            if s.orelse:
                jump = self.emit(None)
                self.code[br] = ir.Branch(fn, len(self.code), src)
                for b in s.orelse:
                    self.stmt(b)
                self.code[jump] = ir.Jump(len(self.code), False, src)
            else:
                self.code[br] = ir.Branch(fn, len(self.code), src)
        elif isinstance(s, S.While):
            head = len(self.code)
            pre, fn = self.cond(s.cond, src, "'while'")
            reads = [k for k, i in enumerate(pre) if i.visible]
            if (self.atomic_depth == 0 and all(isinstance(b, S.Skip) for b in s.body)
                    and len(reads) == 1 and type(pre[reads[0]]) is ir.Read):
                # a spin-wait: the thread rests at its one read until it can exit
                self.emit_all(pre)
                self.emit(ir.Spin(fn, head + reads[0], src))
                self.spins.add(id(s))
                return
            self.emit_all(pre)
            br = self.emit(None)
            for b in s.body:
                self.stmt(b)
            self.emit(ir.Jump(head, True, src))
            self.code[br] = ir.Branch(fn, len(self.code), src)
            if self.atomic_depth == 0 and not any(i.visible for i in self.code[head:]):
                # A loop with no shared step would spin inside one step; make each turn a
                # step (it touches nothing) so a spinning thread is a cycle of states.
                self.code.insert(head, ir.Pause(src))
                self.shift_targets(head)
        elif isinstance(s, S.Labeled):
            if s.label in self.labels:
                raise ModelError(f"label '{s.label}' is used twice in thread '{self.decl.name}'", s.pos)
            start = len(self.code)
            self.stmt(s.stmt)
            first = self.code[start] if start < len(self.code) else None
            if first is None or not first.visible:
                self.code.insert(start, ir.Pause(Src(f"{s.label}: {s.stmt.text}", s.pos)))
                self.shift_targets(start)
            self.labels[s.label] = start

    def shift_targets(self, at: int) -> None:
        """After inserting one instruction at `at`, move jump targets that point past it."""
        for k, i in enumerate(self.code):
            if isinstance(i, ir.Branch) and i.target > at:
                self.code[k] = ir.Branch(i.cond, i.target + 1, i.src)
            elif isinstance(i, ir.Jump) and i.target > at:
                self.code[k] = ir.Jump(i.target + 1, i.back, i.src)
            elif isinstance(i, ir.Spin) and i.head >= at:  # it names its read, wherever that goes
                self.code[k] = ir.Spin(i.cond, i.head + 1, i.src)
            elif isinstance(i, ir.AtomicBegin) and i.end >= at:
                self.code[k] = ir.AtomicBegin(i.end + 1, i.src)
        for label, pc in self.labels.items():
            if pc > at:
                self.labels[label] = pc + 1

    def cell(self, target: S.Name | S.Index, src: Src, what: str):
        """A shared int/bool cell: (reads for its index, var, index fn or None)."""
        base = target.base if isinstance(target, S.Index) else target
        if base.id not in self.c.vars:
            kind = self.c.names.kinds.get(base.id) or (self.local_types.get(base.id) and "local")
            if kind is None:
                raise self.undefined(base)
            raise ModelError(f"{what} needs a shared int variable or array cell; '{base.id}' is "
                             f"{'a local' if kind == 'local' else describe_type(kind)}", base.pos)
        var = self.c.vars[base.id]
        if isinstance(target, S.Index):
            if not var.array:
                raise ModelError(f"'{base.id}' is not an array", target.pos)
            pre, ifn, it = self.expr(target.index, src)
            self.want(it, "int", target.index.pos, "an array index")
            return pre, var, ifn
        if var.array:
            raise ModelError(f"'{base.id}' is an array; name a cell", target.pos, f"write {base.id}[i]")
        return [], var, None

    def assign(self, s: S.Assign, src: Src) -> None:
        value = s.value
        target = s.target
        cell = None
        if isinstance(target, S.Index) and target.base.id in self.c.vars:
            # left to right: the reads in the target's index come before those of the value
            pre, var, ifn = self.cell(target, src, "assignment")
            self.emit_all(pre)
            cell = (var, ifn)
        if isinstance(value, S.Call) and value.fn in ("fetch_add", "cas", "swap", "trylock"):
            result_type = self.rhs_call(value, src)
            self.store(target, result_type, src, result=True, cell=cell)
            return
        if isinstance(value, S.AnyValue):
            lo, hi = self.bound(value.lo), self.bound(value.hi)
            if lo > hi:
                raise ModelError(f"the range {lo}..{hi} is empty", value.pos, f"write any {hi}..{lo}")
            tmp = self.temp("int")
            self.emit(ir.AnyLocal(tmp, lo, hi, src))
            self.store(target, "int", src, source=tmp, cell=cell)
            return
        pre, fn, t = self.expr(value, src)
        self.emit_all(pre)
        self.store(target, t, src, fn=fn, cell=cell)

    def bound(self, e: S.Expr) -> int:
        if isinstance(e, S.Num):
            return e.value
        raise ModelError("the bounds of 'any LO..HI' must be integer constants", e.pos)

    def store(self, target, typ: str, src: Src, fn=None, source: int | None = None, result: bool = False,
              cell=None):
        """Assign the value (fn, or local `source`, or the last Rmw/trylock result) to target."""
        if result:
            # the Rmw/trylock/SyncOp just emitted wrote into a temp; move it to the target
            last = self.code[-1]
            source = last.dst
        if fn is None and source is not None:
            fn = self.local_fn(source, target or S.Name("", src.pos))
        if target is None:
            return
        base = target.base if isinstance(target, S.Index) else target
        name = base.id
        if name == "tid":
            raise ModelError("'tid' is read-only", base.pos)
        if name in self.c.input_slot:
            raise ModelError(f"input '{name}' is read-only", base.pos, "copy it into a local or shared variable")
        kind = self.c.names.kinds.get(name)
        if kind is not None and name not in self.c.vars:
            raise ModelError(f"cannot assign to '{name}': it is {describe_type(kind)}", base.pos)
        if name in self.c.vars:
            if cell is None:
                pre, var, ifn = self.cell(target, src, "assignment")
                self.emit_all(pre)
            else:
                var, ifn = cell
            self.want(typ, var.type, src.pos, f"'{name}'")
            self.emit(ir.Write(var, ifn, fn, src))
            return
        if isinstance(target, S.Index):
            raise ModelError(f"'{name}' is not a shared array", target.pos,
                             "locals are scalars; arrays go under 'shared:'")
        k = self.new_local(name, typ, base.pos)
        self.emit(ir.SetLocal(k, fn, src))

    def rhs_call(self, call: S.Call, src: Src) -> str:
        if call.fn == "trylock":
            obj, pre = self.sync_ref(call.args[0], src, ("mutex",), "trylock")
            self.emit_all(pre)
            dst = self.temp("bool")
            self.emit(ir.SyncOp("trylock", obj, dst, src))
            return "bool"
        arity = {"fetch_add": 2, "swap": 2, "cas": 3}[call.fn]
        if len(call.args) != arity:
            raise ModelError(f"'{call.fn}' takes {arity} arguments, found {len(call.args)}", call.pos,
                             {"fetch_add": "fetch_add(x, 1)", "swap": "swap(x, v)", "cas": "cas(x, EXPECTED, NEW)"}[call.fn])
        loc = call.args[0]
        if not isinstance(loc, (S.Name, S.Index)):
            raise ModelError(f"the first argument of '{call.fn}' must be a shared variable or array cell", loc.pos)
        pre_cell, var, ifn = self.cell(loc, src, f"'{call.fn}'")
        args = []
        pre_args = []
        for a in call.args[1:]:
            p, f, t = self.expr(a, src)
            self.want(t, var.type if call.fn != "fetch_add" else "int", a.pos, f"an argument of '{call.fn}'")
            pre_args += p
            args.append(f)
        if call.fn == "fetch_add" and var.type != "int":
            raise ModelError(f"'fetch_add' needs an int variable; '{var.name}' is {describe_type(var.type)}", loc.pos)
        self.emit_all(pre_args + pre_cell)
        result = "bool" if call.fn == "cas" else var.type
        dst = self.temp(result)
        self.emit(ir.Rmw(call.fn, dst, var, ifn, tuple(args), src))
        return result

    def sync_ref(self, e: S.Name | S.Index, src: Src, kinds: tuple, op: str):
        """Resolve a sync object; a symbolic mutex-array index gets a Resolve before the op."""
        base = e.base if isinstance(e, S.Index) else e
        if base.id not in self.c.sync_refs:
            kind = self.c.names.kinds.get(base.id) or (base.id in self.locals and "local")
            if not kind:
                raise self.undefined(base)
            words = " or ".join(RESOURCE_WORDS[k] for k in kinds)
            example = {"mutex": "m: mutex", "rwlock": "rw: rwlock", "condition": "cv: condition",
                       "semaphore": "s: semaphore 1"}[kinds[0]]
            raise ModelError(f"'{op}' needs {words}; '{base.id}' is {describe_type(kind)}", base.pos,
                             f"declare one under 'shared:', e.g. '{example}'")
        kind, sbase, size = self.c.sync_refs[base.id]
        decl_kind = self.c.names.kinds[base.id]
        if kind not in kinds:
            words = " or ".join(RESOURCE_WORDS[k] for k in kinds)
            hint = "write 'wait CONDITION MUTEX'" if op == "wait" else None
            raise ModelError(f"'{op}' needs {words}; '{base.id}' is {describe_type(decl_kind)}", base.pos, hint)
        if decl_kind == "mutex_array":
            if not isinstance(e, S.Index):
                raise ModelError(f"'{base.id}' is an array of {size} mutexes; name one", e.pos, f"write {op} {base.id}[i]")
            pre, ifn, it = self.expr(e.index, src)
            self.want(it, "int", e.index.pos, "a mutex index")
            dst = self.temp("int")
            return ir.SyncRef(base.id, kind, sbase, size, dst), pre + [ir.Resolve(dst, ifn, size, src)]
        if isinstance(e, S.Index):
            raise ModelError(f"'{base.id}' is not an array", e.pos)
        return ir.SyncRef(base.id, kind, sbase, 1, None), []

    def sync(self, s: S.Sync, src: Src) -> None:
        op = s.op
        if op == "join":
            t = self.c.thread_ref(s.args[0], s.args[0].pos)
            if t == self.index:
                raise ModelError("a thread cannot join itself", s.pos)
            self.joins.add(t)
            self.emit(ir.Join(t, src))
            return
        if op == "wait":
            if self.atomic_depth:
                raise ModelError("'wait' cannot be inside an atomic block", s.pos)
            cv, pre1 = self.sync_ref(s.args[0], src, ("condition",), op)
            m, pre2 = self.sync_ref(s.args[1], src, ("mutex",), op)
            self.emit_all(pre1 + pre2)
            self.emit(ir.Wait(cv, m, src))
            self.emit(ir.Reacquire(m, cv, Src(f"(wake up: take {m.name} again)", s.pos)))
            return
        kinds = {"lock": ("mutex",), "unlock": ("mutex", "rwlock"), "read_lock": ("rwlock",),
                 "write_lock": ("rwlock",), "signal": ("condition",), "broadcast": ("condition",),
                 "acquire": ("semaphore",), "release": ("semaphore",)}[op]
        obj, pre = self.sync_ref(s.args[0], src, kinds, op)
        self.emit_all(pre)
        self.emit(ir.SyncOp(op, obj, None, src))


class PropertyCompiler:
    """Compiles a property: reads shared memory directly; `at`, `sum`, `len` are allowed."""

    def __init__(self, c: Compiler, threads: list[ir.ThreadCode]):
        self.c = c
        self.threads = threads
        self.slots: set[int] = set()
        self.observed: set[int] = set()

    def run(self, p: S.PropertyDecl) -> ir.Property:
        self.slots, self.observed = set(), set()
        fn, t = self.expr(p.expr)
        if t != "bool":
            raise ModelError(f"a '{p.kind}' property must be a condition, found {describe_type(t)}", p.expr.pos,
                             "compare it, e.g. 'x == 2'")
        return ir.Property(p.kind, fn, p.text, p.pos, frozenset(self.slots), frozenset(self.observed))

    def expr(self, e: S.Expr):
        if isinstance(e, S.Num):
            return _const(e.value), "int"
        if isinstance(e, S.Bool):
            return _const(e.value), "bool"
        if isinstance(e, S.Name):
            n = e.id
            if n in self.c.input_slot:
                slot = self.c.input_slot[n]
                return (lambda X: X.M[slot]), self.c.slots[slot].type
            if n in self.c.vars:
                var = self.c.vars[n]
                if var.array:
                    raise ModelError(f"'{n}' is an array; index it or use sum({n})", e.pos)
                self.slots.add(var.base)
                return (lambda X: X.M[var.base]), var.type
            if n in self.c.names.kinds:
                raise ModelError(f"'{n}' is {describe_type(self.c.names.kinds[n])}, not a value", e.pos)
            raise ModelError(f"undefined name '{n}' in a property", e.pos,
                             did_you_mean(n, list(self.c.input_slot) + list(self.c.vars))
                             or "properties read shared variables and inputs, not thread locals")
        if isinstance(e, S.Index):
            var = self.c.vars.get(e.base.id)
            if var is None or not var.array:
                raise ModelError(f"'{e.base.id}' is not a shared array", e.pos)
            ifn, it = self.expr(e.index)
            if it != "int":
                raise ModelError("an array index needs an int", e.index.pos)
            self.slots.update(range(var.base, var.base + var.size))
            return direct_cell(var, ifn, e.pos), var.type
        if isinstance(e, S.Unary):
            fn, t = self.expr(e.operand)
            if e.op == "-":
                if t != "int":
                    raise ModelError(f"'-' needs an int, found {describe_type(t)}", e.pos)
                return (lambda X: V.neg(fn(X))), "int"
            if t != "bool":
                raise ModelError(f"'not' needs a bool, found {describe_type(t)}", e.pos)
            return (lambda X: V.not_(fn(X))), "bool"
        if isinstance(e, S.Binary):
            fa, ta = self.expr(e.left)
            fb, tb = self.expr(e.right)
            t = Lowering.binary_type(self, e, ta, tb)
            return binop(e.op, fa, fb, e.pos), t
        if isinstance(e, S.Call):
            return self.call(e)
        raise ModelError("unsupported expression in a property", e.pos)

    want = Lowering.want

    def call(self, e: S.Call):
        if e.fn in ("sum", "len"):
            if len(e.args) != 1 or not isinstance(e.args[0], S.Name) or not (
                    e.args[0].id in self.c.vars and self.c.vars[e.args[0].id].array):
                raise ModelError(f"'{e.fn}' takes one shared array", e.pos, f"write {e.fn}(d)")
            var = self.c.vars[e.args[0].id]
            if e.fn == "len":
                return _const(var.size), "int"
            if var.type != "int":
                raise ModelError("'sum' needs an int array", e.pos)
            self.slots.update(range(var.base, var.base + var.size))
            lo, hi = var.base, var.base + var.size

            return (lambda X: X.terms.total(X.M[lo:hi])), "int"
        if e.fn == "at":
            if len(e.args) != 2 or not isinstance(e.args[1], S.Name):
                raise ModelError("'at' takes a thread and a label", e.pos, "write at(worker, crit)")
            t = self.c.thread_ref(e.args[0], e.args[0].pos)
            label = e.args[1].id
            labels = self.threads[t].labels
            if label not in labels:
                raise ModelError(f"thread '{self.threads[t].name}' has no label '{label}'", e.args[1].pos,
                                 did_you_mean(label, list(labels)) or "label a statement with '- LABEL: statement'")
            pc = labels[label]
            self.observed.add(t)
            return (lambda X: X.T[t].pc == pc and X.T[t].status == 0), "bool"
        raise ModelError(f"unknown function '{e.fn}'", e.pos, did_you_mean(e.fn, ["sum", "len", "at"]))


def compile_model(model: S.Model) -> ir.Program:
    try:
        return Compiler(model).program()
    except ModelError as e:
        raise e.in_file(model.file)
