"""YAML text -> `syntax.Model`, keeping the line and column of every node.

This module walks the top-level keys and hands each to its part: the guarded YAML loader
(`loader`), the declarations (`declarations`, `procedures`), the statements (`statements`, which read the
primitives' keywords from `checker.primitives`), the properties and expectation (`properties`);
expressions are parsed by `expr`. The first mistake raises `ModelError` with its position and a hint.
"""
from __future__ import annotations

from pathlib import Path

from checker.errors import ModelError, Pos, did_you_mean
from checker.lang import declarations, procedures as procedure_decls, properties
from checker.lang import syntax as S
from checker.lang.loader import compose, read_text
from checker.lang.nodes import empty_ok, mapping, scalar
from checker.lang.source import pos_of, shown

TOP_KEYS = ["model", "about", "inputs", "shared", "procedures", "threads", "check", "expect"]


def parse_file(path: str | Path) -> S.Model:
    path = Path(path)
    return parse_model(read_text(path), str(path))


def parse_model(text: str, file: str = "<model>") -> S.Model:
    try:
        return model(text, file)
    except ModelError as e:
        raise e.in_file(file)


def model(text: str, file: str) -> S.Model:
    top = mapping(compose(text), "the model")
    for key, (knode, _) in top.items():
        if key not in TOP_KEYS:
            raise ModelError(f"unknown top-level key '{shown(key)}'", pos_of(knode),
                             did_you_mean(key, TOP_KEYS) or f"the keys are {', '.join(TOP_KEYS)}")
    for required in ("model", "threads"):
        if required not in top:
            raise ModelError(f"missing required key '{required}'", Pos(1, 1),
                             "a model needs 'model: NAME' and 'threads:'")
    name_node = scalar(top["model"][1], "'model'")
    if empty_ok(name_node) or not name_node.value.strip():
        raise ModelError("'model' needs a name", pos_of(name_node), "write 'model: NAME'")
    name = name_node.value
    about = ""
    if "about" in top and not empty_ok(top["about"][1]):
        about = scalar(top["about"][1], "'about'", "write free text, e.g. 'about: >' and lines below").value
    inputs = declarations.inputs(top["inputs"][1]) if "inputs" in top else ()
    shared = declarations.shared(top["shared"][1]) if "shared" in top else ()
    procedures = procedure_decls.procedures(top["procedures"][1]) if "procedures" in top else ()
    threads = declarations.threads(top["threads"][1])
    props = properties.properties(top["check"][1]) if "check" in top else ()
    expect = properties.expect(top["expect"][1]) if "expect" in top else None
    return S.Model(str(name), str(about or ""), inputs, shared, threads, props, expect, file,
                   procedures=procedures)
