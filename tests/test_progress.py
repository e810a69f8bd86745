"""Progress on stderr: reported by the budget, drawn only on a terminal, erased at the end."""
import io
from pathlib import Path

from rich.console import Console

import checker.explore.budget as budget
import checker.render.progress as progress
from checker.commands import run_verify
from checker.explore.budget import Progress
from checker.verify import Options, load, verify

ROOT = Path(__file__).resolve().parent.parent


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_budget_reports_every_tick_with_the_counts_so_far(monkeypatch):
    monkeypatch.setattr(budget, "PROGRESS_SECONDS", 0.0)
    seen: list[Progress] = []
    r = verify(load(str(ROOT / "models" / "philosophers3.yaml")), Options(), progress=seen.append)
    # DPOR checks the budgets at its first node, then every TICK_STEPS steps (82 steps here)
    assert [p.steps for p in seen] == [0, 16, 32, 48, 64, 80] == list(range(0, r.stats["steps"], budget.TICK_STEPS))
    assert [p.executions for p in seen] == sorted(p.executions for p in seen)  # counts only grow
    assert seen[-1].executions <= r.stats["executions"] == 7
    assert max(p.depth for p in seen) <= 13  # three philosophers, at most 13 steps to the deadlock
    assert all(p.seconds >= 0 for p in seen)


def test_without_a_callback_nothing_is_reported_and_the_result_is_the_same():
    program = load(str(ROOT / "models" / "lost_update.yaml"))
    a = verify(program, Options())
    b = verify(program, Options(), progress=lambda p: None)
    assert (a.verdict, a.stats["executions"], a.stats["steps"]) == (b.verdict, b.stats["executions"], b.stats["steps"])


def test_the_line_names_the_unit_the_search_counts():
    assert progress.progress_line("m", Progress(1234, 0, 9000, 17, 2.0)) == \
        "m: 1,234 executions (617/s), depth 17, 9,000 steps, 2.0 s"
    assert progress.progress_line("srv", Progress(3, 50000, 80000, 0, 4.0)) == \
        "srv: 50,000 states (12,500/s), 80,000 steps, 4.0 s"


def test_a_model_name_cannot_send_escape_codes_through_the_line():
    line = progress.progress_line("evil\x1b]0;title\x07", Progress(1, 0, 1, 1, 1.5))
    assert "\x1b" not in line and "\x07" not in line and line.startswith("evil\\x1b]0;title\\x07: ")


def test_nothing_is_drawn_when_stderr_is_not_a_terminal():
    assert progress.progress_for(io.StringIO(), "m") is None


def test_short_runs_draw_nothing_and_long_ones_a_line_that_is_erased():
    out = Terminal()
    p = progress.TerminalProgress(Console(file=out, force_terminal=True, width=100), "m")
    p(Progress(10, 0, 50, 3, progress.SHOW_AFTER / 2))
    assert out.getvalue() == ""
    p(Progress(20, 0, 90, 4, progress.SHOW_AFTER + 0.5))
    assert "m: 20 executions" in out.getvalue()
    p.close()
    assert out.getvalue().endswith("\x1b[2K")  # the line is cleared for the report that follows


def test_the_cli_draws_progress_on_a_terminal_and_prints_the_same_report(monkeypatch):
    model = str(ROOT / "models" / "lost_update.yaml")
    plain_out, plain_err = io.StringIO(), io.StringIO()
    assert run_verify([model], Options(), "text", plain_out, plain_err) == 1
    assert plain_err.getvalue() == ""
    monkeypatch.setattr(budget, "PROGRESS_SECONDS", 0.0)
    monkeypatch.setattr(progress, "SHOW_AFTER", 0.0)
    out, err = io.StringIO(), Terminal()
    assert run_verify([model], Options(), "text", out, err) == 1
    assert "lost_update: " in err.getvalue() and " executions (" in err.getvalue()
    strip = lambda s: [line for line in s.splitlines() if "explored:" not in line]  # noqa: E731 (seconds differ)
    assert strip(out.getvalue()) == strip(plain_out.getvalue())
