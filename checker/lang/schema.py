"""A JSON Schema (draft 2020-12) of model files, printed by `checker schema`, so that YAML
editors (e.g. through a `# yaml-language-server: $schema=...` line) complete and validate models.

The schema is built from the parser's own vocabularies (`parse.TOP_KEYS`, `PROPERTY_KINDS`,
`VIOLATION_KINDS`, the statement words and compound keys, `expr.KEYWORDS`) and the primitives'
declarations (`checker.primitives.KINDS`), so a key or kind the parser gains or drops changes the
schema with it: a top-level key or property kind this module
has no shape for is accepted with any value rather than refused. What a schema cannot say
(statement and expression syntax, names that must be declared, ranges that must not be empty) is
left to `checker check`, which reports it with a line and column.

Names (thread, shared, input, local, label) match `^[A-Za-z_][A-Za-z0-9_]*$`, the names of the expression
grammar (ASCII, as the parser requires). A thread has at least one statement.
"""
from __future__ import annotations

from checker.lang.expr import KEYWORDS
from checker.lang.parse import TOP_KEYS
from checker.lang.properties import PROPERTY_KINDS, VIOLATION_KINDS
from checker.lang.statements import COMPOUND, LEADING
from checker.primitives import KINDS

DIALECT = "https://json-schema.org/draft/2020-12/schema"
IDENT = "[A-Za-z_][A-Za-z0-9_]*"  # `expr._TOKEN`'s names
NAME = {"type": "string", "pattern": f"^{IDENT}$", "not": {"enum": sorted(KEYWORDS | {"tid"})}}
SCALAR = {"type": ["string", "integer", "boolean"]}
EXPR = {"type": ["string", "integer", "boolean"], "description": "an expression, e.g. 'w == g1 + g2'"}
INPUT = {"type": "string", "pattern": r"^\s*(bool|int(\s+in\s+-?\s*\d+\s*\.\.\s*-?\s*\d+)?)(\s+secret)?\s*$",
         "examples": ["int in 0..9", "int", "bool", "int in 0..255 secret"],
         "description": "'int in LO..HI', 'int' or 'bool', optionally followed by 'secret'"}
# each primitive's declaration: `mutex`, `mutex[N]` (when it has arrays), `semaphore N` (when it takes a
# number), `semaphore[N] P` (an array of them)
FORMS = [form for word, d in KINDS.items()
         for form in [f"{word} N" if d.param else word] + ([word] if d.param and d.param.optional else [])
         + ([f"{word}[N] {d.param.name[0].upper()}" if d.param else f"{word}[N]"] if d.array_of else [])]
SHARED = {"anyOf": [
    {"type": "integer"}, {"type": "boolean"},
    {"type": "string", "minLength": 1,
     "examples": [f"{word} {d.param.sample}" if d.param else word for word, d in KINDS.items()]
                 + ["int[10]", "bool[4]", "map"]
                 + [f"{word}[8] {d.param.sample}" if d.param else f"{word}[8]"
                    for word, d in KINDS.items() if d.array_of]
                 + ["atomic 0", "atomic int[4]"],
     "description": "an initial value (a number, true/false, an input's name), 'int[N]', 'bool[N]', 'map', "
                    + "".join(f"'{f}', " for f in FORMS) + "or 'atomic' before a value or an array type"},
    {"type": "array", "items": SCALAR, "minItems": 1, "description": "an integer array with these cells"},
]}
NAMES = {"anyOf": [{"$ref": "#/$defs/name"}, {"type": "array", "items": {"$ref": "#/$defs/name"}, "minItems": 1}]}
# the shape of each property kind's value; a kind not listed here takes any value
PROPERTY_FORMS = {
    "final": EXPR, "always": EXPR, "no_deadlock": {},
    "no_race": {**NAMES, "description": "the shared variables and arrays it watches"},
    "no_leak": {"type": "object", "required": ["secret", "to"], "additionalProperties": False,
                "properties": {"secret": {**NAMES, "description": "the secret input(s)"},
                               "to": {**NAMES, "description": "the observing thread(s) or shared variable(s)"}}},
}
BARE_PROPERTIES = ["no_deadlock", "no_race"]  # kinds that may stand alone: '- no_race'


def statement_defs() -> dict:
    """Statements: a string, or {if, then, else}, {while, do}, {atomic: [...]}, {LABEL: statement}."""
    block = {"type": ["array", "null"], "items": {"$ref": "#/$defs/statement"}}
    not_labels = sorted(COMPOUND | LEADING)
    return {
        "block": block,
        "body": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/statement"},
                 "description": "a thread's statements: at least one"},
        "statement": {"anyOf": [
            {"type": "string", "minLength": 1,
             "description": "e.g. 'x = EXPR', 'lock m', 'assert EXPR', 'wait cv m', 'break', 'continue', "
                            "'return', 'return EXPR', a procedure call 'f(a, 1)' or 'v = f(a, 1)'"},
            {"type": "object", "required": ["if", "then"], "additionalProperties": False,
             "properties": {"if": EXPR, "then": {"$ref": "#/$defs/block"}, "else": {"$ref": "#/$defs/block"}}},
            {"type": "object", "required": ["while", "do"], "additionalProperties": False,
             "properties": {"while": EXPR, "do": {"$ref": "#/$defs/block"}}},
            {"type": "object", "required": ["atomic"], "additionalProperties": False,
             "properties": {"atomic": {"$ref": "#/$defs/block"}}},
            {"type": "object", "minProperties": 1, "maxProperties": 1, "description": "a label: {LABEL: statement}",
             "propertyNames": {"allOf": [{"$ref": "#/$defs/name"}, {"not": {"enum": not_labels}}]},
             "additionalProperties": {"$ref": "#/$defs/statement"}},
        ]},
    }


def thread_def() -> dict:
    """A thread: a list of statements, or {do, count, locals}."""
    return {"anyOf": [
        {"$ref": "#/$defs/body"},
        {"type": "object", "required": ["do"], "additionalProperties": False, "properties": {
            "do": {"$ref": "#/$defs/body"},
            "count": {"type": "integer", "minimum": 1, "maximum": 64, "description": "N instances; tid is 0..N-1"},
            "locals": {"type": ["object", "null"], "propertyNames": {"$ref": "#/$defs/name"},
                       "additionalProperties": EXPR},
            "start": {"enum": ["spawned"], "description": "started by another thread's 'spawn NAME(ARGS)'"},
            "params": {"type": "array", "items": {"$ref": "#/$defs/name"},
                       "description": "the parameters 'spawn NAME(ARGS)' binds, in order"},
            "loop": {"$ref": "#/$defs/name", "description": "the event loop whose tasks its instances are"},
            "finally": {"$ref": "#/$defs/block", "description": "runs when the thread ends, by return or cancellation too"}}},
    ]}


PROCEDURE_KEY = rf"^\s*{IDENT}\s*\(\s*({IDENT}\s*(,\s*{IDENT}\s*)*)?\)\s*$"


def procedure_def() -> dict:
    """A procedure: a list of statements, or {do, locals}; its key is `NAME(PARAM, ...)`."""
    return {"anyOf": [
        {"$ref": "#/$defs/block"},
        {"type": "object", "required": ["do"], "additionalProperties": False, "properties": {
            "do": {"$ref": "#/$defs/block"},
            "locals": {"type": ["object", "null"], "propertyNames": {"$ref": "#/$defs/name"},
                       "additionalProperties": EXPR}}},
    ]}


def property_def() -> dict:
    """A `check:` entry: a bare kind ('no_race') or a one-key mapping per kind in PROPERTY_KINDS."""
    forms: list = [{"enum": [k for k in BARE_PROPERTIES if k in PROPERTY_KINDS]}]
    for kind in PROPERTY_KINDS:
        forms.append({"type": "object", "required": [kind], "additionalProperties": False,
                      "properties": {kind: PROPERTY_FORMS.get(kind, {})}})
    return {"anyOf": forms}


def top_level() -> dict:
    """Each key of `parse.TOP_KEYS` with its shape."""
    kind = {"enum": list(VIOLATION_KINDS)}
    shapes = {
        "model": {"type": ["string", "integer", "number", "boolean"], "minLength": 1, "description": "the model's name"},
        "about": {"type": ["string", "integer", "number", "boolean", "null"], "description": "free text shown in reports"},
        "inputs": {"type": ["object", "null"], "propertyNames": {"$ref": "#/$defs/name"}, "additionalProperties": INPUT,
                   "description": "symbolic inputs, fixed for a whole execution"},
        "shared": {"type": ["object", "null"], "propertyNames": {"$ref": "#/$defs/name"}, "additionalProperties": SHARED,
                   "description": "shared variables, arrays, locks, conditions, semaphores"},
        "procedures": {"type": ["object", "null"],
                       "propertyNames": {"type": "string", "pattern": PROCEDURE_KEY,
                                         "examples": ["apply_grad(g)", "reset()"]},
                       "additionalProperties": {"$ref": "#/$defs/procedure"},
                       "description": "NAME(PARAM, ...) -> its statements, run in the caller's thread"},
        "threads": {"type": "object", "minProperties": 1, "propertyNames": {"$ref": "#/$defs/name"},
                    "additionalProperties": {"$ref": "#/$defs/thread"}, "description": "thread name -> its statements"},
        "check": {"type": ["array", "null"], "items": {"$ref": "#/$defs/property"},
                  "description": "properties; deadlock freedom and the built-in checks are always on"},
        "expect": {"anyOf": [{"enum": ["holds", "violated"]},
                             {"type": "object", "required": ["violated"], "additionalProperties": False,
                              "properties": {"violated": {"anyOf": [kind, {"type": "array", "items": kind, "minItems": 1,
                                                                           "uniqueItems": True}]}}}],
                   "description": "the expected verdict, for tests"},
    }
    return {key: shapes.get(key, {"description": "see docs/language.md"}) for key in TOP_KEYS}


def model_schema() -> dict:
    """The JSON Schema of a model file (as YAML loads it: `yaml.safe_load`)."""
    return {
        "$schema": DIALECT,
        "$id": "urn:checker:model",
        "title": "checker model",
        "description": "A model for checker: threads, the shared state they touch, and properties (docs/language.md).",
        "type": "object",
        "required": ["model", "threads"],
        "additionalProperties": False,
        "properties": top_level(),
        "$defs": {"name": NAME, **statement_defs(), "thread": thread_def(), "procedure": procedure_def(),
                   "property": property_def()},
    }
