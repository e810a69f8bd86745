"""Typed access to YAML nodes: each accessor returns the node as the model needs it or raises a
`ModelError` at the node ("'check' must be a list, found a mapping", a duplicate key, a bad name).
"""
from __future__ import annotations

import re
import unicodedata

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from checker.errors import ModelError, did_you_mean
from checker.lang.expr import KEYWORDS
from checker.lang.source import describe, pos_of, shown

# A name, as the expression grammar reads it (`expr._TOKEN`): ASCII only, so that every declared
# name can be written in a statement or a property.
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
NAME_RULE = "[A-Za-z_][A-Za-z0-9_]*"


def is_name(text: str) -> bool:
    return NAME.fullmatch(text) is not None


def mapping(node: Node, what: str, hint: str | None = None) -> dict[str, tuple[ScalarNode, Node]]:
    if not isinstance(node, MappingNode):
        raise ModelError(f"{what} must be a mapping, found {describe(node)}", pos_of(node),
                         hint or "write one 'KEY: VALUE' per line, indented below it")
    out: dict[str, tuple[ScalarNode, Node]] = {}
    for k, v in node.value:
        if not isinstance(k, ScalarNode):
            raise ModelError(f"keys in {what} must be plain names", pos_of(k),
                             "write a plain name before the ':', not a list or a mapping")
        if k.value in out:
            raise ModelError(f"duplicate key '{k.value}' in {what}", pos_of(k),
                             f"it is first given at line {pos_of(out[k.value][0]).line}")
        out[k.value] = (k, v)
    return out


def sequence(node: Node, what: str, hint: str | None = None) -> list[Node]:
    if not isinstance(node, SequenceNode):
        raise ModelError(f"{what} must be a list, found {describe(node)}", pos_of(node),
                         hint or "write a YAML list: one '- ' item per line, or [a, b]")
    return node.value


def scalar(node: Node, what: str, hint: str | None = None) -> ScalarNode:
    if not isinstance(node, ScalarNode):
        raise ModelError(f"{what} must be a single value, found {describe(node)}",
                         pos_of(node), hint or "write one value here; quote it if it contains '[', '{' or ': '")
    return node


def identifier(key: ScalarNode, what: str) -> str:
    name = key.value
    if not is_name(name) or name in KEYWORDS or name == "tid":
        raise ModelError(f"'{shown(name)}' is not a valid {what} name", pos_of(key), name_hint(name))
    return name


def name_hint(name: str) -> str:
    """Why `name` is not a name: a reserved word, a character outside ASCII, or another character."""
    if name in KEYWORDS or name == "tid":
        return f"'{name}' is a reserved word ({', '.join(sorted(KEYWORDS))}, tid); pick another name"
    wide = next((c for c in name if not c.isascii() and c.isalnum()), None)
    if wide is not None:
        plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        example = f": write e.g. '{plain}'" if is_name(plain) and plain not in KEYWORDS else ""
        return f"names are ASCII ({NAME_RULE}), as in expressions; '{wide}' is not{example}"
    return "names are letters, digits and '_', not starting with a digit"


def empty_ok(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag.endswith(":null")


def only(table: dict, allowed: set[str], what: str) -> None:
    for k, (kn, _) in table.items():
        if k not in allowed:
            raise ModelError(f"unexpected key '{k}' in {what}", pos_of(kn),
                             did_you_mean(k, allowed) or f"allowed: {', '.join(sorted(allowed))}")
