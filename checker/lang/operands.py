"""The parts of a primitive's statement after its keyword: operands, the value, `timeout`.

A primitive's statement (`lock m`, `put q EXPR`, `ok = trylock m`, `ok, v = try_get q`,
`ok = lock m timeout`) names its operands as resource references (`name` or `name[expr]`),
may take a value after them and, when it is a timed wait, the word `timeout`; the forms and
their usage come from `checker.primitives.STATEMENTS`. Each part has its own errors, with the
statement's form as hint. `checker/lang/statements.py` parses the rest of a statement, and
reads its other references (an assignment's target, `del cache[k]`, `cancel t`) with `ref`.
"""
from __future__ import annotations

from checker.errors import ModelError
from checker.lang import syntax as S
from checker.lang.expr import Cursor
from checker.primitives import STATEMENTS
from checker.primitives.base import Statement

TIMED = {w: s for w, s in STATEMENTS.items() if s.timed}  # `ok = lock m timeout`: the timed waits
TIMED_FORMS = ", ".join(f"'{w} ... timeout'" for w in TIMED)


def giving(cur: Cursor, two: bool) -> S.Call:
    """The right-hand side of `ok = trylock m`, `ok = try_put q EXPR`, `ok = lock m timeout`,
    `ok, v = try_get q` (`two`: the assignment has two targets)."""
    tok = cur.next()
    word = tok.text
    form = STATEMENTS[word]
    args = operands(cur, form)
    if form.value:
        args = args + (item(cur, form),)
    timed = cur.accept("timeout")
    if timed:
        if not form.timed:
            raise ModelError(f"'{word}' has no timed form", cur.pos(tok), f"the timed forms are {TIMED_FORMS}")
        if not cur.at_end():
            raise cur.error("a timeout takes no duration: it may fire at any step while the thread waits",
                            f"write '{timed_usage(form)}'")
    gives = form.timed if timed else form.returns
    if gives is None:
        hint = f"write '{timed_usage(form)}' for a wait that can time out" if form.timed else f"write '{word} ...' alone"
        raise ModelError(f"'{word}' gives no value", cur.pos(tok), hint)
    n = 2 if isinstance(gives, tuple) else 1
    if n != 1 + two:
        whole = timed_usage(form) if timed else form.usage or f"ok = {word} " + " ".join(
            o.kinds[0].upper() for o in form.operands)
        raise ModelError(f"'{word}{' ... timeout' if timed else ''}' gives {'two values' if n == 2 else 'one value'}, "
                         f"not {1 + two}", cur.pos(tok), f"write '{whole}'")
    return S.Call(word, args, cur.pos(tok), timed)


def item(cur: Cursor, form: Statement) -> S.Expr:
    """The value a statement takes after its operands (`put q EXPR`)."""
    if cur.at_end() or cur.peek("timeout"):
        raise cur.error(f"expected the {form.value} after the {form.operands[-1].noun} of '{form.word}'",
                        f"write '{form.usage}'")
    return cur.expr()


def untimed(cur: Cursor, form: Statement) -> None:
    """`lock m timeout` alone: a timed wait gives whether it succeeded."""
    if cur.peek("timeout"):
        if form.timed:
            raise cur.error(f"a timed '{form.word}' gives whether it succeeded", f"write '{timed_usage(form)}'")
        raise cur.error(f"'{form.word}' has no timed form", f"the timed forms are {TIMED_FORMS}")


def timed_usage(form: Statement) -> str:
    targets = "ok, v" if isinstance(form.timed, tuple) else "ok"
    whole = form.usage.split("= ", 1)[-1] if form.usage else f"{form.word} " + " ".join(
        o.kinds[0].upper() for o in form.operands)
    return f"{targets} = {whole} timeout"


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


def operands(cur: Cursor, form: Statement) -> tuple[S.Name | S.Index, ...]:
    """The operands of a primitive's statement, each a resource reference."""
    out = []
    n = len(form.operands)
    whole = form.usage or f"{form.word} " + " ".join(o.kinds[0].upper() for o in form.operands)
    for k, operand in enumerate(form.operands):
        if cur.at_end():  # too few: `arrive_and_wait`
            raise cur.error(f"expected the {operand.noun} of '{form.word}'", f"write '{whole}'")
        usage = f" (write '{form.usage}')" if k else ""
        out.append(ref(cur, f"the {operand.noun} of '{form.word}'{usage}"))
    if not cur.at_end() and cur.tok.kind == "name" and not form.value and not (
            cur.tok.text == "timeout"):  # too many: `arrive_and_wait b c`
        raise ModelError(f"'{form.word}' takes {n} operand{'s' * (n > 1)}, found more", cur.pos(),
                         f"write '{whole}'")
    return tuple(out)
