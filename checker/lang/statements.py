"""Statements: a thread's YAML list -> syntax nodes.

A statement is a string (`w = tmp + g1`, `lock m`, `wait cv m`, `ok = trylock m`, `put q EXPR`,
`ok, v = try_get q`, `ok = lock m timeout`, `assert x > 0`,
`break`, `continue`, `return`, `return EXPR`, a procedure call `f(a, 1)` or `v = f(a, 1)`)
or a one-key mapping for the compound forms (`if`, `while`, `atomic`, a label). Whether a
`break` stands in a loop, or a called procedure exists, is checked by `checker.program`. The keywords of
the primitives, their operands and whether they give a value, come from
`checker.primitives.STATEMENTS` (a primitive's operands, value and `timeout` are read by
`checker/lang/operands.py`); the language's own are below.
"""
from __future__ import annotations

import re

from yaml.nodes import Node, ScalarNode, SequenceNode

from checker.errors import ModelError, Pos, did_you_mean
from checker.lang import syntax as S
from checker.lang.expr import KEYWORDS, Cursor, parse_expr
from checker.lang.flowlists import each_statement
from checker.lang.nodes import empty_ok, identifier, is_name, mapping, only, scalar, sequence
from checker.lang.operands import giving, item, operands, ref, untimed
from checker.lang.source import pos_of, shown, text_origin
from checker.primitives import STATEMENTS

CHECKS = ("assert", "assume")
JUMPS = ("break", "continue", "return")  # `break`, `continue`, `return [EXPR]`: syntax.Jump
BUILTINS = ("sum", "len", "at", "any")  # functions of expressions: not procedures
ATOMICS = ("fetch_add", "cas", "swap")  # `old = fetch_add(x, 1)`: read-modify-write calls on memory
COMPOUND = {"atomic", "if", "while", "then", "else", "do"}
GIVING = {w: s for w, s in STATEMENTS.items() if s.returns}  # `ok = trylock m`: the primitives' value statements
# the words that start a statement string (so they cannot be labels): `lock m`, `assert EXPR`, `skip`
LEADING = {*(w for w, s in STATEMENTS.items() if not s.returns), *CHECKS, *JUMPS, "skip", "del", "spawn", "await",
           "cancel"}
STATEMENT_WORDS = sorted([*LEADING, "atomic", "if", "while"])
# the names a procedure may not take: the language's words, the expressions' built-ins and atomics
RESERVED = {*LEADING, *GIVING, *ATOMICS, *BUILTINS, *KEYWORDS, *COMPOUND, "tid"}


def block(node: Node, what: str) -> tuple[S.Stmt, ...]:
    if empty_ok(node):
        return ()
    sequence(node, f"the statements of {what}", "write statements as a YAML list, one '- ' per statement")
    return each_statement(node, statement, statement_text)


def statement(node: Node) -> S.Stmt:
    if isinstance(node, ScalarNode):
        if node.value == "":
            raise ModelError("empty statement", pos_of(node), "write 'skip' for a statement that does nothing")
        return statement_text(node.value, text_origin(node))
    if isinstance(node, SequenceNode):
        raise ModelError("a statement must be a string or a one-key mapping, found a list",
                         pos_of(node), "remove the extra '- '")
    table = mapping(node, "a statement")
    keys = list(table)
    pos = pos_of(node)
    if "if" in table:
        only(table, {"if", "then", "else"}, "an 'if'")
        if "then" not in table:
            raise ModelError("'if' needs a 'then:' list", pos, "write {if: COND, then: [...], else: [...]}")
        cond = condition(table["if"][1])
        then = block(table["then"][1], "'then'")
        orelse = block(table["else"][1], "'else'") if "else" in table else ()
        return S.If(cond, then, orelse, pos, f"if {table['if'][1].value}")
    if "while" in table:
        only(table, {"while", "do"}, "a 'while'")
        if "do" not in table:
            raise ModelError("'while' needs a 'do:' list", pos, "write {while: COND, do: [...]}")
        cond = condition(table["while"][1])
        return S.While(cond, block(table["do"][1], "'do'"), pos, f"while {table['while'][1].value}")
    if len(keys) != 1:
        raise ModelError(f"a statement mapping must have one key, found {len(keys)}: {', '.join(keys)}",
                         pos, "use 'if:'/'then:'/'else:', 'while:'/'do:', 'atomic:', or 'LABEL: statement'")
    key = keys[0]
    knode, vnode = table[key]
    if key == "atomic":
        return S.Atomic(block(vnode, "'atomic'"), pos)
    if key in COMPOUND:
        raise ModelError(f"'{key}:' without its statement", pos_of(knode),
                         "'then'/'else' go with 'if', 'do' goes with 'while'")
    if not is_name(key) and re.search(r"[\s=()\[\]]", key):
        raise ModelError(f"'{shown(key)}' is not a valid label name", pos_of(knode),
                         "YAML reads 'A: B' as a label A on statement B; quote a statement that contains ': '")
    label = identifier(knode, "label")
    if label in LEADING:
        raise ModelError(f"'{label}' is a statement, not a label", pos_of(knode),
                         f"write '{label} ...' as one string; quote it if it contains ': '")
    return S.Labeled(label, statement(vnode), pos, label)


def condition(node: Node) -> S.Expr:
    """The condition of an `if` or a `while`."""
    v = scalar(node, "a condition", "write one condition, e.g. 'x > 0'; quote it if it contains ': ' or ','")
    return parse_expr(v.value, text_origin(v))


def statement_text(text: str, origin: Pos) -> S.Stmt:
    """Parse one statement written as a string, e.g. `w = tmp + g1` or `wait cv m`."""
    cur = Cursor(text, origin)
    first = cur.tok
    pos = cur.pos()
    word = first.text if first.kind == "name" else ""
    form = STATEMENTS.get(word)
    if form is not None and form.returns is None and cur.tokens[1].text not in ("=", "[", "(", ","):
        cur.next()
        args = operands(cur, form)
        value = item(cur, form) if form.value else None
        untimed(cur, form)
        cur.end()
        return S.Sync(word, args, pos, text, value)
    if form is not None and cur.tokens[1].text not in ("=", "[", "(", ","):  # `get q` alone
        raise ModelError(f"'{word}' gives a value; it is not a statement alone", pos,
                         f"write '{form.usage or 'v = ' + word + ' ...'}'")
    if word in CHECKS and cur.tokens[1].text != "=":
        cur.next()
        cond = cur.expr()
        cur.end()
        return S.Check(word, cond, pos, text)
    if word == "skip" and len(cur.tokens) == 2:
        return S.Skip(pos, text)
    if word in JUMPS and cur.tokens[1].text not in ("=", "[", "("):
        return jump(cur, word, pos, text)
    if word == "del" and cur.tokens[1].text not in ("=", "[", "(", ","):  # `del cache[k]`
        return delete(cur, pos, text)
    if word == "await" and len(cur.tokens) == 2:
        return S.Await(None, pos, text)
    if word == "await":
        raise ModelError("'await' stands alone: it yields to the event loop", cur.pos(cur.tokens[1]),
                         "write 'await' (like 'await asyncio.sleep(0)'); a blocking statement in a task "
                         "yields by itself when it blocks")
    if word == "cancel" and len(cur.tokens) == 2:
        cur.next()
        raise cur.error("expected the task to cancel after 'cancel'", "write 'cancel NAME' or 'cancel NAME[i]'")
    if word == "cancel" and cur.tokens[1].kind == "name":  # `cancel worker[1]`
        cur.next()
        task = ref(cur, "the task to cancel")
        if not cur.at_end():
            raise cur.error("unexpected text after the task", "write 'cancel NAME' or 'cancel NAME[i]'")
        return S.Await(task, pos, text)
    if word == "spawn" and cur.tokens[1].kind == "name":  # `spawn worker(1, x)`
        cur.next()
        return spawn(cur, None, pos, text)
    if word in ATOMICS and cur.tokens[1].text == "(":
        call = cur.expr()
        cur.end()
        return S.Assign(None, call, pos, text)
    if (first.kind == "name" and word not in KEYWORDS and cur.tokens[1].text == "("
            and word not in GIVING and word not in LEADING):  # `f(a, 1)`: a procedure call
        call = cur.expr()
        cur.end()
        if not isinstance(call, S.Call):
            raise ModelError("expected a statement", pos, f"a call stands alone: '{word}(...)'")
        if word in BUILTINS:
            raise ModelError(f"'{word}(...)' gives a value; it is not a statement", pos,
                             f"write 'v = {text.strip()}'" if word == "len" else "use it in an expression")
        return S.Invoke(call.fn, call.args, None, pos, text, text.strip())
    if first.kind != "name" or word in KEYWORDS:
        raise ModelError("expected a statement", pos,
                         "statements are 'x = EXPR', 'lock m', 'assert EXPR', ... (see docs/language.md)")
    target = ref(cur, "a name")
    second = None
    if cur.accept(","):  # `ok, v = try_get q`
        second = ref(cur, "a second name after ','")
        if not cur.peek("="):
            raise cur.error("expected '=' after the two targets", "write 'ok, v = try_get q'")
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
    if cur.peek("spawn") and cur.tokens[cur.i + 1].kind == "name":  # `h = spawn worker(1)`
        cur.next()
        if second is not None:
            raise ModelError("'spawn' gives one value: the instance's index", pos, "write 'h = spawn NAME(ARGS)'")
        return spawn(cur, target, pos, text)
    if cur.peek("any"):
        value: S.Expr = cur.any_value()
    elif cur.tok.kind == "name" and cur.tok.text in STATEMENTS and cur.tokens[cur.i + 1].text != "(":  # `ok = trylock m`
        value = giving(cur, second is not None)
    else:
        if cur.at_end():
            raise ModelError("expected an expression after '='", cur.pos(),
                             f"write the value to assign, e.g. '{word} = 0'")
        start = cur.tok
        value = cur.expr()
        if (isinstance(value, S.Call) and value.fn not in ATOMICS and value.fn not in BUILTINS
                and cur.at_end() and second is None):  # `v = f(a, 1)`: a procedure call whose result goes to v
            return S.Invoke(value.fn, value.args, target, pos, text, text[start.col:].strip())
    cur.end()
    if second is not None and not (isinstance(value, S.Call) and value.fn in STATEMENTS):
        raise ModelError("only 'try_get' and a timed 'get' give two values", pos,
                         "write 'ok, v = try_get q' or 'ok, v = get q timeout'; other assignments have one target")
    return S.Assign(target, value, pos, text, second)


def delete(cur: Cursor, pos: Pos, text: str) -> S.Delete:
    """`del cache[k]`: the entry of a map (that `cache` is a map is checked by `checker.program`)."""
    cur.next()
    if cur.at_end():
        raise cur.error("expected the map entry to delete after 'del'", "write 'del cache[k]'")
    target = ref(cur, "a map entry after 'del'")
    if not cur.at_end():
        raise cur.error("unexpected text after the entry of 'del'", "'del' removes one entry: write 'del cache[k]'")
    return S.Delete(target, pos, text)


def spawn(cur: Cursor, target, pos: Pos, text: str) -> S.Spawn:
    """The rest of `spawn NAME` / `spawn NAME(ARGS)` after the keyword."""
    name = cur.name("the thread to spawn")
    args: tuple = ()
    if cur.accept("("):
        items = []
        if not cur.peek(")"):
            items.append(cur.expr())
            while cur.accept(","):
                items.append(cur.expr())
        cur.expect(")", "to close the arguments")
        args = tuple(items)
    if not cur.at_end():
        raise cur.error(f"unexpected text after 'spawn {name.id}'", "write 'spawn NAME' or 'spawn NAME(ARGS)'")
    return S.Spawn(name, args, target, pos, text)


def jump(cur: Cursor, word: str, pos: Pos, text: str) -> S.Jump:
    """`break`, `continue`, `return` or `return EXPR`."""
    cur.next()
    value = None
    if word == "return" and not cur.at_end():
        value = cur.expr()
    if not cur.at_end():
        raise cur.error(f"unexpected text after '{word}'",
                        f"'{word}' stands alone" + ("; 'return EXPR' gives a value" if word != "return" else ""))
    return S.Jump(word, value, pos, text)
