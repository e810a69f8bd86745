"""User-facing errors: a model or a command that is wrong.

A `ModelError` always names a file position and says what was expected; the CLI prints it as
`file:line:col: error: message` plus an optional hint and exits with code 2. Engine control
flow never uses this type, so a bug cannot be mistaken for a user error.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class Pos:
    """A 1-based source position."""

    line: int
    col: int

    def shifted(self, cols: int) -> "Pos":
        return Pos(self.line, self.col + cols)

    def __str__(self) -> str:
        return f"{self.line}:{self.col}"


NOWHERE = Pos(1, 1)


class ScalarPos(Pos):
    """Where a YAML scalar's text starts, plus where each of its characters stands in the file.

    A scalar's value is not always a verbatim slice of one line: a quoted scalar starts after
    its quote and may hold escapes, a plain scalar may fold onto several lines, and a block
    scalar (`>`/`|`) starts on the line after its indicator. `shifted(k)` maps offset k of the
    value to the character's real line and column; it behaves like `Pos` otherwise.
    """

    def __init__(self, line: int, col: int, places: tuple[Pos, ...]):
        super().__init__(line, col)
        object.__setattr__(self, "places", places)

    def shifted(self, cols: int) -> Pos:
        places = self.places  # type: ignore[attr-defined]
        if 0 <= cols < len(places):
            return places[cols]
        if places and cols >= len(places):
            return places[-1].shifted(cols - len(places) + 1)
        return Pos(self.line, self.col + cols)


class ModelError(Exception):
    """A mistake in a model file (or the command line), with its position and a hint."""

    def __init__(self, message: str, pos: Pos = NOWHERE, hint: str | None = None, file: str = ""):
        super().__init__(message)
        self.message = message
        self.pos = Pos(pos.line, pos.col)  # a plain Pos, also when given a ScalarPos
        self.hint = hint
        self.file = file

    def in_file(self, file: str) -> "ModelError":
        self.file = self.file or file
        return self

    def render(self) -> str:
        where = f"{self.file}:{self.pos.line}:{self.pos.col}" if self.file else str(self.pos)
        text = f"{where}: error: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def __str__(self) -> str:
        return self.render()


def did_you_mean(name: str, known: list[str] | set[str]) -> str | None:
    """A hint naming the closest known name, if one is close enough."""
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None
