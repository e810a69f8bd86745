"""The commands as plain functions: `run_verify`, `run_check`, `run_replay`, `run_report`.

Each takes its output streams and returns an exit code, so tests call it directly; the typer
app in checker/cli.py only parses the arguments and calls them. Here too: loading and
verifying one model (`_outcome`), and where `checker report` writes its document (an existing
file is refused unless forced; `render.report` is imported only by that command).
"""
from __future__ import annotations

import json
import os
from contextlib import nullcontext
from typing import TextIO

from checker.errors import ModelError
from checker.render import FORMATS
from checker.render import json as jsonr
from checker.render.outcome import Outcome, Style, run_code
from checker.render.progress import progress_for
from checker.render.safe import printable
from checker.render.saved import SavedError, load_saved
from checker.render.words import plural
from checker.result import ExitCode, exit_code
from checker.symbolic.emit import EmitError, prepare
from checker.trace import ReplayError, observations, replay
from checker.verify import Options, enumerates, load, verify


def run_verify(paths: list[str], options: Options, fmt: str | bool, out: TextIO, err: TextIO,
               color: bool = False, width: int = 110, emit_smt2: str | None = None) -> int:
    """Verify each model and print the results in the format named `fmt` (a key of
    `render.FORMATS`; True and False stand for `json` and `text`); returns the exit code.
    `emit_smt2`: a directory for the solver queries as SMT-LIB 2 (one subdirectory per model
    when there are several); exit code 2, nothing verified, if it holds something else."""
    if isinstance(fmt, bool):
        fmt = "json" if fmt else "text"
    form, style = FORMATS[fmt], Style(width=width, color=color)
    try:
        dirs = prepare(emit_smt2, paths) if emit_smt2 is not None else [None] * len(paths)
    except EmitError as e:
        print(printable(f"error: {e}"), file=err)
        return int(ExitCode.INVALID)
    outcomes = []
    for path, emit_dir in zip(paths, dirs):
        o = _outcome(path, options, err, emit_dir)
        if o.error is not None and not form.reports_invalid:
            print(printable(o.error.render(), newlines=True), file=err)
        if form.part is not None:
            out.write(form.part(o, style))
            out.flush()
        outcomes.append(o)
    out.write(form.document(outcomes, style))
    return run_code(outcomes)


def _outcome(path: str, options: Options, err: TextIO, emit_smt2: str | None = None) -> Outcome:
    """Load and verify one model; an internal error is also reported on `err` at once."""
    try:
        program = load(path)
    except ModelError as e:
        return Outcome(path, error=e)
    try:
        with progress_for(err, program.name) or nullcontext() as progress:
            return Outcome(path, result=verify(program, options, emit_smt2, progress), program=program)
    except Exception as e:  # a bug of ours, not of the model: say so plainly, no verdict
        message = f"internal error: {type(e).__name__}: {e}"
        print(printable(f"{path}: {message}") + "\n  hint: this is a bug in checker; please report it with the model",
              file=err)
        return Outcome(path, internal=message, program=program)


def run_check(paths: list[str], as_json: bool, out: TextIO, err: TextIO) -> int:
    """Load and check each model without exploring it; returns the exit code (0, or 2)."""
    codes, items = [], []
    for path in paths:
        try:
            p = load(path)
        except ModelError as e:
            codes.append(ExitCode.INVALID)
            items.append(jsonr.error_dict(e)) if as_json else print(printable(e.render(), newlines=True), file=err)
            continue
        codes.append(ExitCode.HOLDS)
        threads = len(p.threads)
        summary = (f"{printable(path)}: ok: model '{printable(p.name)}', {plural(threads, 'thread')}, "
                   f"{plural(len(p.properties), 'property', 'properties')}, {plural(p.stmt_count, 'instruction')}"
                   + (", loops" if p.has_loops else ""))
        items.append({"schema": jsonr.CHECK_SCHEMA, "file": path, "model": p.name, "valid": True,
                      "threads": [t.name for t in p.threads], "loops": p.has_loops}) if as_json \
            else print(summary, file=out)
    code = int(exit_code(codes))
    if as_json:
        json.dump(items[0] if len(paths) == 1 else jsonr.run_dict(items, code), out, indent=2)
        out.write("\n")
    return code


def run_replay(path: str, result_file: str, out: TextIO, err: TextIO) -> int:
    """Replay a saved counterexample: 1 when it reaches the recorded violation again, 2 when the
    model or the file is invalid or the schedule does not fit the model."""
    try:
        program = load(path)
    except ModelError as e:
        print(printable(e.render(), newlines=True), file=err)
        return int(ExitCode.INVALID)
    try:
        saved = load_saved(result_file, program)
    except SavedError as e:
        print(printable(e.render(), newlines=True), file=err)
        return int(ExitCode.INVALID)
    try:
        t = replay(program, saved.schedule, saved.inputs, enumerate_any=enumerates(program),
                   spurious=saved.spurious, expect_kind=saved.kind)
    except ReplayError as e:
        print(printable(f"{path}: replay diverged: {e}"), file=err)
        return int(ExitCode.INVALID)
    except Exception as e:  # the file passed every check: a bug of ours, but never "reproduced"
        print(printable(f"{result_file}: error: the replay failed: internal error: {type(e).__name__}: {e}"), file=err)
        print("  hint: if the file is the unchanged output of 'checker verify MODEL --json' for this model, "
              "this is a bug in checker; please report it", file=err)
        return int(ExitCode.INVALID)
    if t.violation.kind != saved.kind:
        print(printable(f"{path}: replay diverged: the schedule reaches a {t.violation.kind} violation; "
                        f"the file records a {saved.kind} violation"), file=err)
        return int(ExitCode.INVALID)
    if saved.leak is not None:  # the execution must show its observers what the file says they saw
        line, recorded = saved.leak
        seen = observations(program, t, line)
        if seen != recorded:
            show = lambda seqs: "; ".join("[" + ", ".join(map(str, q)) + "]" for q in seqs)  # noqa: E731
            print(printable(f"{path}: replay diverged: the observers see {show(seen)} along this schedule; "
                            f"the file records {show(recorded)}"), file=err)
            return int(ExitCode.INVALID)
    print(printable(f"{path}: replayed {plural(len(t.steps), 'step')}: {t.violation.kind}: {t.violation.message} "
                    f"(line {t.violation.line})"), file=out)
    return int(ExitCode.VIOLATED)


def run_report(paths: list[str], options: Options, fmt: str, output: str | None, force: bool, out: TextIO,
               err: TextIO, emit_smt2: str | None = None) -> int:
    """Verify each model and write the review document `render.report.REPORTS[fmt]` to the file
    `output` (None: to `out`). An existing `output` is refused before anything runs unless
    `force`: nothing the user wrote is overwritten. Exit codes as `run_verify`; 2 as well when
    the report cannot be written. Invalid models are also reported on `err`."""
    if output is not None:
        problem = _unwritable(output, force)
        if problem:
            print(printable(f"{output}: error: {problem}"), file=err)
            return int(ExitCode.INVALID)
    try:
        dirs = prepare(emit_smt2, paths) if emit_smt2 is not None else [None] * len(paths)
    except EmitError as e:
        print(printable(f"error: {e}"), file=err)
        return int(ExitCode.INVALID)
    outcomes, provenances = [], []
    for path, emit_dir in zip(paths, dirs):
        o = _outcome(path, options, err, emit_dir)
        if o.error is not None:
            print(printable(o.error.render(), newlines=True), file=err)
        outcomes.append(o)
        provenances.append(_provenance(path) if o.error is None else None)
    code = run_code(outcomes)
    if all(o.error is not None for o in outcomes):
        return code  # nothing to report: leave no file behind that a second run would refuse
    document = _reports()[fmt](outcomes, provenances)
    if output is None:
        out.write(document)
        return code
    try:
        with open(output, "w" if force else "x", encoding="utf-8") as f:
            f.write(document)
    except OSError as e:
        print(printable(f"{output}: error: cannot write the report: {e.strerror or e}"), file=err)
        return int(ExitCode.INVALID)
    verdicts = ", ".join(f"{o.result.model}: {o.word}" if o.result else f"{o.path}: {o.word}" for o in outcomes)
    print(printable(f"{output}: {verdicts} (exit code {code})"), file=out)
    return code


def _unwritable(output: str, force: bool) -> str | None:
    """Why the report cannot go to `output`, in words; None when it can."""
    if os.path.isdir(output):
        return "is a directory; give a file name"
    if os.path.lexists(output) and not force:
        return "the file exists; nothing was written (give --force to overwrite it)"
    parent = os.path.dirname(output) or "."
    if not os.path.isdir(parent):
        return f"no such directory '{parent}'"
    return None


def _reports() -> dict:
    """`render.report.REPORTS`, imported only by `checker report` (the other commands start
    faster without it)."""
    from checker.render.report import REPORTS
    return REPORTS


def _provenance(path: str):
    """The provenance of a model file that loaded (its bytes hashed as they are now)."""
    from checker.render.report import provenance
    with open(path, "rb") as f:
        return provenance(f.read())
