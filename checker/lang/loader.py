"""Guarded YAML loading: a model file's bytes -> the root node of its YAML, or a `ModelError`.

The YAML is composed with PyYAML's safe loader into a node graph (no Python objects are ever
constructed from tags). Reads are bounded, anchors and aliases are refused (an alias bomb cannot
expand), nesting and the node count are bounded, and PyYAML's syntax errors are reworded for the
mistakes people make in model files.
"""
from __future__ import annotations

from pathlib import Path

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, SequenceNode

from checker.errors import ModelError, Pos
from checker.lang.source import describe, mark_pos, pos_of

MAX_FILE_BYTES = 1 << 20
MAX_NODES = 100_000
MAX_YAML_DEPTH = 100  # nested lists/mappings; PyYAML composes recursively


def read_text(path: Path) -> str:
    """A model file's text, with universal newlines; errors name the file."""
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
        raise ModelError(f"cannot read '{name}': {e.strerror or e}", hint="check the path and the file's permissions"
                         ).in_file(name) from None
    except ValueError as e:  # e.g. a NUL byte in the path
        raise ModelError(f"cannot read '{name}': {e}", hint="check the path").in_file(name) from None
    if len(data) > MAX_FILE_BYTES:
        raise ModelError(f"the file is larger than {MAX_FILE_BYTES} bytes, the limit for a model",
                         hint="split it into several smaller models").in_file(name)
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
    return text.replace("\r\n", "\n").replace("\r", "\n")


def compose(text: str) -> MappingNode:
    """The root mapping of a model's YAML."""
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
        raise ModelError(f"YAML syntax: {' '.join(str(e).split())}", hint=SYNTAX_HINT) from None
    if root is None:
        raise ModelError("the file is empty", hint="a model needs at least 'model:' and 'threads:'")
    refuse_aliases(root)
    if not isinstance(root, MappingNode):
        raise ModelError(f"a model file must be a mapping of keys, found {describe(root)}",
                         pos_of(root), "start with 'model: NAME' and 'threads:'")
    return root


def refuse_aliases(root: Node) -> None:
    seen: set[int] = set()
    todo = [root]
    while todo:
        node = todo.pop()
        if id(node) in seen:
            raise ModelError("YAML anchors and aliases are not supported", pos_of(node),
                             "write the repeated part out")
        seen.add(id(node))
        if len(seen) > MAX_NODES:
            raise ModelError(f"the model has more than {MAX_NODES} YAML nodes",
                             hint="split it into several smaller models")
        if isinstance(node, MappingNode):
            todo.extend(n for kv in node.value for n in kv)
        elif isinstance(node, SequenceNode):
            todo.extend(node.value)


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
                          f"found {found}", pos, "quote a statement or condition that contains ': ', ',' or "
                          "brackets (\"lock locks[i]\"), or write one '- ' line per statement")
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
