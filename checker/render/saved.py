"""Read back a result saved with `checker verify MODEL --json`, for `checker replay`.

The file is input from anyone (edited by hand, truncated, from another model or version), so
every field the replay uses is checked before it runs: the schema version, the verdict, the
violation's kind, each schedule entry (a thread of the model, a list of integer choices), and
each input (the model's inputs, each of its type and inside its declared range; symbolic
draws named `THREAD.anyK` for a thread of the model). A file that fails raises `SavedError`,
which says which field is wrong and how to get a good file; fields the replay does not use are
ignored, as new fields may be added within a schema version.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from checker.explore.search import Schedule
from checker.program.model import Program
from checker.render.json import REPLAYABLE, RUN_SCHEMA

HINT = "save a counterexample with 'checker verify MODEL --json > RESULT' and replay that file unchanged"
DRAW = re.compile(r"^(?P<thread>.+)\.any(?P<k>0|[1-9][0-9]*)$")


class SavedError(Exception):
    """A result file that cannot be replayed: `FILE: error: MESSAGE` plus a hint."""

    def __init__(self, file: str, message: str, hint: str = HINT):
        super().__init__(message)
        self.file, self.message, self.hint = file, message, hint

    def render(self) -> str:
        return f"{self.file}: error: {self.message}\n  hint: {self.hint}"


@dataclass(frozen=True)
class Saved:
    """What a replay needs from a saved result."""

    schedule: Schedule
    inputs: dict
    kind: str
    spurious: bool
    leak: tuple | None = None  # a leak's (line, observation sequences per observer) as recorded


def load_saved(path: str, program: Program) -> Saved:
    """Read and check the result file at `path` against `program`; raises SavedError."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        why = "not UTF-8 text" if isinstance(e, UnicodeDecodeError) else f"{e.__class__.__name__}: {e.strerror or e}"
        raise SavedError(path, f"cannot read the file ({why})") from None
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise SavedError(path, f"not valid JSON ({e})") from None
    return Check(path, program).document(doc)


def is_int(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


class Check:
    """Field-by-field checks; each failure names the field, as `trace.schedule.steps[3]`."""

    def __init__(self, path: str, program: Program):
        self.path, self.program = path, program
        self.names = [t.name for t in program.threads]

    def fail(self, message: str, hint: str = HINT):
        raise SavedError(self.path, message, hint)

    def field(self, obj: dict, key: str, kind: type, where: str):
        if key not in obj:
            self.fail(f"'{where}{key}' is missing")
        value = obj[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.fail(f"'{where}{key}' must be {_KIND[kind]}, not {_describe(value)}")
        return value

    def document(self, doc) -> Saved:
        if not isinstance(doc, dict):
            self.fail(f"not a result of 'checker verify --json': the file holds {_describe(doc)}, not an object")
        schema = doc.get("schema")
        if schema == RUN_SCHEMA:
            self.fail("this is the result of several models (checker.run/1); replay takes one model's result",
                      "run 'checker verify MODEL --json' with one model and replay that file")
        if schema not in REPLAYABLE:
            self.fail(f"schema is {_describe(schema)}; this checker replays {' or '.join(map(repr, REPLAYABLE))}")
        verdict = doc.get("verdict")
        if verdict != "violated":
            self.fail(f"the verdict is {_describe(verdict)}: there is no counterexample to replay",
                      "only a violated result has a trace")
        violation = self.field(doc, "violation", dict, "")
        kind = self.field(violation, "kind", str, "violation.")
        trace = self.field(doc, "trace", dict, "")
        options = doc.get("options", {})
        if not isinstance(options, dict):
            self.fail(f"'options' must be an object, not {_describe(options)}")
        spurious = options.get("spurious_wakeups", False)
        if not isinstance(spurious, bool):
            self.fail(f"'options.spurious_wakeups' must be true or false, not {_describe(spurious)}")
        return Saved(self.schedule(self.field(trace, "schedule", dict, "trace.")),
                     self.inputs(self.field(trace, "inputs", dict, "trace.")), kind, spurious,
                     self.leak(violation) if kind == "leak" else None)

    def leak(self, violation: dict) -> tuple:
        """A leak's line (one of the model's `no_leak` entries) and what its observers saw."""
        line = self.field(violation, "line", int, "violation.")
        if not any(leak.pos.line == line for leak in self.program.leaks):
            self.fail(f"'violation.line' is {line}: no `no_leak` entry of the model is on that line")
        detail = self.field(violation, "detail", dict, "violation.")
        seen = self.field(detail, "seen", list, "violation.detail.")
        for k, sequence in enumerate(seen):
            if not isinstance(sequence, list) or not all(isinstance(v, (int, bool)) for v in sequence):
                self.fail(f"'violation.detail.seen[{k}]' must be a list of integers or booleans, not {_describe(sequence)}")
        return line, tuple(tuple(x) for x in seen)

    def choices(self, c, where: str) -> tuple:
        if not isinstance(c, list) or not all(is_int(x) for x in c):
            self.fail(f"'{where}' must be a list of integer choices, not {_describe(c)}")
        if any(abs(x) > 2**63 for x in c):
            self.fail(f"'{where}' holds a choice out of range (choices are indices and drawn values)")
        return tuple(c)

    def schedule(self, d: dict) -> Schedule:
        start = self.field(d, "start", list, "trace.schedule.")
        if len(start) != len(self.names):
            self.fail(f"'trace.schedule.start' has {len(start)} entries; the model has {len(self.names)} threads",
                      "replay the file against the model it was made from")
        start = tuple(self.choices(c, f"trace.schedule.start[{k}]") for k, c in enumerate(start))
        steps = []
        for k, entry in enumerate(self.field(d, "steps", list, "trace.schedule.")):
            where = f"trace.schedule.steps[{k}]"
            if not isinstance(entry, list) or len(entry) != 2:
                self.fail(f"'{where}' must be [thread, choices], not {_describe(entry)}")
            t, c = entry
            if not is_int(t):
                self.fail(f"'{where}': the thread must be a thread number, not {_describe(t)}")
            if not 0 <= t < len(self.names):
                self.fail(f"'{where}': there is no thread {t}; the model has threads 0..{len(self.names) - 1}",
                          "replay the file against the model it was made from")
            steps.append((t, self.choices(c, where + "[1]")))
        return Schedule(start, tuple(steps))

    def inputs(self, values: dict) -> dict:
        declared = {i.name: i for i in self.program.inputs}
        for name in declared:
            if name not in values:
                self.fail(f"'trace.inputs' has no value for the input '{name}'")
        for name, v in values.items():
            where = f"trace.inputs.{name}"
            inp = declared.get(name)
            if inp is None:
                m = DRAW.match(name)
                if m is None or m.group("thread") not in self.names:
                    self.fail(f"'{where}': the model has no input '{name}'",
                              "replay the file against the model it was made from")
                if not is_int(v):
                    self.fail(f"'{where}' must be an integer, not {_describe(v)}")
            elif inp.type == "bool":
                if not isinstance(v, bool):
                    self.fail(f"'{where}' must be true or false (the input is a bool), not {_describe(v)}")
            elif not is_int(v):
                self.fail(f"'{where}' must be an integer, not {_describe(v)}")
            elif inp.lo is not None and not inp.lo <= v <= inp.hi:
                self.fail(f"'{where}' is {v}, outside the declared range {inp.lo}..{inp.hi}",
                          "a counterexample's inputs are always in range: the file was edited")
        return dict(values)


_KIND = {dict: "an object", list: "a list", str: "a string", int: "an integer", bool: "true or false"}


def _describe(x) -> str:
    """A JSON value in a few words, for messages: 'the string "abc"', 'a list', 'null'."""
    if x is None:
        return "null"
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, (int, float)):
        return f"the number {x}"
    if isinstance(x, str):
        return f"the string {json.dumps(x[:40])}"
    return "a list" if isinstance(x, list) else "an object"
