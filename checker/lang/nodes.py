"""Typed access to YAML nodes: each accessor returns the node as the model needs it or raises a
`ModelError` at the node ("'check' must be a list, found a mapping", a duplicate key, a bad name).
"""
from __future__ import annotations

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from checker.errors import ModelError, did_you_mean
from checker.lang.expr import KEYWORDS
from checker.lang.source import describe, pos_of, shown


def mapping(node: Node, what: str) -> dict[str, tuple[ScalarNode, Node]]:
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


def sequence(node: Node, what: str, hint: str | None = None) -> list[Node]:
    if not isinstance(node, SequenceNode):
        raise ModelError(f"{what} must be a list, found {describe(node)}", pos_of(node), hint)
    return node.value


def scalar(node: Node, what: str, hint: str | None = None) -> ScalarNode:
    if not isinstance(node, ScalarNode):
        raise ModelError(f"{what} must be a single value, found {describe(node)}",
                         pos_of(node), hint)
    return node


def identifier(key: ScalarNode, what: str) -> str:
    name = key.value
    if not name.isidentifier() or name in KEYWORDS or name == "tid":
        raise ModelError(f"'{shown(name)}' is not a valid {what} name", pos_of(key),
                         "names are letters, digits and '_', not starting with a digit")
    return name


def empty_ok(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag.endswith(":null")


def only(table: dict, allowed: set[str], what: str) -> None:
    for k, (kn, _) in table.items():
        if k not in allowed:
            raise ModelError(f"unexpected key '{k}' in {what}", pos_of(kn),
                             did_you_mean(k, allowed) or f"allowed: {', '.join(sorted(allowed))}")
