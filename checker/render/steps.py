"""A trace for a terminal: one column per thread while the columns are wide enough to hold
their words, else a per-step list (step, thread, statement, effect).

A thread column is at least as wide as the thread's longest statement, so a statement is never
broken across lines. Rows: consecutive steps of one thread that carry on one statement (the three shared reads of a
condition, the read and the write of `w = w + 1`) share a row numbered `1-3`, so a statement is
written once. When another thread moved in between, the later part says `continued`. Every
model-provided text goes through `printable`.
"""
from __future__ import annotations

from dataclasses import dataclass

from rich import box
from rich.console import Console, Group
from rich.measure import Measurement
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from checker.render.safe import printable

MIN_COLUMN = 16  # narrower thread columns break statements apart: use the list instead
EFFECT_INDENT = 2  # effects stand under their statement, wrapped lines too


@dataclass
class Row:
    """Steps shown together: numbers (one, or a run), the thread, and its actions."""

    first: int
    last: int
    thread: str
    actions: list

    @property
    def label(self) -> str:
        if self.first == 0:
            return "start"
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"


def rows(trace) -> list[Row]:
    """The trace's steps, with a step that continues the previous step's statement in the
    same thread folded into that step's row."""
    out: list[Row] = []
    for s in trace.steps:
        acts = list(s.actions)
        prev = out[-1] if out else None
        if prev is not None and prev.thread == s.thread and prev.first and acts and acts[0].continued:
            head = prev.actions[-1]
            prev.actions[-1] = type(head)(head.text, head.line, head.effects + acts[0].effects, head.continued)
            prev.actions.extend(acts[1:])
            prev.last = s.number
        else:
            out.append(Row(s.number, s.number, s.thread, acts))
    return out


def where(a) -> str:
    """'(line 4)', '(line 17, continued)'; '' for the end of a thread."""
    return "" if a.line is None else f"(line {a.line}{', continued' if a.continued else ''})"


def statement(a, apart: bool = False) -> Text:
    """'x = 1  (line 4)', 'w = w + 1  (line 17, continued)', '(thread ends)'; with `apart`, the
    line number goes on a line of its own (a narrow column)."""
    t = Text(printable(a.text), style="bold")
    if where(a):
        t.append(("\n" if apart else "  ") + where(a), style="dim")
    return t


def columns(trace, threads: list[str], width: int) -> Table:
    """One column per thread; each cell holds the step's statements and, indented, their effects.
    A column is as wide as its longest statement (a statement never breaks) with its line number
    beside it; when the columns cannot all be, the line numbers go on a line of their own."""
    table = Table(box=box.SIMPLE_HEAD, show_lines=False, expand=False, pad_edge=False)
    table.add_column("#", justify="right", no_wrap=True)
    all_rows = rows(trace)
    need, full = widths(all_rows, threads)
    apart = sum(full.values()) + 4 + 3 * len(threads) > width
    for t in threads:
        table.add_column(printable(t), overflow="fold", min_width=need[t] if apart else full[t])
    for row in all_rows:
        parts = []
        for a in row.actions:
            parts.append(statement(a, apart))
            parts.extend(Padding(Text(printable(e)), (0, 0, 0, EFFECT_INDENT)) for e in a.effects)
        cell = Group(*parts)
        table.add_row(row.label, *[cell if t == row.thread else Text("") for t in threads])
    return table


def widths(all_rows: list, threads: list[str]) -> tuple[dict, dict]:
    """Per thread: the width of its longest statement (or name), and that with its line number."""
    need, full = {}, {}
    for t in threads:
        acts = [a for r in all_rows if r.thread == t for a in r.actions]
        need[t] = max([len(printable(t))] + [len(printable(a.text)) for a in acts])
        full[t] = max([need[t]] + [len(printable(a.text)) + 2 + len(where(a)) for a in acts])
    return need, full


def listing(trace, width: int = 110) -> Table:
    """One line per statement: step, thread, statement, effects (one per line). A long thread
    name folds within a quarter of the width, so the statement and effect always have room."""
    table = Table(box=box.SIMPLE_HEAD, show_lines=False, expand=False, pad_edge=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("thread", overflow="fold", max_width=max(8, width // 4))
    table.add_column("statement", overflow="fold")
    table.add_column("effect", overflow="fold")
    for row in rows(trace):
        for k, a in enumerate(row.actions):
            table.add_row(row.label if k == 0 else "", printable(row.thread) if k == 0 else "", statement(a),
                          "\n".join(printable(e) for e in a.effects))
    return table


def trace_table(trace, console: Console, width: int) -> Table:
    """Columns per thread when each gets MIN_COLUMN characters, its longest statement whole and
    every effect unwrapped; otherwise the per-step list."""
    threads = list(dict.fromkeys(s.thread for s in trace.steps))
    table = columns(trace, threads, width)
    overhead = 4 + 3 * len(threads)  # the step number, and the padding between columns
    need, _ = widths(rows(trace), threads)
    whole = sum(max(n, MIN_COLUMN) for n in need.values()) + overhead <= width  # no statement breaks
    if whole and len(threads) * MIN_COLUMN + overhead <= width:
        # only when no column has to be narrowed below its content's width: Rich's narrowing of
        # a column of wrapped effects can crop the end of a wrapped line ('results = [1, 2]')
        if Measurement.get(console, console.options.update_width(width), table).maximum < width:
            return table
    return listing(trace, width)
