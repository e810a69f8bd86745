"""Lowering: a thread instance's statements -> instructions, at most one shared access per step.

`x = EXPR` becomes one `Read` per shared read in EXPR (left to right, each into a fresh temp),
then the rest as local work, then one `Write` if the target is shared. Conditions of
`if`/`while`/`assert` read their shared operands the same way; an `assume` reads in place and
takes no step. A `while` whose body is empty and whose test makes one shared read is a
spin-wait (`Spin`). Assignments are lowered by `assign`, the primitives' statements by `sync`,
`break`/`continue`/`return` and procedure calls (inlined) by `calls`.
"""
from __future__ import annotations

from checker.errors import ModelError
from checker.lang import syntax as S
from checker.program import assign, calls, ir, maps, spawns, sync, tasks
from checker.program.expr import StatementExprs
from checker.program.ir import Src
from checker.program.layout import Layout
from checker.program.liveness import dead_locals, guarded, local_reads
from checker.program.model import ThreadCode
from checker.program.names import Locals


class Lowering:
    """Lowers one thread instance's statements into instructions."""

    def __init__(self, layout: Layout, decl: S.ThreadDecl, name: str, tid: int, index: int,
                 procedures: dict | None = None):
        self.layout = layout
        self.procedures = procedures or {}
        self.via: tuple = ()  # the calls being inlined: (call as written, its line), outermost first
        self.loops: list = []  # the loops open in the current body: (head pc, key of their breaks)
        self.loop_depth = 0  # loops open, callers' included
        self.frames: list = []  # the calls being inlined (`calls.Frame`)
        self.decl = decl
        self.name = name
        self.tid = tid
        self.index = index
        self.code: list = []
        self.locals = Locals(layout.names, self.collect_assigned(decl.body + decl.final, set()))
        self.exprs = StatementExprs(layout, self.locals, tid, index)
        self.labels: dict[str, int] = {}
        self.joins: set[int] = set()
        self.spins: set[int] = set()  # ids of the `while` statements lowered as spin-waits
        self.atomic_depth = 0
        self.final: int | None = None  # where the `finally:` block starts, once lowered

    def collect_assigned(self, body, acc: set) -> set:
        for s in body:
            if isinstance(s, (S.Assign, S.Invoke, S.Spawn)) and isinstance(s.target, S.Name):
                acc.add(s.target.id)
            if isinstance(s, S.Assign) and isinstance(s.second, S.Name):
                acc.add(s.second.id)
            elif isinstance(s, (S.If,)):
                self.collect_assigned(s.then, acc)
                self.collect_assigned(s.orelse, acc)
            elif isinstance(s, (S.While, S.Atomic)):
                self.collect_assigned(s.body, acc)
            elif isinstance(s, S.Labeled):
                self.collect_assigned((s.stmt,), acc)
        return acc

    def initial_value(self, lname: str, e, pos, allowed: str = "constants, inputs or tid") -> tuple:
        """(fn, type) of a `locals:` initial value; ModelError if the name is taken or it reads
        shared state (it runs before the thread's first step)."""
        if lname in self.layout.names.kinds:
            raise ModelError(f"local '{lname}' has the name of a shared resource, input or thread", pos,
                             "give the local a name of its own")
        pre, fn, t = self.exprs.expr(e)
        if pre:
            raise ModelError(f"the initial value of local '{lname}' reads shared state", e.pos,
                             f"initial values of locals are {allowed}")
        return fn, t

    def run(self) -> ThreadCode:
        params = spawns.begin(self) if self.decl.spawned else ()
        init = []
        for lname, e, pos in self.decl.locals:
            fn, t = self.initial_value(lname, e, pos)
            init.append((self.locals.new(lname, t, pos), fn))
        for s in self.decl.body:
            self.stmt(s)
        final = self.final = tasks.finish(self)  # a thread's `return`: to its `finally:` block, or to its end
        code = self.without_dead_resets()
        return ThreadCode(self.name, self.decl.name, self.tid, code, tuple(self.locals.order),
                          tuple(init), dict(self.labels), dead_locals(code, len(self.locals.order), final),
                          local_reads(code), guarded(code), self.decl.spawned, params, tasks.loop_of(self), final)

    def emit(self, instr) -> int:
        self.code.append(instr)
        return len(self.code) - 1

    # -- statements -----------------------------------------------------------------------
    def emit_all(self, instrs) -> None:
        for i in instrs:
            self.emit(i)

    def stmt(self, s: S.Stmt) -> None:
        self.FORMS[type(s)](self, s, Src(s.text, s.pos, self.via))

    def jump(self, s: S.Jump, src: Src) -> None:
        calls.jump(self, s, src)

    def invoke(self, s: S.Invoke, src: Src) -> None:
        calls.invoke(self, s, src)

    def emit_resets(self, scope, proc: S.ProcedureDecl):
        """A call inside a loop: its locals must start unset at each call, as a fresh call's do.
        Reserves one instruction per local the body assigns; the returned function fills them
        once the body is lowered (and the locals have slots)."""
        fixed = {q for q, _ in proc.params} | {n for n, _, _ in proc.locals}
        names = sorted(self.collect_assigned(proc.body, set()) - fixed)
        start = len(self.code)
        for _ in names:
            self.emit(None)

        def fill() -> None:
            for k, n in enumerate(names):
                src = Src("(fresh locals)", proc.pos, self.via)
                slot = scope.slot.get(n)
                self.code[start + k] = (ir.SetLocal(slot, calls.unset, src) if slot is not None
                                        else ir.Jump(start + k + 1, False, src))
        return fill

    def without_dead_resets(self) -> tuple:
        """Resets (`emit_resets`) of locals that are written before any read: no-op jumps."""
        code = list(self.code)
        dead = dead_locals(tuple(code), len(self.locals.order), self.final)
        for pc, i in enumerate(code):
            if type(i) is ir.SetLocal and i.fn is calls.unset and i.dst in dead[pc + 1]:
                code[pc] = ir.Jump(pc + 1, False, i.src)
        return tuple(code)

    def sync(self, s: S.Sync, src: Src) -> None:
        sync.lower(self, s, src)

    def assign(self, s: S.Assign, src: Src) -> None:
        assign.lower(self, s, src)

    def check(self, s: S.Check, src: Src) -> None:
        if s.op == "assume":
            # an assumption takes no step: it filters executions on the state as it is
            self.exprs.direct = set()
            try:
                pre, fn = self.exprs.cond(s.cond, src, "'assume'")
            finally:
                reads_, self.exprs.direct = frozenset(self.exprs.direct), None
            self.emit(ir.Assume(fn, src, reads_))
            return
        pre, fn = self.exprs.cond(s.cond, src, f"'{s.op}'")
        self.emit_all(pre)
        self.emit(ir.Assert(fn, src))

    def skip(self, s: S.Skip, src: Src) -> None:
        pass

    def await_(self, s: S.Await, src: Src) -> None:
        tasks.await_(self, s, src)

    def spawn(self, s: S.Spawn, src: Src) -> None:
        spawns.spawn(self, s, src)

    def delete(self, s: S.Delete, src: Src) -> None:
        maps.delete(self, s, src)

    def atomic(self, s: S.Atomic, src: Src) -> None:
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

    def if_(self, s: S.If, src: Src) -> None:
        pre, fn = self.exprs.cond(s.cond, src, "'if'")
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

    def while_(self, s: S.While, src: Src) -> None:
        head = len(self.code)
        pre, fn = self.exprs.cond(s.cond, src, "'while'")
        reads = [k for k, i in enumerate(pre) if i.visible]
        spin = all(isinstance(b, S.Skip) for b in s.body) and len(reads) == 1 and type(pre[reads[0]]) is ir.Read
        if spin and self.atomic_depth > 0:
            raise ModelError("a spin-wait cannot be inside an atomic block", s.pos,
                             "no other thread runs until the block ends, so the wait could never end: "
                             "wait before the block")
        if spin:
            # a spin-wait: the thread rests at its one read until it can exit
            self.emit_all(pre)
            self.emit(ir.Spin(fn, head + reads[0], src))
            self.spins.add(id(s))
            return
        self.emit_all(pre)
        br = self.emit(None)
        key = object()
        self.loops.append((head, key))
        self.loop_depth += 1
        try:
            for b in s.body:
                self.stmt(b)
        finally:
            self.loops.pop()
            self.loop_depth -= 1
        self.emit(ir.Jump(head, True, src))
        self.code[br] = ir.Branch(fn, len(self.code), src)
        calls.patch(self, key, len(self.code))  # `break`: past the loop
        if self.atomic_depth == 0 and not any(i.visible for i in self.code[head:]):
            # A loop with no shared step would spin inside one step; make each turn a
            # step (it touches nothing) so a spinning thread is a cycle of states.
            self.code.insert(head, ir.Pause(src))
            self.shift_targets(head)

    def labeled(self, s: S.Labeled, src: Src) -> None:
        if s.label in self.labels:
            raise ModelError(f"label '{s.label}' is used twice in thread '{self.decl.name}'", s.pos,
                             "give each label of a thread its own name: at(THREAD, LABEL) names one place")
        start = len(self.code)
        self.stmt(s.stmt)
        first = self.code[start] if start < len(self.code) else None
        if first is None or not first.visible:
            self.code.insert(start, ir.Pause(Src(f"{s.label}: {s.stmt.text}", s.pos, self.via)))
            self.shift_targets(start)
        self.labels[s.label] = start

    FORMS = {S.Assign: assign, S.Sync: sync, S.Check: check, S.Skip: skip, S.Atomic: atomic, S.If: if_,
             S.While: while_, S.Labeled: labeled, S.Jump: jump, S.Invoke: invoke,
             S.Delete: delete, S.Spawn: spawn, S.Await: await_}  # each statement form -> its lowering

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
