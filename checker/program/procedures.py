"""Procedures and jumps, checked before lowering: where `break`/`continue`/`return` may stand,
which procedures a call names, with how many arguments, and that no procedure calls itself.

Shapes: `check(model, names)` walks every thread body and every procedure body once and
returns the procedures by name (`{name: syntax.ProcedureDecl}`). Errors (each a `ModelError`
at the statement, with a hint):

* a procedure named like a thread, a shared resource or an input, or a parameter so named;
* `break` / `continue` outside a loop (a procedure's body starts outside any loop: a loop of
  the caller does not count), `return EXPR` in a thread (a thread gives no value: `return`
  alone ends it), `break` / `continue` / `return` inside `atomic:`, a label in a procedure;
* a call of an undefined procedure (with did-you-mean), with the wrong number of arguments,
  `v = f(...)` where `f` has no `return EXPR` at all;
* recursion, direct or mutual, named as its cycle: `f -> g -> f`.

Calls are lowered by inlining (`calls`), which is why recursion is refused.
"""
from __future__ import annotations

from checker.errors import ModelError, did_you_mean
from checker.lang import syntax as S
from checker.program.loops import statements
from checker.program.names import Names, describe_type


def check(model: S.Model, names: Names) -> dict[str, S.ProcedureDecl]:
    procs = {p.name: p for p in model.procedures}
    for p in model.procedures:
        if p.name in names.kinds:
            kind = describe_type(names.kinds[p.name])
            raise ModelError(f"procedure '{p.name}' has the name of {kind}", p.pos,
                             "procedures, threads, shared resources and inputs need different names")
        for q, pos in p.params:
            if q in names.kinds:
                raise ModelError(f"parameter '{q}' of procedure '{p.name}' has the name of "
                                 f"{describe_type(names.kinds[q])}", pos, "rename the parameter")
    walker = Walker(procs)
    for d in model.threads:
        walker.body(d.body + d.final, loop=False, atomic=False, proc=None)
    for p in model.procedures:
        walker.body(p.body, loop=False, atomic=False, proc=p)
    recursion(procs, walker.calls)
    return procs


def returns_value(p: S.ProcedureDecl) -> bool:
    """Has `p` some `return EXPR`?"""
    return any(isinstance(s, S.Jump) and s.value is not None for s in statements(p.body))


class Walker:
    """Checks each statement in its context; collects the call graph (`calls`: caller ->
    [(callee, call statement)])."""

    def __init__(self, procs: dict):
        self.procs = procs
        self.calls: dict[str, list] = {name: [] for name in procs}

    def body(self, body, loop: bool, atomic: bool, proc) -> None:
        for s in body:
            self.stmt(s, loop, atomic, proc)

    def stmt(self, s, loop: bool, atomic: bool, proc) -> None:
        if isinstance(s, S.Jump):
            self.jump(s, loop, atomic, proc)
        elif isinstance(s, S.Invoke):
            self.invoke(s, proc)
        elif isinstance(s, S.While):
            self.body(s.body, True, atomic, proc)
        elif isinstance(s, S.Atomic):
            self.body(s.body, loop, True, proc)
        elif isinstance(s, S.If):
            self.body(s.then, loop, atomic, proc)
            self.body(s.orelse, loop, atomic, proc)
        elif isinstance(s, S.Labeled):
            if proc is not None:
                raise ModelError(f"a label inside procedure '{proc.name}'", s.pos,
                                 "label the call instead: a procedure's statements are inlined at each call")
            self.stmt(s.stmt, loop, atomic, proc)

    def jump(self, s: S.Jump, loop: bool, atomic: bool, proc) -> None:
        if atomic:
            raise ModelError(f"'{s.op}' inside 'atomic:'", s.pos,
                             "an atomic block runs as one step to its end; "
                             f"put the '{s.op}' after the block (e.g. under an 'if' on a flag set inside it)")
        if s.op in ("break", "continue") and not loop:
            where = f" in procedure '{proc.name}'" if proc is not None else ""
            raise ModelError(f"'{s.op}' outside a loop{where}", s.pos,
                             f"'{s.op}' goes inside a 'while' ('do:' list); "
                             + ("'return' leaves the procedure" if proc is not None else "'return' ends the thread"))
        if s.op == "return" and s.value is not None and proc is None:
            raise ModelError("'return EXPR' in a thread: a thread gives no value", s.pos,
                             "write 'return' to end the thread, or store the value in a shared variable first")

    def invoke(self, s: S.Invoke, proc) -> None:
        p = self.procs.get(s.name)
        if p is None:
            raise ModelError(f"undefined procedure '{s.name}'", s.pos,
                             did_you_mean(s.name, list(self.procs))
                             or f"define it under 'procedures:', e.g. '{s.name}(x): [...]'")
        if len(s.args) != len(p.params):
            want = ", ".join(q for q, _ in p.params)
            raise ModelError(f"procedure '{s.name}' takes {len(p.params)} argument{'s' * (len(p.params) != 1)}"
                             f" ({want}), found {len(s.args)}" if want else
                             f"procedure '{s.name}' takes no arguments, found {len(s.args)}", s.pos,
                             f"write '{s.name}({want})' with one value per parameter")
        if s.target is not None and not returns_value(p):
            raise ModelError(f"procedure '{s.name}' never returns a value", s.pos,
                             f"call it as a statement, '{s.call}', or end '{s.name}' with 'return EXPR'")
        if proc is not None:
            self.calls[proc.name].append((s.name, s))


def recursion(procs: dict, calls: dict) -> None:
    """Refuse a cycle in the call graph, naming it from the procedure first declared on it."""
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list = []  # (procedure, the call it makes next)

    def visit(name: str) -> None:
        state[name] = 1
        for callee, s in calls.get(name, ()):
            path.append((name, s))
            if state.get(callee) == 1:
                start = next(k for k, (n, _) in enumerate(path) if n == callee)
                cycle = [n for n, _ in path[start:]] + [callee]
                raise ModelError(f"recursion: {' -> '.join(cycle)}", path[start][1].pos,
                                 "procedures are inlined at each call, so they cannot call themselves; "
                                 "write the repetition as a 'while' loop")
            if state.get(callee) is None:
                visit(callee)
            path.pop()
        state[name] = 2

    for name in procs:
        if name not in state:
            visit(name)
