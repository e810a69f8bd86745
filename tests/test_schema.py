"""`checker schema` (issue 8, item 6): a JSON Schema of model files that every sample model
validates against, built from the parser's own vocabularies, and that agrees with the parser on
forms it accepts and mistakes it refuses."""
from __future__ import annotations

import json
import pathlib

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from checker.cli import app
from checker.errors import ModelError
from checker.lang.parse import TOP_KEYS, parse_model
from checker.lang.properties import PROPERTY_KINDS, VIOLATION_KINDS
from checker.lang.schema import model_schema

ROOT = pathlib.Path(__file__).resolve().parent.parent
MODELS = sorted((ROOT / "models").glob("*.yaml"))
SCHEMA = model_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def test_the_schema_is_valid_draft_2020_12_and_is_what_the_command_prints():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    r = CliRunner().invoke(app, ["schema"])
    assert r.exit_code == 0 and json.loads(r.stdout) == SCHEMA


def test_the_schema_follows_the_parsers_key_lists():
    assert list(SCHEMA["properties"]) == TOP_KEYS and SCHEMA["required"] == ["model", "threads"]
    kinds = [next(iter(f["properties"])) for f in SCHEMA["$defs"]["property"]["anyOf"][1:]]
    assert kinds == PROPERTY_KINDS
    expect = SCHEMA["properties"]["expect"]["anyOf"][1]["properties"]["violated"]["anyOf"][0]
    assert expect == {"enum": VIOLATION_KINDS}


def test_there_are_sample_models():
    assert len(MODELS) >= 30


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.name)
def test_every_sample_model_validates(path):
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(yaml.safe_load(path.read_text()))]
    assert errors == []


BASE = "model: m\nshared: {x: 0}\n"
ACCEPTED = {
    "atomic_and_secret": "model: m\ninputs:\n  k: int in 0..255 secret\n  b: bool\nshared:\n  x: atomic 0\n"
                         "  a: atomic int[4]\n  m: mutex\n  s: semaphore 2\n  d: [1, 2]\n"
                         "threads:\n  t: [x = k, 'a[0] = 1']\ncheck:\n  - no_race\n  - no_race: [x, d]\n"
                         "  - no_leak: {secret: k, to: t}\n  - no_leak: {secret: [k], to: [t, x]}\n",
    "compound_statements": BASE + "threads:\n  t:\n    count: 2\n    locals: {i: 0}\n    do:\n"
                                  "      - {while: i < 2, do: [i = i + 1]}\n      - {if: true, then: [skip], else: []}\n"
                                  "      - {atomic: [x = x + 1]}\n      - cs: x = 0\n      - {while: true, do: []}\n"
                                  "check:\n  - final: x == 1\n  - always: x >= 0\n  - no_deadlock\n"
                                  "expect: {violated: [final, race]}\n",
    "expect_violated_kind": BASE + "threads:\n  t: [x = 1]\nexpect: {violated: deadlock}\n",
}
REJECTED = {
    "unknown_top_key": (BASE + "threads:\n  t: [x = 1]\nthread: {}\n", []),
    "missing_threads": (BASE, []),
    "unknown_thread_key": (BASE + "threads:\n  t: {do: [x = 1], repeat: 2}\n", ["threads", "t"]),
    "if_without_then": (BASE + "threads:\n  t: [{if: x == 0}]\n", ["threads", "t", 0]),
    "while_with_else": (BASE + "threads:\n  t: [{while: x == 0, do: [], else: []}]\n", ["threads", "t", 0]),
    "unknown_property": (BASE + "threads:\n  t: [x = 1]\ncheck:\n  - eventually: x == 1\n", ["check", 0]),
    "bad_expect_kind": (BASE + "threads:\n  t: [x = 1]\nexpect: {violated: crash}\n", ["expect"]),
    "bad_input_type": ("model: m\ninputs: {k: float}\nthreads:\n  t: [skip]\n", ["inputs", "k"]),
    "count_zero": (BASE + "threads:\n  t: {do: [x = 1], count: 0}\n", ["threads", "t"]),
    "no_leak_without_to": (BASE + "threads:\n  t: [x = 1]\ncheck:\n  - no_leak: {secret: k}\n", ["check", 0]),
    "statement_word_as_label": (BASE + "threads:\n  t: [{lock: m}]\n", ["threads", "t", 0]),
    "empty_thread": (BASE + "threads:\n  t: []\n", ["threads", "t"]),
    "empty_thread_do": (BASE + "threads:\n  t: {do: [], count: 2}\n", ["threads", "t", "do"]),
    "non_ascii_name": ("model: m\nshared: {z\u00e4hler: 0}\nthreads:\n  t: [skip]\n", ["shared"]),
}


def every(errors):
    """The errors and, under each `anyOf` that failed, the errors of its branches."""
    for e in errors:
        yield e
        yield from every(e.context)


@pytest.mark.parametrize("name", ACCEPTED)
def test_forms_of_the_language_are_accepted_by_both(name):
    text = ACCEPTED[name]
    assert list(VALIDATOR.iter_errors(yaml.safe_load(text))) == []
    parse_model(text, "m.yaml")  # the parser accepts it too


@pytest.mark.parametrize("name", REJECTED)
def test_invalid_models_are_rejected_by_both(name):
    text, where = REJECTED[name]
    errors = list(VALIDATOR.iter_errors(yaml.safe_load(text)))
    assert errors, name
    paths = [list(e.absolute_path) for e in every(errors)]
    assert where in paths, paths
    with pytest.raises(ModelError):
        parse_model(text, "m.yaml")
