"""Progress of a long search, drawn on a terminal's stderr with rich.

`progress_for(stream)` gives a `TerminalProgress` when `stream` is a terminal, else None (so
nothing is printed into a pipe or a CI log). The search's budget calls it with an
`explore.budget.Progress` a few times a second; the line appears only once the search has run
for SHOW_AFTER seconds, shows executions or states, depth, rate and elapsed time, and is erased
when the search ends (`close()`), so the result that follows is printed as without it.
"""
from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.live import Live
from rich.text import Text

from checker.explore.budget import Progress
from checker.render.safe import printable

SHOW_AFTER = 1.0  # seconds: shorter runs show nothing


def progress_line(model: str, p: Progress) -> str:
    """One line of progress: '<model>: 12,345 executions (2,100/s), depth 22, 6.2 s'. A stateful
    search counts states; DPOR counts executions and gives the depth of the current one."""
    count, unit = (p.states, "states") if p.states else (p.executions, "executions")
    rate = count / p.seconds if p.seconds > 0 else 0.0
    depth = f", depth {p.depth:,}" if p.depth else ""
    return f"{printable(model)}: {count:,} {unit} ({rate:,.0f}/s){depth}, {p.steps:,} steps, {p.seconds:.1f} s"


class TerminalProgress:
    """A transient progress line on a terminal. Call it with `Progress` values; `close()` (or the
    end of a `with` block) erases the line. One instance per model run."""

    def __init__(self, console: Console, model: str):
        self.console = console
        self.model = model
        self.live: Live | None = None

    def __call__(self, p: Progress) -> None:
        if p.seconds < SHOW_AFTER:
            return
        text = Text(progress_line(self.model, p), style="dim")
        if self.live is None:
            self.live = Live(text, console=self.console, transient=True, auto_refresh=False)
            self.live.start()
        self.live.update(text, refresh=True)

    def close(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None

    def __enter__(self) -> "TerminalProgress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def progress_for(stream: TextIO, model: str) -> TerminalProgress | None:
    """A progress line for `model` on `stream` if it is a terminal, else None."""
    isatty = getattr(stream, "isatty", None)
    if not (isatty and isatty()):
        return None
    return TerminalProgress(Console(file=stream, stderr=True), model)
