"""YAML text -> `syntax.Model`, keeping the line and column of every node.

The YAML is composed with PyYAML's safe loader into a node graph (no Python objects are ever
constructed from tags), then walked here. Anchors and aliases are refused (an alias bomb
cannot expand), duplicate keys are errors, and each statement string is parsed by
`checker.lang.expr`. The first mistake raises `ModelError` with its position and a hint.
"""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from checker.errors import ModelError, Pos, ScalarPos, did_you_mean
from checker.lang import syntax as S
from checker.lang.expr import KEYWORDS, Cursor, parse_expr

MAX_FILE_BYTES = 1 << 20
MAX_NODES = 100_000
MAX_YAML_DEPTH = 100  # nested lists/mappings; PyYAML composes recursively
TOP_KEYS = ["model", "about", "inputs", "shared", "threads", "check", "expect"]
SYNC_ARITY = {"lock": 1, "unlock": 1, "read_lock": 1, "write_lock": 1, "wait": 2, "signal": 1,
              "broadcast": 1, "acquire": 1, "release": 1, "join": 1}
STATEMENT_WORDS = sorted([*SYNC_ARITY, "assert", "assume", "skip", "atomic", "if", "while"])
COMPOUND = {"atomic", "if", "while", "then", "else", "do"}
PROPERTY_KINDS = ["final", "always", "no_deadlock", "no_leak", "no_race"]
VIOLATION_KINDS = ["final", "always", "assert", "deadlock", "lock_misuse", "runtime", "leak", "race"]


def pos_of(node: Node) -> Pos:
    return Pos(node.start_mark.line + 1, node.start_mark.column + 1)


def mark_pos(mark) -> Pos:
    return Pos(mark.line + 1, mark.column + 1)


def text_origin(node: ScalarNode) -> Pos:
    """Where the first character of a scalar's text stands (after an opening quote).

    When the value is not the verbatim text of one line (escapes, a plain scalar folded over
    several lines, a `>`/`|` block), the result is a `ScalarPos` that maps every character of
    the value back to its line and column, so errors inside it point at the right place.
    """
    p = pos_of(node)
    start = p.shifted(1) if node.style in ("'", '"') else p
    buffer = getattr(node.start_mark, "buffer", None)
    if not isinstance(buffer, str) or node.end_mark is None:
        return start
    raw = buffer[node.start_mark.index:node.end_mark.index]
    value = node.value
    if raw == value or (node.style in ("'", '"') and raw[1:-1] == value):
        return start
    return _scalar_map(raw, value, p, node.style)


def _scalar_map(raw: str, value: str, at: Pos, style: str | None) -> Pos:
    """Align a scalar's value with its raw text and record each value character's file position.

    Equal characters pair up; an escape (double quotes) or a doubled quote (single quotes)
    pairs with the one character it stands for; whitespace that YAML folded pairs with the
    raw position it stands at; anything else in the raw text (indentation, block headers,
    line continuations) is skipped.
    """
    where: list[Pos] = []
    line, col = at.line, at.col
    for k, ch in enumerate(raw):
        where.append(Pos(line, col))
        if ch == "\n" or (ch == "\r" and raw[k + 1:k + 2] != "\n"):
            line, col = line + 1, 1
        elif ch != "\r":
            col += 1
    where.append(Pos(line, col))
    places: list[Pos] = []
    r, v = (1 if style in ("'", '"') else 0), 0
    while v < len(value):
        ch = value[v]
        if style == '"' and raw[r:r + 1] == "\\":
            nxt = raw[r + 1:r + 2]
            if nxt in ("\n", "\r"):  # a line continuation stands for nothing
                r += 2
                while r < len(raw) and raw[r] in " \t\r\n":
                    r += 1
                continue
            places.append(where[r])
            r += {"x": 4, "u": 6, "U": 10}.get(nxt, 2)
            r = min(r, len(raw))
        elif style == "'" and raw[r:r + 2] == "''" and ch == "'":
            places.append(where[r])
            r += 2
        elif r < len(raw) and raw[r] == ch:
            places.append(where[r])
            r += 1
        elif ch.isspace():
            places.append(where[r])
        else:
            j = raw.find(ch, r)
            if j < 0:
                places.append(where[r])
            else:
                places.append(where[j])
                r = j + 1
        v += 1
    if not places:
        return at
    places.append(places[-1].shifted(1))
    return ScalarPos(places[0].line, places[0].col, tuple(places))


def shown(text: str, limit: int = 40) -> str:
    """A value as quoted in a message: one line, and shortened when long."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return f"'{shown(node.value)}'" if node.value != "" else "nothing"


def parse_file(path: str | Path) -> S.Model:
    path = Path(path)
    name = str(path)
    try:
        if path.is_dir():
            raise ModelError(f"'{name}' is a directory, not a model file", hint="pass a .yaml file")
        with open(path, "rb") as f:  # a bounded read: also safe on a pipe or a device
            data = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ModelError(f"no such file '{name}'", hint="check the path").in_file(name) from None
    except ModelError as e:
        raise e.in_file(name)
    except OSError as e:
        raise ModelError(f"cannot read '{name}': {e.strerror or e}").in_file(name) from None
    except ValueError as e:  # e.g. a NUL byte in the path
        raise ModelError(f"cannot read '{name}': {e}").in_file(name) from None
    if len(data) > MAX_FILE_BYTES:
        raise ModelError(f"the file is larger than {MAX_FILE_BYTES} bytes, the limit for a model").in_file(name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        before = data[:e.start]
        line_start = before.rfind(b"\n") + 1
        col = len(before[line_start:].decode("utf-8", errors="replace")) + 1
        raise ModelError(f"the file is not UTF-8 text: byte 0x{data[e.start]:02x} here is not valid UTF-8 "
                         f"({e.reason})", Pos(before.count(b"\n") + 1, col),
                         "save the file as UTF-8").in_file(name) from None
    # universal newlines, as a file opened in text mode reads them
    return parse_model(text.replace("\r\n", "\n").replace("\r", "\n"), name)


def parse_model(text: str, file: str = "<model>") -> S.Model:
    try:
        return _Parser(file).model(text)
    except ModelError as e:
        raise e.in_file(file)


class _Loader(yaml.SafeLoader):
    """The safe loader, composing nodes only: refuses anchors and aliases where they appear and
    bounds the nesting, since PyYAML composes nested collections recursively."""

    def __init__(self, stream):
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            raise ModelError("YAML anchors and aliases are not supported", mark_pos(event.start_mark),
                             "write the repeated part out")
        self.depth += 1
        if self.depth > MAX_YAML_DEPTH:
            raise ModelError(f"the YAML is nested deeper than {MAX_YAML_DEPTH} levels",
                             mark_pos(event.start_mark), "flatten the model")
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


SYNTAX_HINT = "check indentation and quote statements that contain ': '"


def yaml_syntax_error(e: yaml.MarkedYAMLError, text: str) -> ModelError:
    """PyYAML's message, reworded for the mistakes people make in model files."""
    problem, context = e.problem or "", e.context or ""
    pm, cm = e.problem_mark, e.context_mark
    pos = mark_pos(pm) if pm else mark_pos(cm) if cm else Pos(1, 1)
    if "quoted scalar" in context and "end of stream" in problem and cm:
        return ModelError("YAML syntax: unclosed quote", mark_pos(cm),
                          "close the quote on the same line")
    if "cannot start any token" in problem and "'\\t'" in problem:
        return ModelError("YAML syntax: a tab character where YAML does not allow one", pos,
                          "indent with spaces, and use spaces instead of tabs")
    if "double-quoted scalar" in context and "escape" in problem:
        return ModelError(f"YAML syntax: {problem}", pos,
                          "a backslash starts an escape inside double quotes; use single quotes")
    if "expected <block end>" in problem:
        found = problem.rpartition("but found ")[2]
        if found == "'<scalar>'":
            return ModelError("YAML syntax: unexpected text after the end of a value", pos,
                              "a quoted value ends at its closing quote; quote the whole statement")
        where = f" (the block that starts at line {cm.line + 1})" if cm else ""
        return ModelError("YAML syntax: bad indentation: this line does not line up with the lines "
                          "above it" + where, pos,
                          "entries of one list or mapping start in the same column")
    if problem == "mapping values are not allowed here":
        return ModelError("YAML syntax: ': ' is not allowed here", pos,
                          "quote a statement or condition that contains ': ', or check the indentation")
    if context.startswith("while parsing a flow") and cm:
        opener, closer = ("[", "]") if "sequence" in context else ("{", "}")
        if "<stream end>" in problem or "<block end>" in problem:
            return ModelError(f"YAML syntax: unclosed '{opener}'", mark_pos(cm),
                              f"close it with '{closer}', or quote a statement that starts with '{opener}'")
        found = problem.rpartition("but got ")[2] or problem
        return ModelError(f"YAML syntax: expected ',' or '{closer}' in the '{opener}' at line {cm.line + 1}, "
                          f"found {found}", pos, "quote a statement or condition that contains ': ' or ','")
    if "while scanning a simple key" in context and "expected ':'" in problem and cm:
        return ModelError("YAML syntax: this line is not 'KEY: VALUE' and not a list item '- ...'", mark_pos(cm),
                          "add the missing ':' or '- ', or join it with the line above")
    if "expected '<document start>'" in problem or "directive" in context:
        lines = text.split("\n")[:pm.line + 1 if pm else 0]
        at = max((k for k, ln in enumerate(lines) if ln.startswith("%")), default=None)
        return ModelError("YAML syntax: a line that starts with '%' is a YAML directive",
                          Pos(at + 1, 1) if at is not None else pos,
                          "remove the '%', or quote the value that starts with it")
    if "single document" in context:
        return ModelError("YAML syntax: the file holds more than one YAML document", pos,
                          "one model per file: remove the '---' line")
    return ModelError(f"YAML syntax: {problem or context}", pos, SYNTAX_HINT)


class _Parser:
    def __init__(self, file: str):
        self.file = file

    # -- YAML plumbing ---------------------------------------------------------------------
    def compose(self, text: str) -> Node:
        try:
            root = yaml.compose(text, Loader=_Loader)
        except yaml.MarkedYAMLError as e:
            raise yaml_syntax_error(e, text) from None
        except yaml.reader.ReaderError as e:
            before = text[:e.position]
            pos = Pos(before.count("\n") + 1, e.position - (before.rfind("\n") + 1) + 1)
            char = f"U+{e.character:04X}" if isinstance(e.character, int) else repr(e.character)
            raise ModelError(f"the file contains the control character {char}, which YAML does not allow",
                             pos, "remove it; a model is plain text") from None
        except yaml.YAMLError as e:
            raise ModelError(f"YAML syntax: {' '.join(str(e).split())}") from None
        if root is None:
            raise ModelError("the file is empty", hint="a model needs at least 'model:' and 'threads:'")
        self.refuse_aliases(root)
        if not isinstance(root, MappingNode):
            raise ModelError(f"a model file must be a mapping of keys, found {describe(root)}",
                             pos_of(root), "start with 'model: NAME' and 'threads:'")
        return root

    def refuse_aliases(self, root: Node) -> None:
        seen: set[int] = set()
        todo = [root]
        while todo:
            node = todo.pop()
            if id(node) in seen:
                raise ModelError("YAML anchors and aliases are not supported", pos_of(node),
                                 "write the repeated part out")
            seen.add(id(node))
            if len(seen) > MAX_NODES:
                raise ModelError(f"the model has more than {MAX_NODES} YAML nodes")
            if isinstance(node, MappingNode):
                todo.extend(n for kv in node.value for n in kv)
            elif isinstance(node, SequenceNode):
                todo.extend(node.value)

    def mapping(self, node: Node, what: str) -> dict[str, tuple[ScalarNode, Node]]:
        if not isinstance(node, MappingNode):
            raise ModelError(f"{what} must be a mapping, found {describe(node)}", pos_of(node))
        out: dict[str, tuple[ScalarNode, Node]] = {}
        for k, v in node.value:
            if not isinstance(k, ScalarNode):
                raise ModelError(f"keys in {what} must be plain names", pos_of(k))
            if k.value in out:
                raise ModelError(f"duplicate key '{k.value}' in {what}", pos_of(k),
                                 f"it is first given at line {pos_of(out[k.value][0]).line}")
            out[k.value] = (k, v)
        return out

    def sequence(self, node: Node, what: str, hint: str | None = None) -> list[Node]:
        if not isinstance(node, SequenceNode):
            raise ModelError(f"{what} must be a list, found {describe(node)}", pos_of(node), hint)
        return node.value

    def scalar(self, node: Node, what: str, hint: str | None = None) -> ScalarNode:
        if not isinstance(node, ScalarNode):
            raise ModelError(f"{what} must be a single value, found {describe(node)}",
                             pos_of(node), hint)
        return node

    def identifier(self, key: ScalarNode, what: str) -> str:
        name = key.value
        if not name.isidentifier() or name in KEYWORDS or name == "tid":
            raise ModelError(f"'{shown(name)}' is not a valid {what} name", pos_of(key),
                             "names are letters, digits and '_', not starting with a digit")
        return name

    # -- the model --------------------------------------------------------------------------
    def model(self, text: str) -> S.Model:
        top = self.mapping(self.compose(text), "the model")
        for key, (knode, _) in top.items():
            if key not in TOP_KEYS:
                raise ModelError(f"unknown top-level key '{shown(key)}'", pos_of(knode),
                                 did_you_mean(key, TOP_KEYS) or f"the keys are {', '.join(TOP_KEYS)}")
        for required in ("model", "threads"):
            if required not in top:
                raise ModelError(f"missing required key '{required}'", Pos(1, 1),
                                 "a model needs 'model: NAME' and 'threads:'")
        name_node = self.scalar(top["model"][1], "'model'")
        if self.empty_ok(name_node) or not name_node.value.strip():
            raise ModelError("'model' needs a name", pos_of(name_node), "write 'model: NAME'")
        name = name_node.value
        about = ""
        if "about" in top and not self.empty_ok(top["about"][1]):
            about = self.scalar(top["about"][1], "'about'", "write free text, e.g. 'about: >' and lines below").value
        inputs = self.inputs(top["inputs"][1]) if "inputs" in top else ()
        shared = self.shared(top["shared"][1]) if "shared" in top else ()
        threads = self.threads(top["threads"][1])
        props = self.properties(top["check"][1]) if "check" in top else ()
        expect = self.expect(top["expect"][1]) if "expect" in top else None
        return S.Model(str(name), str(about or ""), inputs, shared, threads, props, expect, self.file)

    def empty_ok(self, node: Node) -> bool:
        return isinstance(node, ScalarNode) and node.tag.endswith(":null")

    def inputs(self, node: Node) -> tuple[S.InputDecl, ...]:
        if self.empty_ok(node):
            return ()
        out = []
        for key, (knode, vnode) in self.mapping(node, "'inputs'").items():
            name = self.identifier(knode, "input")
            v = self.scalar(vnode, f"input '{name}'", "write 'int in 0..9', 'int' or 'bool'")
            cur = Cursor(v.value, text_origin(v))
            typ = cur.tok.text if cur.tok.kind == "name" else ""
            if typ not in ("int", "bool"):
                raise cur.error(f"expected a type for input '{name}'",
                                "write 'int in LO..HI', 'int' or 'bool'")
            cur.next()
            lo = hi = None
            if typ == "int" and cur.accept("in"):
                lo, hi = self.const_int(cur), None
                cur.expect("..", "between the bounds (write 'int in LO..HI')")
                hi = self.const_int(cur)
                if lo > hi:
                    raise ModelError(f"the range {lo}..{hi} of input '{name}' is empty",
                                     text_origin(v), f"write {hi}..{lo}")
            secret = cur.accept("secret")
            if not cur.at_end():
                raise cur.error(f"unexpected text after the type of input '{name}'",
                                did_you_mean(cur.tok.text, ["secret"]) or "write 'int in LO..HI', optionally followed by 'secret'")
            out.append(S.InputDecl(name, typ, lo, hi, pos_of(knode), secret))
        return tuple(out)

    def const_int(self, cur: Cursor) -> int:
        tok = cur.tok
        e = cur.expr()
        if not isinstance(e, S.Num):
            raise ModelError("expected an integer constant", cur.pos(tok))
        return e.value

    def shared(self, node: Node) -> tuple[S.SharedDecl, ...]:
        if self.empty_ok(node):
            return ()
        out = []
        for key, (knode, vnode) in self.mapping(node, "'shared'").items():
            name = self.identifier(knode, "shared")
            pos = pos_of(knode)
            if isinstance(vnode, SequenceNode):
                cells = tuple(parse_expr(self.scalar(c, f"a cell of '{name}'").value, text_origin(c))
                              for c in vnode.value)
                if not cells:
                    raise ModelError(f"array '{name}' has no cells", pos_of(vnode), "write int[N] for N zeros")
                out.append(S.SharedDecl(name, "int_array", cells, len(cells), pos))
                continue
            v = self.scalar(vnode, f"shared '{name}'", "write a value (0, false), int[N], mutex, rwlock, condition or 'semaphore N'")
            out.append(self.resource(name, v, pos))
        return tuple(out)

    def resource(self, name: str, v: ScalarNode, pos: Pos) -> S.SharedDecl:
        if v.value == "":
            raise ModelError(f"shared '{name}' has no value", pos_of(v),
                             "write a value (0, false), int[N], mutex, rwlock, condition or 'semaphore N'")
        cur = Cursor(v.value, text_origin(v))
        if cur.tok.kind == "name" and cur.tok.text == "atomic":  # `x: atomic 0`, `a: atomic int[4]`
            rest = cur.tokens[1]
            if rest.kind == "end":
                raise ModelError(f"atomic '{name}' needs an initial value or an array type", text_origin(v),
                                 "write 'x: atomic 0' or 'a: atomic int[4]'")
            d = self.declared(name, v.value[rest.col:], cur.pos(rest), pos)
            if d.kind not in ("var", "int_array", "bool_array"):
                raise ModelError(f"only variables and arrays can be atomic; '{name}' is a {d.kind.replace('_', ' ')}",
                                 cur.pos(rest), "write 'x: atomic 0' or 'a: atomic int[4]'")
            return replace(d, atomic=True)
        return self.declared(name, v.value, text_origin(v), pos)

    def declared(self, name: str, value: str, origin: Pos, pos: Pos) -> S.SharedDecl:
        """A shared resource from its declaration text (which starts at `origin`)."""
        cur = Cursor(value, origin)
        word = cur.tok.text if cur.tok.kind == "name" else ""
        if word in ("mutex", "int", "bool") and cur.tokens[1].text == "[":
            cur.next()
            cur.next()
            size = self.const_int(cur)
            cur.expect("]")
            cur.end()
            if not 1 <= size <= 4096:
                raise ModelError(f"array '{name}' must have 1 to 4096 cells, not {size}", origin)
            if word == "mutex":
                return S.SharedDecl(name, "mutex_array", None, size, pos)
            init = S.Bool(False, pos) if word == "bool" else S.Num(0, pos)
            return S.SharedDecl(name, f"{word}_array", (init,) * size, size, pos)
        if word in ("mutex", "rwlock", "condition") and len(cur.tokens) == 2:
            return S.SharedDecl(name, word, None, 1, pos)
        if word == "semaphore":
            cur.next()
            if cur.at_end():
                raise ModelError(f"semaphore '{name}' needs a number of permits", origin,
                                 "write 'semaphore 2'")
            permits = self.const_int(cur)
            cur.end()
            if not 0 <= permits <= 1000:
                raise ModelError(f"semaphore '{name}' needs 0 to 1000 permits, not {permits}", origin)
            return S.SharedDecl(name, "semaphore", permits, 1, pos)
        if word in ("int", "bool") and len(cur.tokens) == 2:
            raise ModelError(f"shared '{name}' needs an initial value, not a type", origin,
                             "write 'x: 0' or 'flag: false' (inputs go under 'inputs:')")
        hint_word = did_you_mean(word, ["mutex", "rwlock", "condition", "semaphore"]) if word else None
        try:
            init = parse_expr(value, origin)
        except ModelError as e:
            raise ModelError(e.message, e.pos, hint_word or e.hint) from None
        if hint_word and isinstance(init, S.Name):
            raise ModelError(f"unknown resource type '{word}'", origin, hint_word)
        return S.SharedDecl(name, "var", init, 1, pos)

    def threads(self, node: Node) -> tuple[S.ThreadDecl, ...]:
        table = self.mapping(node, "'threads'")
        if not table:
            raise ModelError("'threads' is empty", pos_of(node), "a model needs at least one thread")
        out = []
        for key, (knode, vnode) in table.items():
            name = self.identifier(knode, "thread")
            count = None
            locals_: tuple = ()
            if isinstance(vnode, MappingNode):
                spec = self.mapping(vnode, f"thread '{name}'")
                for k, (kn, _) in spec.items():
                    if k not in ("do", "count", "locals"):
                        raise ModelError(f"unknown key '{k}' in thread '{name}'", pos_of(kn),
                                         did_you_mean(k, ["do", "count", "locals"]) or
                                         "a thread mapping has 'do:', and optionally 'count:' and 'locals:'")
                if "do" not in spec:
                    raise ModelError(f"thread '{name}' has no 'do:' list", pos_of(vnode),
                                     "give its statements under 'do:'")
                if "count" in spec:
                    c = self.scalar(spec["count"][1], "'count'")
                    if not re.fullmatch(r"[0-9]{1,6}", c.value) or not 1 <= int(c.value) <= 64:
                        raise ModelError(f"'count' must be a whole number from 1 to 64, not '{shown(c.value)}'", pos_of(c),
                                         "a model has at most 64 threads in all")
                    count = int(c.value)
                if "locals" in spec and not self.empty_ok(spec["locals"][1]):
                    locs = []
                    for lk, (lkn, lvn) in self.mapping(spec["locals"][1], "'locals'").items():
                        lname = self.identifier(lkn, "local")
                        lv = self.scalar(lvn, f"local '{lname}'")
                        locs.append((lname, parse_expr(lv.value, text_origin(lv)), pos_of(lkn)))
                    locals_ = tuple(locs)
                body_node = spec["do"][1]
            else:
                body_node = vnode
            body = self.block(body_node, f"thread '{name}'")
            out.append(S.ThreadDecl(name, body, count, locals_, pos_of(knode)))
        return tuple(out)

    # -- statements -------------------------------------------------------------------------
    def block(self, node: Node, what: str) -> tuple[S.Stmt, ...]:
        if self.empty_ok(node):
            return ()
        items = self.sequence(node, f"the statements of {what}",
                              "write statements as a YAML list, one '- ' per statement")
        return tuple(self.statement(item) for item in items)

    def statement(self, node: Node) -> S.Stmt:
        if isinstance(node, ScalarNode):
            if node.value == "":
                raise ModelError("empty statement", pos_of(node), "write 'skip' for a statement that does nothing")
            return statement_text(node.value, text_origin(node))
        if isinstance(node, SequenceNode):
            raise ModelError("a statement must be a string or a one-key mapping, found a list",
                             pos_of(node), "remove the extra '- '")
        table = self.mapping(node, "a statement")
        keys = list(table)
        pos = pos_of(node)
        if "if" in table:
            self.only(table, {"if", "then", "else"}, "an 'if'")
            if "then" not in table:
                raise ModelError("'if' needs a 'then:' list", pos, "write {if: COND, then: [...], else: [...]}")
            cond = self.cond(table["if"][1])
            then = self.block(table["then"][1], "'then'")
            orelse = self.block(table["else"][1], "'else'") if "else" in table else ()
            return S.If(cond, then, orelse, pos, f"if {table['if'][1].value}")
        if "while" in table:
            self.only(table, {"while", "do"}, "a 'while'")
            if "do" not in table:
                raise ModelError("'while' needs a 'do:' list", pos, "write {while: COND, do: [...]}")
            cond = self.cond(table["while"][1])
            return S.While(cond, self.block(table["do"][1], "'do'"), pos, f"while {table['while'][1].value}")
        if len(keys) != 1:
            raise ModelError(f"a statement mapping must have one key, found {len(keys)}: {', '.join(keys)}",
                             pos, "use 'if:'/'then:'/'else:', 'while:'/'do:', 'atomic:', or 'LABEL: statement'")
        key = keys[0]
        knode, vnode = table[key]
        if key == "atomic":
            return S.Atomic(self.block(vnode, "'atomic'"), pos)
        if key in COMPOUND:
            raise ModelError(f"'{key}:' without its statement", pos_of(knode),
                             "'then'/'else' go with 'if', 'do' goes with 'while'")
        if not key.isidentifier() and re.search(r"[\s=()\[\]]", key):
            raise ModelError(f"'{shown(key)}' is not a valid label name", pos_of(knode),
                             "YAML reads 'A: B' as a label A on statement B; quote a statement that contains ': '")
        label = self.identifier(knode, "label")
        if label in SYNC_ARITY or label in ("assert", "assume", "skip"):
            raise ModelError(f"'{label}' is a statement, not a label", pos_of(knode),
                             f"write '{label} ...' as one string; quote it if it contains ': '")
        return S.Labeled(label, self.statement(vnode), pos, label)

    def only(self, table: dict, allowed: set[str], what: str) -> None:
        for k, (kn, _) in table.items():
            if k not in allowed:
                raise ModelError(f"unexpected key '{k}' in {what}", pos_of(kn),
                                 did_you_mean(k, allowed) or f"allowed: {', '.join(sorted(allowed))}")

    def cond(self, node: Node) -> S.Expr:
        v = self.scalar(node, "a condition")
        return parse_expr(v.value, text_origin(v))

    # -- properties and expectations ----------------------------------------------------------
    def properties(self, node: Node) -> tuple[S.PropertyDecl, ...]:
        if self.empty_ok(node):
            return ()
        out = []
        for item in self.sequence(node, "'check'", "write '- final: EXPR' or '- always: EXPR'"):
            if isinstance(item, ScalarNode) and item.value == "no_deadlock":
                out.append(S.PropertyDecl("no_deadlock", None, "no_deadlock", pos_of(item)))
                continue
            if isinstance(item, ScalarNode) and item.value == "no_race":
                out.append(S.PropertyDecl("no_race", None, "no_race", pos_of(item)))
                continue
            if not isinstance(item, MappingNode) or len(item.value) != 1:
                raise ModelError("a property is 'final: EXPR', 'always: EXPR' or 'no_deadlock'",
                                 pos_of(item), "one property per list item")
            (knode, vnode), = item.value
            kind = self.scalar(knode, "a property kind").value
            if kind not in PROPERTY_KINDS:
                raise ModelError(f"unknown property kind '{shown(kind)}'", pos_of(knode),
                                 did_you_mean(kind, PROPERTY_KINDS) or "use final, always or no_deadlock")
            if kind == "no_deadlock":
                out.append(S.PropertyDecl("no_deadlock", None, "no_deadlock", pos_of(knode)))
                continue
            if kind == "no_leak":
                out.append(self.no_leak(knode, vnode))
                continue
            if kind == "no_race":
                out.append(self.no_race(knode, vnode))
                continue
            v = self.scalar(vnode, f"'{kind}'")
            out.append(S.PropertyDecl(kind, parse_expr(v.value, text_origin(v)), v.value, pos_of(knode)))
        return tuple(out)

    def no_race(self, knode: ScalarNode, vnode: Node) -> S.PropertyDecl:
        """`no_race: [x, d]` (or `no_race: x`): the shared variables and arrays it watches."""
        hint = "write '- no_race' for every shared variable, or '- no_race: [x, d]'"
        if self.empty_ok(vnode):
            raise ModelError("'no_race:' names no variable", pos_of(knode), hint)
        items = vnode.value if isinstance(vnode, SequenceNode) else [vnode]
        if not items:
            raise ModelError("'no_race: []' names no variable", pos_of(vnode), hint)
        names = []
        for item in items:
            v = self.scalar(item, "a name in 'no_race'", hint)
            if not v.value.isidentifier():
                raise ModelError(f"'{shown(v.value)}' is not a variable name", pos_of(item),
                                 "name a whole variable or array: 'no_race: [d]' watches every cell of d")
            if any(n == v.value for n, _ in names):
                raise ModelError(f"'{v.value}' is named twice in 'no_race'", pos_of(item), "name each variable once")
            names.append((v.value, pos_of(item)))
        text = "no_race: [" + ", ".join(n for n, _ in names) + "]"
        return S.PropertyDecl("no_race", None, text, pos_of(knode), names=tuple(names))

    def no_leak(self, knode: ScalarNode, vnode: Node) -> S.PropertyDecl:
        """`no_leak: {secret: S, to: OBS}`, each of S and OBS a name or a list of names."""
        hint = "write 'no_leak: {secret: INPUT, to: THREAD_OR_VARIABLE}' (each may be a list)"
        table = self.mapping(vnode, "'no_leak'") if not self.empty_ok(vnode) else {}
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
                v = self.scalar(item, f"a name in '{what}' of 'no_leak'", hint)
                if not v.value.isidentifier():
                    raise ModelError(f"'{shown(v.value)}' is not a name", pos_of(v), hint)
                out.append((v.value, pos_of(v)))
            return tuple(out)

        leak = S.LeakDecl(names(table["secret"][1], "secret"), names(table["to"][1], "to"))
        text = (f"no_leak: {{secret: {', '.join(n for n, _ in leak.secret)}, "
                f"to: {', '.join(n for n, _ in leak.to)}}}")
        return S.PropertyDecl("no_leak", None, text, pos_of(knode), leak)

    def expect(self, node: Node) -> S.Expect:
        pos = pos_of(node)
        if isinstance(node, ScalarNode):
            if node.value in ("holds", "violated"):
                return S.Expect(node.value, (), pos)
            raise ModelError(f"'expect' must be holds or violated, not '{shown(node.value)}'", pos,
                             did_you_mean(node.value, ["holds", "violated"]) or "or {violated: KIND}")
        table = self.mapping(node, "'expect'")
        if list(table) != ["violated"]:
            raise ModelError("'expect' as a mapping must be {violated: KIND} or {violated: [KIND, ...]}", pos)
        vnode = table["violated"][1]
        items = vnode.value if isinstance(vnode, SequenceNode) else [vnode]
        if not items:
            raise ModelError("'expect: {violated: [...]}' needs at least one kind", pos_of(vnode),
                             "or write 'expect: violated'")
        kinds = []
        for item in items:
            kind = self.scalar(item, "an expected violation kind").value
            if kind not in VIOLATION_KINDS:
                raise ModelError(f"unknown violation kind '{shown(kind)}'", pos_of(item),
                                 did_you_mean(kind, VIOLATION_KINDS) or f"kinds: {', '.join(VIOLATION_KINDS)}")
            if kind in kinds:
                raise ModelError(f"violation kind '{shown(kind)}' is listed twice", pos_of(item))
            kinds.append(kind)
        return S.Expect("violated", tuple(kinds), pos)


# ---- statement strings -------------------------------------------------------------------

def statement_text(text: str, origin: Pos) -> S.Stmt:
    """Parse one statement written as a string, e.g. `w = tmp + g1` or `wait cv m`."""
    cur = Cursor(text, origin)
    first = cur.tok
    pos = cur.pos()
    word = first.text if first.kind == "name" else ""
    if word in SYNC_ARITY and cur.tokens[1].text not in ("=", "[", "("):
        cur.next()
        args = [ref(cur, f"the {'first ' if SYNC_ARITY[word] == 2 else ''}operand of '{word}'")]
        if SYNC_ARITY[word] == 2:
            args.append(ref(cur, f"the mutex of '{word}' (write 'wait CONDITION MUTEX')"))
        cur.end()
        return S.Sync(word, tuple(args), pos, text)
    if word in ("assert", "assume") and cur.tokens[1].text != "=":
        cur.next()
        cond = cur.expr()
        cur.end()
        return S.Check(word, cond, pos, text)
    if word == "skip" and len(cur.tokens) == 2:
        return S.Skip(pos, text)
    if word in ("fetch_add", "cas", "swap") and cur.tokens[1].text == "(":
        call = cur.expr()
        cur.end()
        return S.Assign(None, call, pos, text)
    if first.kind != "name" or word in KEYWORDS:
        raise ModelError("expected a statement", pos,
                         "statements are 'x = EXPR', 'lock m', 'assert EXPR', ... (see docs/language.md)")
    target = ref(cur, "a name")
    if not cur.peek("="):
        if cur.peek("=="):
            raise ModelError("'==' compares; a statement assigns with '='", cur.pos(),
                             "write 'x = 1', or 'assert x == 1' to check")
        op = cur.tok
        if op.kind == "op" and op.text in ("+", "-", "*", "//", "%") and cur.tokens[cur.i + 1].text == "=":
            raise ModelError(f"'{op.text}=' is not supported", cur.pos(),
                             f"write '{word} = {word} {op.text} ...'")
        if isinstance(target, S.Name) and (cur.at_end() or op.kind in ("name", "int")):
            raise ModelError(f"unknown statement '{word}'", pos,
                             did_you_mean(word, STATEMENT_WORDS) or "statements are 'x = EXPR', 'lock m', 'assert EXPR', ...")
        raise cur.error("expected '=' after the target",
                        did_you_mean(word, STATEMENT_WORDS) or "statements are 'x = EXPR', 'lock m', 'assert EXPR', ...")
    cur.next()
    if cur.peek("any"):
        value: S.Expr = cur.any_value()
    elif cur.peek("trylock"):
        tok = cur.next()
        value = S.Call("trylock", (ref(cur, "the mutex of 'trylock'"),), cur.pos(tok))
    else:
        if cur.at_end():
            raise ModelError("expected an expression after '='", cur.pos())
        value = cur.expr()
    cur.end()
    return S.Assign(target, value, pos, text)


def ref(cur: Cursor, what: str) -> S.Name | S.Index:
    """A resource reference: `name` or `name[expr]`."""
    name = cur.name(what)
    if cur.accept("["):
        index = cur.expr()
        if not cur.peek("]"):
            raise cur.error("expected ']' to close the index", "brackets must balance")
        cur.next()
        return S.Index(name, index, name.pos)
    return name
