"""Source positions: where a YAML node, or a character inside a scalar, stands in the model file.

Every syntax node keeps the `Pos` of its text; a scalar that is not the verbatim text of one line
(quotes, escapes, folding, block scalars) gets a `ScalarPos` that maps each character back.
"""
from __future__ import annotations

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from checker.errors import Pos, ScalarPos


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
