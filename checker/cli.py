"""The command line: `checker verify`, `checker check`, `checker replay`, `checker report`, `checker schema`.

Each command is a plain function (checker/commands.py) that takes its output streams and
returns an exit code, so tests call it directly; typer only parses arguments. Exit codes: 0
every model holds (complete proofs), 1 some violated, 2 a model or the command is invalid, 3
none violated but some unknown or bounded.
"""
from __future__ import annotations

import inspect
import json
import math
import shutil
import sys
from typing import List, Optional, get_type_hints

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup

from checker import __version__
from checker.commands import _reports, run_check, run_replay, run_report, run_verify
from checker.lang.schema import model_schema
from checker.render import FORMATS
from checker.render.safe import printable
from checker.verify import (DEFAULT_LOOP_BOUND, DEFAULT_MAX_MEMORY, DEFAULT_MAX_STATES, DEFAULT_SOLVER_TIMEOUT_MS,
                            DEFAULT_TIMEOUT, Options)

EXIT_CODES = ("Exit codes: 0 every model holds (a complete proof); 1 some model is violated; 2 a model or "
              "the command is invalid; 3 none is violated, but some result is bounded or unknown.")


class Plain:
    """typer's help in plain words: the type column shows an option's metavar (`SECONDS`, `N`),
    never a type label such as `<list[str]>` or `<bool>`."""

    def get_params(self, ctx) -> list:
        params = super().get_params(ctx)
        for p in params:
            if isinstance(p, TyperArgument) or getattr(p, "is_flag", False) or p.metavar is None:
                p.display_type_rich = _no_type  # the help text says what the value is
        return params


class Command(Plain, TyperCommand):
    """A command whose usage line names its arguments `MODEL...` (typer writes `{models}...`)."""

    def collect_usage_pieces(self, ctx) -> list[str]:
        args = [p for p in self.get_params(ctx) if isinstance(p, TyperArgument)]
        return [self.options_metavar or ""] + [(p.metavar or p.name.upper()) + ("..." if p.nargs != 1 else "")
                                               for p in args]


class Group(Plain, TyperGroup):
    """The `checker` command group, with the same plain help."""


def _no_type(ctx) -> None:
    return None


FORMAT_HELP = f"Output format: {', '.join(FORMATS)} (docs/formats.md)."

app = typer.Typer(cls=Group, add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, epilog=EXIT_CODES,
                  help="A model checker for concurrent access schedules: proves or refutes a YAML model "
                       "for every schedule and every input in range.")


def _version(value: bool):
    if value:
        typer.echo(f"checker {__version__}")
        raise typer.Exit(0)


@app.callback()
def main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                      help="Print the version and exit.")):
    """checker: every interleaving that matters, every input in range."""


def _finite(value: float) -> float:
    """--timeout's check beyond its minimum: 'inf' is not a number of seconds ('nan' fails min=0)."""
    if not math.isfinite(value):
        raise typer.BadParameter(f"{value} is not a number of seconds; give 0 for no time limit")
    return value


def _options(no_reduction: bool, timeout: float, max_executions: int | None, max_states: int, loop_bound: int,
             spurious: bool, solver_timeout: int, max_memory: int, **_) -> Options:
    """The `Options` of the verification flags (`verify`'s, which `report` shares); 0 lifts the
    time and memory limits."""
    return Options(reduction=not no_reduction, timeout=timeout or None, max_executions=max_executions,
                   max_states=max_states, loop_bound=loop_bound, spurious_wakeups=spurious,
                   solver_timeout_ms=solver_timeout, max_memory=max_memory or None)


@app.command("verify", cls=Command, epilog=EXIT_CODES)
def verify_cmd(
    models: List[str] = typer.Argument(..., metavar="MODEL", help="Model files (YAML)."),
    fmt: str = typer.Option("text", "--format", metavar="FORMAT", help=FORMAT_HELP),
    as_json: bool = typer.Option(False, "--json", help="The same as --format json."),
    timeout: float = typer.Option(DEFAULT_TIMEOUT, "--timeout", min=0, callback=_finite, metavar="SECONDS", help="Seconds per model before giving up (unknown); 0: no time limit."),
    max_executions: Optional[int] = typer.Option(None, "--max-executions", min=1, metavar="N", help="Stop after N complete executions (unknown)."),
    max_states: int = typer.Option(DEFAULT_MAX_STATES, "--max-states", min=1, metavar="N", help="States stored by the stateful search before it falls back to the loop bound."),
    no_reduction: bool = typer.Option(False, "--no-reduction", help="Explore every interleaving (no partial-order reduction), for cross-checking."),
    loop_bound: int = typer.Option(DEFAULT_LOOP_BOUND, "--loop-bound", min=0, metavar="N", help="Loop iterations per thread when the state space is not finite (result: bounded)."),
    spurious: bool = typer.Option(False, "--spurious-wakeups", help="Let a thread waiting on a condition wake without a signal."),
    solver_timeout: int = typer.Option(DEFAULT_SOLVER_TIMEOUT_MS, "--solver-timeout-ms", min=1, metavar="MS", help="Milliseconds per solver query (unknown when exceeded)."),
    max_memory: int = typer.Option(DEFAULT_MAX_MEMORY, "--max-memory", min=0, metavar="MIB", help="MiB of resident memory before giving up (unknown); 0: no memory limit."),
    emit_smt2: Optional[str] = typer.Option(None, "--emit-smt2", metavar="DIR", help="Write every solver query as an SMT-LIB 2 file, with manifest.json, into DIR (a subdirectory per model when several), to re-check with z3 (docs/soundness.md)."),
):
    """Prove or refute each model; print verdicts, counterexample traces and statistics."""
    opts = _options(no_reduction, timeout, max_executions, max_states, loop_bound, spurious, solver_timeout, max_memory)
    if fmt not in FORMATS:
        raise typer.BadParameter(f"'{printable(fmt)}' is not a format; the formats are {', '.join(FORMATS)}",
                                 param_hint="'--format'")
    if as_json and fmt not in ("text", "json"):
        raise typer.BadParameter(f"--json asks for json and --format for {fmt}: give one", param_hint="'--json'")
    fmt = "json" if as_json else fmt
    tty = sys.stdout.isatty()
    width = shutil.get_terminal_size((110, 24)).columns if tty else 110
    raise typer.Exit(run_verify(models, opts, fmt, sys.stdout, sys.stderr, color=tty, width=width, emit_smt2=emit_smt2))


@app.command("check", cls=Command, epilog="Exit codes: 0 every model is valid; 2 some model is invalid.")
def check_cmd(models: List[str] = typer.Argument(..., metavar="MODEL", help="Model files (YAML)."),
              as_json: bool = typer.Option(False, "--json", help="Print results as JSON.")):
    """Validate models without exploring them."""
    raise typer.Exit(run_check(models, as_json, sys.stdout, sys.stderr))


@app.command("replay", cls=Command, epilog="Exit codes: 1 the counterexample reaches its violation again; 2 the "
                                            "model or the result file is invalid, or the schedule does not fit the model.")
def replay_cmd(model: str = typer.Argument(..., metavar="MODEL", help="The model file."),
               result: str = typer.Argument(..., metavar="RESULT", help="The output of 'checker verify MODEL --json'.")):
    """Re-run a counterexample's schedule and inputs; exit 1 when it reaches the violation again."""
    raise typer.Exit(run_replay(model, result, sys.stdout, sys.stderr))


# the flags `report` shares with `verify`, declared once (on verify_cmd): what and how to verify
VERIFICATION = ("timeout", "max_executions", "max_states", "no_reduction", "loop_bound", "spurious",
                "solver_timeout", "max_memory", "emit_smt2")


def _with_verification_flags(command):
    """`command` with `verify`'s VERIFICATION flags appended to its parameters (for typer), which
    it receives as the dict `verification`."""
    hints = get_type_hints(verify_cmd)
    shared = [p.replace(annotation=hints[p.name], kind=inspect.Parameter.KEYWORD_ONLY)
              for p in inspect.signature(verify_cmd).parameters.values() if p.name in VERIFICATION]
    own = inspect.signature(command, eval_str=True)
    own_params = [p for p in own.parameters.values() if p.name != "verification"]

    def run(**kwargs):
        return command(**{k: v for k, v in kwargs.items() if k not in VERIFICATION},
                       verification={k: v for k, v in kwargs.items() if k in VERIFICATION})

    run.__name__, run.__doc__ = command.__name__, command.__doc__
    run.__signature__ = own.replace(parameters=own_params + shared)
    run.__annotations__ = {p.name: p.annotation for p in own_params + shared}
    return run


def report_cmd(
    models: List[str] = typer.Argument(..., metavar="MODEL", help="Model files (YAML)."),
    output: Optional[str] = typer.Option(None, "-o", "--output", metavar="PATH", help="Write the report to PATH (default: standard output); an existing file is refused unless --force."),
    fmt: str = typer.Option("md", "--format", metavar="FORMAT", help="md or markdown (Markdown with Mermaid diagrams, for a code host) or html (one self-contained file with a step-through)."),
    force: bool = typer.Option(False, "--force", help="Overwrite PATH if it exists."),
    verification: dict = None,
):
    """Verify models and write a review document: the model as tables, each property's verdict, a proof summary, and each counterexample's diagram and steps."""
    fmt = {"markdown": "md"}.get(fmt, fmt)  # the name `verify --format` uses
    if fmt not in _reports():
        raise typer.BadParameter(f"'{printable(fmt)}' is not a report format; the formats are {', '.join(_reports())}",
                                 param_hint="'--format'")
    raise typer.Exit(run_report(models, _options(**verification), fmt, output, force, sys.stdout, sys.stderr,
                                emit_smt2=verification.get("emit_smt2")))


report_cmd = app.command("report", cls=Command, epilog=EXIT_CODES)(_with_verification_flags(report_cmd))


@app.command("schema", cls=Command, epilog="Exit codes: 0.")
def schema_cmd():
    """Print a JSON Schema (draft 2020-12) of model files, for YAML editors to complete and validate them."""
    print(json.dumps(model_schema(), indent=2))


if __name__ == "__main__":  # pragma: no cover
    app()
