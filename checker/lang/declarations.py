"""The declarations of a model: `inputs:`, `shared:` and `threads:` -> syntax nodes (`procedures:`
are in `procedures`).

A shared resource is a variable, an array, or a primitive declared by its keyword
(`checker.primitives.KINDS`: `m: mutex`, `locks: mutex[8]`, `s: semaphore 2`, ...).
"""
from __future__ import annotations

import re
from dataclasses import replace

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from checker.errors import ModelError, Pos, did_you_mean
from checker.lang import syntax as S
from checker.lang.expr import Cursor, parse_expr
from checker.lang.nodes import empty_ok, identifier, mapping, scalar
from checker.lang.source import pos_of, shown, text_origin
from checker.lang.statements import block
from checker.primitives import KINDS


def _shared_hint() -> str:
    """The forms a shared value may take, for hints: 'write a value (0, false), int[N], mutex, ...'."""
    words = [f"'{word} N'" if d.param else word for word, d in KINDS.items()]
    return f"write a value (0, false), int[N], map, {', '.join(words[:-1])} or {words[-1]}"


SHARED_HINT = _shared_hint()


def inputs(node: Node) -> tuple[S.InputDecl, ...]:
    if empty_ok(node):
        return ()
    out = []
    table = mapping(node, "'inputs'", "write one input per line below it, e.g. '  g: int in 0..9'")
    for key, (knode, vnode) in table.items():
        name = identifier(knode, "input")
        v = scalar(vnode, f"input '{name}'", "write 'int in 0..9', 'int' or 'bool'")
        cur = Cursor(v.value, text_origin(v))
        typ = cur.tok.text if cur.tok.kind == "name" else ""
        if typ not in ("int", "bool"):
            raise cur.error(f"expected a type for input '{name}'",
                            "write 'int in LO..HI', 'int' or 'bool'")
        cur.next()
        lo = hi = None
        if typ == "int" and cur.accept("in"):
            bounds = "write the bounds as numbers, e.g. 'int in 0..9'"
            lo, hi = const_int(cur, bounds), None
            cur.expect("..", "between the bounds (write 'int in LO..HI')")
            hi = const_int(cur, bounds)
            if lo > hi:
                raise ModelError(f"the range {lo}..{hi} of input '{name}' is empty",
                                 text_origin(v), f"write {hi}..{lo}")
        secret = cur.accept("secret")
        if not cur.at_end():
            raise cur.error(f"unexpected text after the type of input '{name}'",
                            did_you_mean(cur.tok.text, ["secret"]) or "write 'int in LO..HI', optionally followed by 'secret'")
        out.append(S.InputDecl(name, typ, lo, hi, pos_of(knode), secret))
    return tuple(out)


def const_int(cur: Cursor, hint: str) -> int:
    tok = cur.tok
    e = cur.expr()
    if not isinstance(e, S.Num):
        raise ModelError("expected an integer constant", cur.pos(tok), hint)
    return e.value


def shared(node: Node) -> tuple[S.SharedDecl, ...]:
    if empty_ok(node):
        return ()
    out = []
    table = mapping(node, "'shared'", "write one resource per line below it, e.g. '  x: 0' or '  m: mutex'")
    for key, (knode, vnode) in table.items():
        name = identifier(knode, "shared")
        pos = pos_of(knode)
        if isinstance(vnode, SequenceNode):
            cells = tuple(parse_expr(scalar(c, f"a cell of '{name}'", "a cell is a number or true/false; "
                                            "arrays have one dimension").value, text_origin(c))
                          for c in vnode.value)
            if not cells:
                raise ModelError(f"array '{name}' has no cells", pos_of(vnode), "write int[N] for N zeros")
            out.append(S.SharedDecl(name, "int_array", cells, len(cells), pos))
            continue
        v = scalar(vnode, f"shared '{name}'", SHARED_HINT)
        out.append(resource(name, v, pos))
    return tuple(out)


def resource(name: str, v: ScalarNode, pos: Pos) -> S.SharedDecl:
    if v.value == "":
        raise ModelError(f"shared '{name}' has no value", pos_of(v), SHARED_HINT)
    cur = Cursor(v.value, text_origin(v))
    if cur.tok.kind == "name" and cur.tok.text == "atomic":  # `x: atomic 0`, `a: atomic int[4]`
        rest = cur.tokens[1]
        if rest.kind == "end":
            raise ModelError(f"atomic '{name}' needs an initial value or an array type", text_origin(v),
                             "write 'x: atomic 0' or 'a: atomic int[4]'")
        d = declared(name, v.value[rest.col:], cur.pos(rest), pos)
        if d.kind not in ("var", "int_array", "bool_array"):
            raise ModelError(f"only variables and arrays can be atomic; '{name}' is a {d.kind.replace('_', ' ')}",
                             cur.pos(rest), "write 'x: atomic 0' or 'a: atomic int[4]'")
        return replace(d, atomic=True)
    return declared(name, v.value, text_origin(v), pos)


def declared(name: str, value: str, origin: Pos, pos: Pos) -> S.SharedDecl:
    """A shared resource from its declaration text (which starts at `origin`)."""
    cur = Cursor(value, origin)
    word = cur.tok.text if cur.tok.kind == "name" else ""
    if word == "map":  # `cache: map`: a map from ints to ints, empty at the start
        return map_decl(name, cur, origin, pos)
    kind = KINDS.get(word)
    if (word in ("int", "bool") or (kind is not None and kind.array_of)) and cur.tokens[1].text == "[":
        cur.next()
        cur.next()
        size = const_int(cur, f"write the size as a number, e.g. '{name}: {word}[4]'")
        cur.expect("]")
        param = kind.param if kind is not None else None
        n = None
        if param is not None and not (param.optional and cur.at_end()):  # `sems: semaphore[4] 1`: for every object
            if cur.at_end():
                raise ModelError(f"{word} '{name}' needs a number of {param.name} after its size", origin,
                                 f"{word} arrays are written '{name}: {word}[{size}] {param.sample}'")
            n = const_int(cur, f"write '{name}: {word}[{size}] {param.sample}'")
        cur.end()
        if not 1 <= size <= 4096:
            raise ModelError(f"array '{name}' must have 1 to 4096 cells, not {size}", origin,
                             f"write '{name}: {word}[N]{'' if n is None else f' {n}'}' with N from 1 to 4096")
        if n is not None and not param.lo <= n <= param.hi:
            raise ModelError(f"{word} '{name}' needs {param.lo} to {param.hi} {param.name}, not {n}", origin,
                             f"write '{name}: {word}[{size}] {param.sample}'")
        if kind is not None:
            return S.SharedDecl(name, f"{word}_array", n if n is not None or param is None else 0, size, pos)
        init = S.Bool(False, pos) if word == "bool" else S.Num(0, pos)
        return S.SharedDecl(name, f"{word}_array", (init,) * size, size, pos)
    if kind is not None and kind.param is None and len(cur.tokens) == 2:
        return S.SharedDecl(name, word, None, 1, pos)
    if kind is not None and kind.param is not None:  # `s: semaphore 2`
        param = kind.param
        cur.next()
        if cur.at_end() and param.optional:  # `q: queue`: unbounded
            return S.SharedDecl(name, word, 0, 1, pos)
        if cur.at_end():
            raise ModelError(f"{word} '{name}' needs a number of {param.name}", origin,
                             f"write '{word} {param.sample}'")
        n = const_int(cur, f"write '{word} {param.sample}'")
        cur.end()
        if not param.lo <= n <= param.hi:
            raise ModelError(f"{word} '{name}' needs {param.lo} to {param.hi} {param.name}, not {n}", origin,
                             f"write '{word} {param.sample}'")
        return S.SharedDecl(name, word, n, 1, pos)
    if word in ("int", "bool") and len(cur.tokens) == 2:
        raise ModelError(f"shared '{name}' needs an initial value, not a type", origin,
                         "write 'x: 0' or 'flag: false' (inputs go under 'inputs:')")
    hint_word = did_you_mean(word, list(KINDS)) if word else None
    try:
        init = parse_expr(value, origin)
    except ModelError as e:
        raise ModelError(e.message, e.pos, hint_word or e.hint) from None
    if hint_word and isinstance(init, S.Name):
        raise ModelError(f"unknown resource type '{word}'", origin, hint_word)
    return S.SharedDecl(name, "var", init, 1, pos)


def map_decl(name: str, cur: Cursor, origin: Pos, pos: Pos) -> S.SharedDecl:
    """`cache: map`, which takes no size and has no array form."""
    nxt = cur.tokens[1]
    if nxt.text == "[":
        raise ModelError(f"there are no arrays of maps: '{name}' must be one map", cur.pos(nxt),
                         f"declare '{name}: map' (or one map per name); arrays exist for int, bool and "
                         "the resources (mutex[N], condition[N], semaphore[N] P, ...)")
    if nxt.kind != "end":
        raise ModelError(f"a map takes no size or value: '{name}' starts empty and grows as keys are written",
                         cur.pos(nxt), f"write '{name}: map'")
    return S.SharedDecl(name, "map", None, 1, pos)


def threads(node: Node) -> tuple[S.ThreadDecl, ...]:
    table = mapping(node, "'threads'", "write one thread per line below it, 'NAME:' and its statements, "
                    "e.g. '  t: [x = 1]'")
    if not table:
        raise ModelError("'threads' is empty", pos_of(node), "a model needs at least one thread")
    out = []
    for key, (knode, vnode) in table.items():
        name = identifier(knode, "thread")
        count = None
        locals_: tuple = ()
        if isinstance(vnode, MappingNode):
            spec = mapping(vnode, f"thread '{name}'")
            for k, (kn, _) in spec.items():
                if k not in THREAD_KEYS:
                    raise ModelError(f"unknown key '{k}' in thread '{name}'", pos_of(kn),
                                     did_you_mean(k, list(THREAD_KEYS)) or
                                     "a thread mapping has 'do:', and optionally " + ", ".join(
                                         f"'{w}:'" for w in THREAD_KEYS[1:]))
            if "do" not in spec:
                raise ModelError(f"thread '{name}' has no 'do:' list", pos_of(vnode),
                                 "give its statements under 'do:'")
            if "count" in spec:
                c = scalar(spec["count"][1], "'count'", "write 'count: N', N from 1 to 64")
                if not re.fullmatch(r"[0-9]{1,6}", c.value) or not 1 <= int(c.value) <= 64:
                    raise ModelError(f"'count' must be a whole number from 1 to 64, not '{shown(c.value)}'", pos_of(c),
                                     "a model has at most 64 threads in all")
                count = int(c.value)
            if "locals" in spec:
                locals_ = local_decls(spec["locals"][1])
            spawned, params = start_and_params(name, spec)
            loop = None
            if "loop" in spec:
                node = scalar(spec["loop"][1], "'loop'", "write 'loop: NAME', the name of the event loop")
                loop = (identifier(node, "event loop"), pos_of(node))
            final = block(spec["finally"][1], f"the 'finally' of thread '{name}'") if "finally" in spec else ()
            body_node = spec["do"][1]
        else:
            body_node = vnode
            spawned, params, loop, final = False, (), None, ()
        body = block(body_node, f"thread '{name}'")
        if not body:
            raise ModelError(f"thread '{name}' has no statements", pos_of(knode if empty_ok(body_node) else body_node),
                             "give it at least one statement (write 'skip' for one that does nothing), "
                             "or leave the thread out")
        out.append(S.ThreadDecl(name, body, count, locals_, pos_of(knode), spawned, params, loop, final))
    return tuple(out)


THREAD_KEYS = ("do", "count", "locals", "start", "params", "loop", "finally")


def start_and_params(name: str, spec: dict) -> tuple[bool, tuple]:
    """`start: spawned` and `params: [a, b]` of a thread mapping."""
    spawned = False
    if "start" in spec:
        v = scalar(spec["start"][1], "'start'", "write 'start: spawned'")
        if v.value != "spawned":
            raise ModelError(f"'start' must be 'spawned', not '{shown(v.value)}'", pos_of(v),
                             "write 'start: spawned' for a thread that another thread starts with 'spawn'; "
                             "leave it out for a thread that runs from the start")
        spawned = True
    params: tuple = ()
    if "params" in spec:
        node = spec["params"][1]
        if not isinstance(node, SequenceNode):
            raise ModelError("'params' is a list of names", pos_of(node), "write 'params: [a, b]'")
        params = tuple((identifier(p, "parameter"), pos_of(p)) for p in node.value)
        if not spawned:
            raise ModelError(f"thread '{name}' has 'params' but is not spawned", pos_of(spec["params"][0]),
                             "add 'start: spawned': parameters are bound by 'spawn NAME(ARGS)'")
        seen = set()
        for p, pos in params:
            if p in seen:
                raise ModelError(f"parameter '{p}' is given twice", pos, "give each parameter its own name")
            seen.add(p)
    return spawned, params


def local_decls(node: Node) -> tuple[tuple[str, S.Expr, Pos], ...]:
    """`locals: {name: init, ...}` -> (name, initial value, position) per local."""
    if empty_ok(node):
        return ()
    locs = []
    for lk, (lkn, lvn) in mapping(node, "'locals'", "write 'locals: {i: 0, done: false}'").items():
        lname = identifier(lkn, "local")
        lv = scalar(lvn, f"local '{lname}'", "write an initial value, e.g. 0 or false")
        locs.append((lname, parse_expr(lv.value, text_origin(lv)), pos_of(lkn)))
    return tuple(locs)
