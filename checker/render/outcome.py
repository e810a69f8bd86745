"""What every renderer receives: one `Outcome` per model given, in command-line order.

An outcome is a verified model's `Result` (with the checked program, which a renderer may
replay: ITF does, to list every state of a trace), an invalid model's `ModelError`, or the
message of an internal error (a bug of checker's on a valid model). `Style` holds what only
people's formats use (width, colours). Renderers never do I/O: they return strings.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from checker.errors import ModelError
from checker.result import ExitCode, Result, exit_code


@dataclass(frozen=True)
class Style:
    """Layout for people's formats: the width of a text report, and whether it has colours."""

    width: int = 110
    color: bool = False


@dataclass(frozen=True)
class Outcome:
    """One model's outcome: exactly one of `result`, `error` and `internal` is set."""

    path: str
    result: Result | None = None
    error: ModelError | None = None  # the model is invalid (exit code 2)
    internal: str | None = None  # 'internal error: TYPE: MESSAGE' (exit code 3)
    program: object = None  # program.model.Program, when the model loaded

    @property
    def code(self) -> ExitCode:
        if self.error is not None:
            return ExitCode.INVALID
        if self.internal is not None:
            return ExitCode.UNKNOWN
        return self.result.exit_code

    @property
    def word(self) -> str:
        """'holds', 'violated', 'bounded', 'unknown', 'invalid' or 'internal error'."""
        if self.error is not None:
            return "invalid"
        if self.internal is not None:
            return "internal error"
        return self.result.verdict.value


def run_code(outcomes: list[Outcome]) -> int:
    """The exit code of a run over these outcomes (`result.exit_code`)."""
    return int(exit_code([o.code for o in outcomes]))


def violated(r: Result) -> tuple:
    """The violated properties of a result, each with `kind`, `text`, `line`, `col`,
    `violation` and `trace` (a `PropertyResult`; the result itself when it has no table)."""
    if r.properties:
        return r.violated
    return (r,) if r.violation is not None else ()


def relative_uri(path: str) -> str:
    """A file path as a URI reference: relative paths stay relative (with '/'), absolute ones
    become `file://` URIs; every character outside the URI syntax is percent-encoded."""
    from urllib.parse import quote
    p = Path(path)
    if p.is_absolute():
        return "file://" + quote(p.as_posix(), safe="/")
    return quote(p.as_posix(), safe="/")
