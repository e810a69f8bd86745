"""Properties and expectations: the `check:` list and `expect:` -> syntax nodes.

`PROPERTY_KINDS` are the entries `check:` takes; `VIOLATION_KINDS` the kinds `expect:` may name.
"""
from __future__ import annotations

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from checker.errors import ModelError, did_you_mean
from checker.lang import syntax as S
from checker.lang.expr import parse_expr
from checker.lang.nodes import empty_ok, is_name, mapping, scalar, sequence
from checker.lang.source import pos_of, shown, text_origin

PROPERTY_KINDS = ["final", "always", "no_deadlock", "no_leak", "no_race"]
VIOLATION_KINDS = ["final", "always", "assert", "deadlock", "lock_misuse", "runtime", "leak", "race"]


def properties(node: Node) -> tuple[S.PropertyDecl, ...]:
    if empty_ok(node):
        return ()
    out = []
    for item in sequence(node, "'check'", "write '- final: EXPR' or '- always: EXPR'"):
        if isinstance(item, ScalarNode) and item.value == "no_deadlock":
            out.append(S.PropertyDecl("no_deadlock", None, "no_deadlock", pos_of(item)))
            continue
        if isinstance(item, ScalarNode) and item.value == "no_race":
            out.append(S.PropertyDecl("no_race", None, "no_race", pos_of(item)))
            continue
        if not isinstance(item, MappingNode) or len(item.value) != 1:
            word = item.value if isinstance(item, ScalarNode) else None
            close = did_you_mean(word, ["no_deadlock", "no_race"]) if isinstance(word, str) else None
            if word == "no_leak":
                close = "write 'no_leak: {secret: INPUT, to: THREAD_OR_VARIABLE}'"
            raise ModelError("a property is 'final: EXPR', 'always: EXPR', 'no_deadlock', 'no_race' "
                             "(or 'no_race: [x, d]') or 'no_leak: {secret: S, to: OBS}'",
                             pos_of(item), close or "one property per list item")
        (knode, vnode), = item.value
        kind = scalar(knode, "a property kind", "write '- final: EXPR', '- always: EXPR' or '- no_race'").value
        if kind not in PROPERTY_KINDS:
            raise ModelError(f"unknown property kind '{shown(kind)}'", pos_of(knode),
                             did_you_mean(kind, PROPERTY_KINDS) or "use final, always, no_deadlock, no_race or no_leak")
        if kind == "no_deadlock":
            out.append(S.PropertyDecl("no_deadlock", None, "no_deadlock", pos_of(knode)))
            continue
        if kind == "no_leak":
            out.append(no_leak(knode, vnode))
            continue
        if kind == "no_race":
            out.append(no_race(knode, vnode))
            continue
        v = scalar(vnode, f"'{kind}'", f"write '{kind}: EXPR', e.g. '{kind}: x == 2'; quote it if it contains ': '")
        out.append(S.PropertyDecl(kind, parse_expr(v.value, text_origin(v)), v.value, pos_of(knode)))
    return tuple(out)


def no_race(knode: ScalarNode, vnode: Node) -> S.PropertyDecl:
    """`no_race: [x, d]` (or `no_race: x`): the shared variables and arrays it watches."""
    hint = "write '- no_race' for every shared variable, or '- no_race: [x, d]'"
    if empty_ok(vnode):
        raise ModelError("'no_race:' names no variable", pos_of(knode), hint)
    items = vnode.value if isinstance(vnode, SequenceNode) else [vnode]
    if not items:
        raise ModelError("'no_race: []' names no variable", pos_of(vnode), hint)
    names = []
    for item in items:
        v = scalar(item, "a name in 'no_race'", hint)
        if not is_name(v.value):
            raise ModelError(f"'{shown(v.value)}' is not a variable name", pos_of(item),
                             "name a whole variable or array: 'no_race: [d]' watches every cell of d")
        if any(n == v.value for n, _ in names):
            raise ModelError(f"'{v.value}' is named twice in 'no_race'", pos_of(item), "name each variable once")
        names.append((v.value, pos_of(item)))
    text = "no_race: [" + ", ".join(n for n, _ in names) + "]"
    return S.PropertyDecl("no_race", None, text, pos_of(knode), names=tuple(names))


def no_leak(knode: ScalarNode, vnode: Node) -> S.PropertyDecl:
    """`no_leak: {secret: S, to: OBS}`, each of S and OBS a name or a list of names."""
    hint = "write 'no_leak: {secret: INPUT, to: THREAD_OR_VARIABLE}' (each may be a list)"
    table = mapping(vnode, "'no_leak'", hint) if not empty_ok(vnode) else {}
    for key, (k, _) in table.items():
        if key not in ("secret", "to"):
            raise ModelError(f"unknown key '{shown(key)}' in 'no_leak'", pos_of(k),
                             did_you_mean(key, ["secret", "to"]) or hint)
    for need in ("secret", "to"):
        if need not in table:
            raise ModelError(f"'no_leak' needs '{need}'", pos_of(vnode), hint)

    def names(node: Node, what: str) -> tuple:
        items = node.value if isinstance(node, SequenceNode) else [node]
        if not items:
            raise ModelError(f"'{what}' of 'no_leak' names nothing", pos_of(node), hint)
        out = []
        for item in items:
            v = scalar(item, f"a name in '{what}' of 'no_leak'", hint)
            if not is_name(v.value):
                raise ModelError(f"'{shown(v.value)}' is not a name", pos_of(v), hint)
            if any(n == v.value for n, _ in out):
                raise ModelError(f"'{v.value}' is named twice in '{what}' of 'no_leak'", pos_of(v), "name each once")
            out.append((v.value, pos_of(v)))
        return tuple(out)

    leak = S.LeakDecl(names(table["secret"][1], "secret"), names(table["to"][1], "to"))
    def listed(items) -> str:
        return items[0][0] if len(items) == 1 else "[" + ", ".join(n for n, _ in items) + "]"

    text = f"no_leak: {{secret: {listed(leak.secret)}, to: {listed(leak.to)}}}"
    return S.PropertyDecl("no_leak", None, text, pos_of(knode), leak)


def expect(node: Node) -> S.Expect:
    pos = pos_of(node)
    if isinstance(node, ScalarNode):
        if node.value in ("holds", "violated"):
            return S.Expect(node.value, (), pos)
        raise ModelError(f"'expect' must be holds or violated, not '{shown(node.value)}'", pos,
                         did_you_mean(node.value, ["holds", "violated"]) or "or {violated: KIND}")
    shapes = "write 'expect: holds', 'expect: violated' or 'expect: {violated: KIND}'"
    table = mapping(node, "'expect'", shapes)
    if list(table) != ["violated"]:
        raise ModelError("'expect' as a mapping must be {violated: KIND} or {violated: [KIND, ...]}", pos, shapes)
    vnode = table["violated"][1]
    items = vnode.value if isinstance(vnode, SequenceNode) else [vnode]
    if not items:
        raise ModelError("'expect: {violated: [...]}' needs at least one kind", pos_of(vnode),
                         "or write 'expect: violated'")
    kinds = []
    for item in items:
        kind = scalar(item, "an expected violation kind", f"kinds: {', '.join(VIOLATION_KINDS)}").value
        if kind not in VIOLATION_KINDS:
            raise ModelError(f"unknown violation kind '{shown(kind)}'", pos_of(item),
                             did_you_mean(kind, VIOLATION_KINDS) or f"kinds: {', '.join(VIOLATION_KINDS)}")
        if kind in kinds:
            raise ModelError(f"violation kind '{shown(kind)}' is listed twice", pos_of(item), "list each kind once")
        kinds.append(kind)
    return S.Expect("violated", tuple(kinds), pos)


