"""The expression and statement-string grammar, parsed by hand (never `eval`).

Grammar (lowest precedence first):
    expr    := or
    or      := and ('or' and)*
    and     := not ('and' not)*
    not     := 'not' not | compare
    compare := sum (('=='|'!='|'<'|'<='|'>'|'>='|'in') sum)?   (`k in cache`: a key of a map)
    sum     := term (('+'|'-') term)*
    term    := unary (('*'|'//'|'%') unary)*
    unary   := '-' unary | atom
    atom    := INT | 'true' | 'false' | NAME | NAME '[' expr ']' | NAME '(' args ')' | '(' expr ')'
A `Cursor` reads one YAML scalar; positions are mapped back to the model file's line and column.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from checker.errors import ModelError, Pos
from checker.lang.syntax import AnyValue, Binary, Bool, Call, Expr, Index, Name, Num, Unary

MAX_DEPTH = 64  # nesting limit: a hostile expression gets an error, not a stack overflow
MAX_TREE_DEPTH = 256  # operators on one path (a long chain `1 + 1 + ...` nests to the left)
MAX_DIGITS = 60

_TOKEN = re.compile(
    r"\s*(?:(?P<int>\d+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|"
    r"(?P<op>\.\.|//|==|!=|<=|>=|[-+*%<>()\[\],=!]))"
)
KEYWORDS = {"and", "or", "not", "true", "false", "any", "in"}
COMPARE = {"==", "!=", "<", "<=", ">", ">="}
RELATIONS = COMPARE | {"in"}  # the operators of the compare level: they do not chain


@dataclass(frozen=True)
class Token:
    kind: str  # 'int' | 'name' | 'op' | 'end'
    text: str
    col: int  # 0-based offset in the scalar


def tokenize(text: str, origin: Pos) -> list[Token]:
    tokens: list[Token] = []
    at = 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at >= len(text):
            break
        m = _TOKEN.match(text, at)
        if not m or m.end() == at:
            bad = text[at]
            hint = "expressions use names, integers, + - * // %, comparisons, and/or/not"
            if not bad.isascii() and bad.isalnum():
                hint = "names are ASCII letters, digits and '_' ([A-Za-z_][A-Za-z0-9_]*)"
            raise ModelError(f"unexpected character '{bad}'", origin.shifted(at), hint)
        kind = m.lastgroup or "op"
        tokens.append(Token(kind, m.group(kind), m.start(kind)))
        at = m.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


class Cursor:
    """Reads tokens of one scalar; `pos(token)` is the token's place in the model file."""

    def __init__(self, text: str, origin: Pos):
        self.text = text
        self.origin = origin
        self.tokens = tokenize(text, origin)
        self.i = 0
        self.depth = 0

    # -- token access
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def pos(self, tok: Token | None = None) -> Pos:
        return self.origin.shifted((tok or self.tok).col)

    def at_end(self) -> bool:
        return self.tok.kind == "end"

    def next(self) -> Token:
        tok = self.tok
        if tok.kind != "end":
            self.i += 1
        return tok

    def peek(self, text: str) -> bool:
        return self.tok.kind in ("op", "name") and self.tok.text == text

    def accept(self, text: str) -> bool:
        if self.peek(text):
            self.next()
            return True
        return False

    def expect(self, text: str, what: str | None = None) -> Token:
        if not self.peek(text):
            hint = {")": "parentheses must balance", "]": "brackets must balance",
                    "..": "a range is written LO..HI, e.g. 0..9"}.get(text, f"add the missing '{text}'")
            raise self.error(f"expected '{text}'" + (f" {what}" if what else ""), hint)
        return self.next()

    def error(self, message: str, hint: str | None = None) -> ModelError:
        found = "the end of the text" if self.at_end() else f"'{self.tok.text}'"
        return ModelError(f"{message}, found {found}", self.pos(), hint)

    def name(self, what: str = "a name") -> Name:
        tok = self.tok
        if tok.kind != "name" or tok.text in KEYWORDS:
            hint = ("the text stops where a name should follow" if tok.kind == "end" else
                    f"'{tok.text}' is a reserved word" if tok.kind == "name" else
                    "a name is letters, digits and '_', not starting with a digit")
            raise self.error(f"expected {what}", hint)
        self.next()
        return Name(tok.text, self.pos(tok))

    def end(self) -> None:
        if not self.at_end():
            hint = {"=": "use '==' to compare",
                    ")": "parentheses must balance: this ')' has no '('",
                    "]": "brackets must balance: this ']' has no '['"}.get(self.tok.text)
            if hint is None and self.pos().line != self.origin.line:
                hint = ("YAML joined this line to the value on a line above it; "
                        "check the indentation and the '- ' of each statement")
            elif hint is None:
                hint = ("one statement per item: write the next one as its own '- ' line" if self.tok.text == ","
                        else f"remove '{self.tok.text}', or join it to what comes before with an operator")
            raise ModelError(f"unexpected '{self.tok.text}' after the end of the expression",
                             self.pos(), hint)

    # -- expressions
    def expr(self) -> Expr:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ModelError(f"expression nested deeper than {MAX_DEPTH} levels", self.pos(),
                             "split it into several statements with locals")
        start = self.pos()
        try:
            e = self._binary(0)
            if self.depth == 1:
                check_tree_depth(e, start)
            return e
        finally:
            self.depth -= 1

    _LEVELS = (("or",), ("and",), None, tuple(sorted(RELATIONS)), ("+", "-"), ("*", "//", "%"))

    def _binary(self, level: int) -> Expr:
        if level == len(self._LEVELS):
            return self._unary()
        ops = self._LEVELS[level]
        if ops is None:  # the 'not' level
            if self.peek("not"):
                tok = self.next()
                return Unary("not", self._nested(lambda: self._binary(level)), self.pos(tok))
            return self._binary(level + 1)
        left = self._binary(level + 1)
        while self.tok.kind in ("op", "name") and self.tok.text in ops:
            tok = self.next()
            right = self._binary(level + 1)
            left = Binary(tok.text, left, right, self.pos(tok))
            if tok.text in RELATIONS and self.tok.text in RELATIONS and self.tok.kind in ("op", "name"):
                raise self.error("comparisons do not chain", "write 'a < b and b < c'")
        return left

    def _nested(self, parse):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ModelError(f"expression nested deeper than {MAX_DEPTH} levels", self.pos(),
                             "split it into several statements with locals")
        try:
            return parse()
        finally:
            self.depth -= 1

    def _unary(self) -> Expr:
        if self.peek("-"):
            tok = self.next()
            operand = self._nested(self._unary)
            if isinstance(operand, Num):
                return Num(-operand.value, self.pos(tok))
            return Unary("-", operand, self.pos(tok))
        return self._atom()

    def _atom(self) -> Expr:
        tok = self.tok
        pos = self.pos(tok)
        if tok.kind == "int":
            self.next()
            if len(tok.text) > MAX_DIGITS:
                raise ModelError(f"integer literal longer than {MAX_DIGITS} digits", pos,
                                 f"integers are limited to {MAX_DIGITS} digits")
            return Num(int(tok.text), pos)
        if self.accept("("):
            inner = self.expr()
            if not self.peek(")"):
                raise self.error("expected ')' to close the '(' at column "
                                 f"{pos.col}", "parentheses must balance")
            self.next()
            return inner
        if tok.kind == "name":
            if tok.text in ("true", "false"):
                self.next()
                return Bool(tok.text == "true", pos)
            if tok.text == "any":
                raise ModelError("'any LO..HI' can only be the whole right-hand side of '='", pos,
                                 "write 'v = any 0..9' as its own statement")
            name = self.name()
            if self.accept("["):
                index = self.expr()
                if not self.peek("]"):
                    raise self.error("expected ']' to close the index", "brackets must balance")
                self.next()
                return Index(name, index, pos)
            if self.accept("("):
                args: list[Expr] = []
                if not self.peek(")"):
                    args.append(self.expr())
                    while self.accept(","):
                        if self.peek(")") or self.at_end():
                            raise self.error(f"expected an argument of '{name.id}' after ','",
                                             "remove the trailing ',', or add the missing argument")
                        args.append(self.expr())
                if not self.peek(")"):
                    raise self.error(f"expected ')' to close the call of '{name.id}'",
                                     "parentheses must balance")
                self.next()
                return Call(name.id, tuple(args), pos)
            return name
        if self.at_end():
            raise ModelError("expected an expression, found the end of the text", pos,
                             "the text stops where an operand should follow: complete it, e.g. 'x + 1'")
        if tok.text == ")":
            raise ModelError("unbalanced ')'", pos, "parentheses must balance")
        if tok.text == "=":
            raise self.error("expected an expression", "equality is '==' (as in 'x == 1'); '=' only assigns")
        raise self.error("expected an expression", "an operand is a number, true or false, a name, a cell "
                         "'a[i]', a call 'f(x)', or an expression in parentheses")

    def any_value(self) -> AnyValue:
        tok = self.expect("any")
        lo = self.expr()
        self.expect("..", "between the bounds of 'any LO..HI'")
        hi = self.expr()
        return AnyValue(lo, hi, self.pos(tok))


def check_tree_depth(e: Expr, start: Pos) -> None:
    """Refuse an expression tree deeper than MAX_TREE_DEPTH (walked without recursion), so that
    compiling and evaluating it cannot overflow the Python stack."""
    todo = [(e, 1)]
    while todo:
        node, d = todo.pop()
        if d > MAX_TREE_DEPTH:
            raise ModelError(f"expression has more than {MAX_TREE_DEPTH} nested operations", start,
                             "split it into several statements with locals")
        for child in (getattr(node, "left", None), getattr(node, "right", None),
                      getattr(node, "operand", None), getattr(node, "index", None),
                      *getattr(node, "args", ())):
            if child is not None:
                todo.append((child, d + 1))


def parse_expr(text: str, origin: Pos) -> Expr:
    """Parse a whole scalar as one expression."""
    cur = Cursor(text, origin)
    if cur.at_end():
        raise ModelError("expected an expression, found nothing", origin, "write a value or a condition, e.g. 'x + 1' "
                         "or 'x == 2'")
    e = cur.expr()
    cur.end()
    return e
