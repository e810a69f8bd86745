"""Statements in YAML flow lists (`t: [lock m, x = 1]`), where a ',' ends an item.

An unquoted statement that contains commas (`ok = cas(x, 1, 2)`, `ok, v = try_get q`) reaches the
parser in pieces, and the first error names a piece ("expected ')' to close the call of 'cas'").
`split_hint` finds that case and says to quote the statement or to use a block list.
"""
from __future__ import annotations

from typing import Callable

from yaml.nodes import Node, ScalarNode, SequenceNode

from checker.errors import NOWHERE, ModelError

REACH = 8  # how many neighbouring pieces are tried on each side
ADVICE = "YAML splits a flow list [...] at each ','"
FIX = "quote a statement that contains ',' or write one '- ' line per statement"


def each_statement(seq: SequenceNode, statement: Callable, parse: Callable) -> tuple:
    """`statement(item)` for each item of a list of statements; an error in a flow list whose
    statement YAML split at its commas gets the hint of `split_hint`."""
    out = []
    for k, item in enumerate(seq.value):
        try:
            out.append(statement(item))
        except ModelError as e:
            e.hint = split_hint(seq, k, e, parse) or e.hint
            raise
    return tuple(out)


def plain(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.style is None and node.value != ""


def split_hint(seq: SequenceNode, k: int, error: ModelError, parse: Callable) -> str | None:
    """A hint for `error`, raised by item k of the flow list `seq`, when YAML split that item's
    statement at its commas; None when that is not what happened. `parse(text, pos)` parses a statement."""
    items = seq.value
    if not seq.flow_style or len(items) < 2 or not plain(items[k]):
        return None
    buffer = getattr(items[k].start_mark, "buffer", None)
    if not isinstance(buffer, str):
        return None
    for lo in range(k, max(-1, k - REACH), -1):
        for hi in range(max(k, lo + 1), min(len(items), k + REACH)):
            pieces = items[lo:hi + 1]
            if not all(plain(p) for p in pieces):
                break
            text = " ".join(buffer[pieces[0].start_mark.index:pieces[-1].end_mark.index].split())
            try:
                parse(text, NOWHERE)
            except ModelError:
                continue
            return f"{ADVICE}: quote the statement, \"{text}\", or write it on a '- ' line of a block list"
    if k + 1 < len(items) and error.message.endswith("found the end of the text"):
        return f"{ADVICE}: {FIX}"
    return None
