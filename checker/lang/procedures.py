"""The `procedures:` of a model -> `syntax.ProcedureDecl`s (docs/language.md, "Procedures")."""
from __future__ import annotations

from yaml.nodes import MappingNode, Node

from checker.errors import ModelError, Pos, did_you_mean
from checker.lang import syntax as S
from checker.lang.declarations import local_decls
from checker.lang.expr import Cursor
from checker.lang.nodes import empty_ok, mapping, scalar
from checker.lang.source import pos_of, shown, text_origin
from checker.lang.statements import RESERVED, block

RESERVED_HINT = "pick another name; reserved are the statement words, sum, len, at, any, fetch_add, cas, swap and tid"
PROCEDURE_HINT = "write 'NAME(PARAM, ...)' as the key, e.g. 'apply_grad(g):', or 'reset():'"


def procedures(node: Node) -> tuple[S.ProcedureDecl, ...]:
    """`procedures: {NAME(PARAM, ...): [statements] | {do: [...], locals: {...}}}`.

    Errors: a key that is not `NAME(PARAM, ...)`, a reserved name (a statement word, a built-in
    such as `sum` or `fetch_add`, `tid`), a name or parameter given twice, an unknown key in the
    mapping form. Clashes with threads and shared names are checked by `checker.program`."""
    if empty_ok(node):
        return ()
    out: list[S.ProcedureDecl] = []
    table = mapping(node, "'procedures'", PROCEDURE_HINT + ", with its statements below it")
    for key, (knode, vnode) in table.items():
        text = scalar(knode, "a procedure's name", PROCEDURE_HINT).value
        origin = text_origin(knode)
        cur = Cursor(str(text), origin)
        if cur.tok.kind != "name":
            raise ModelError(f"'{shown(str(text))}' is not a procedure heading", origin, PROCEDURE_HINT)
        name = cur.next().text
        if name in RESERVED:
            raise ModelError(f"a procedure cannot be named '{name}': it is a word of the language", origin,
                             RESERVED_HINT)
        if not cur.accept("("):
            raise ModelError(f"procedure '{name}' needs its parameter list", cur.pos(),
                             f"write '{name}()' for a procedure without parameters")
        params: list[tuple[str, Pos]] = []
        while not cur.peek(")"):
            p = cur.name("a parameter name")
            if p.id in RESERVED:
                raise ModelError(f"a parameter cannot be named '{p.id}'", p.pos, RESERVED_HINT)
            if any(p.id == q for q, _ in params):
                raise ModelError(f"parameter '{p.id}' is given twice in procedure '{name}'", p.pos,
                                 "give each parameter its own name")
            params.append((p.id, p.pos))
            if not cur.accept(","):
                break
        cur.expect(")", "to close the parameter list")
        cur.end()
        first = next((d for d in out if d.name == name), None)
        if first is not None:
            raise ModelError(f"procedure '{name}' is defined twice", origin,
                             f"it is first defined at line {first.pos.line}: rename one of them")
        locals_: tuple = ()
        if isinstance(vnode, MappingNode):
            spec = mapping(vnode, f"procedure '{name}'")
            for k, (kn, _) in spec.items():
                if k not in ("do", "locals"):
                    raise ModelError(f"unknown key '{k}' in procedure '{name}'", pos_of(kn),
                                     did_you_mean(k, ["do", "locals"]) or
                                     "a procedure mapping has 'do:' and optionally 'locals:'")
            if "do" not in spec:
                raise ModelError(f"procedure '{name}' has no 'do:' list", pos_of(vnode),
                                 "give its statements under 'do:'")
            if "locals" in spec:
                locals_ = local_decls(spec["locals"][1])
            vnode = spec["do"][1]
        body = block(vnode, f"procedure '{name}'")
        out.append(S.ProcedureDecl(name, tuple(params), body, locals_, origin))
    return tuple(out)
