"""What a newcomer meets first (issue 8, item 7): `--help`, counts in words, the Python API's
option checks, and `assert_expected` outside pytest."""
from __future__ import annotations

import io
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from checker.cli import app
from checker.commands import run_check
from checker.verify import Options


def help_text(*command: str) -> str:
    r = CliRunner().invoke(app, [*command, "--help"], prog_name="checker", env={"COLUMNS": "120"}, terminal_width=120)
    assert r.exit_code == 0
    return r.output


@pytest.mark.parametrize("command, usage", [
    (("verify",), "Usage: checker verify [OPTIONS] MODEL..."),
    (("check",), "Usage: checker check [OPTIONS] MODEL..."),
    (("replay",), "Usage: checker replay [OPTIONS] MODEL RESULT"),
    ((), "Usage: checker [OPTIONS] COMMAND [ARGS]..."),
])
def test_help_names_arguments_plainly_and_lists_exit_codes(command, usage):
    text = help_text(*command)
    assert usage in text
    for typer_word in ("{models}", "{model}", "<list[str]>", "<bool>", "<str>", "<int range>", "<float range>"):
        assert typer_word not in text, typer_word
    assert "Exit codes:" in text


def test_verify_help_lists_every_exit_code_and_option_metavars():
    text = " ".join(help_text("verify").split())  # the help is wrapped in boxes: compare words
    assert ("Exit codes: 0 every model holds (a complete proof); 1 some model is violated; 2 a model or the "
            "command is invalid; 3 none is violated, but some result is bounded or unknown.") in text
    for option, metavar in (("--timeout", "SECONDS"), ("--max-states", "N"), ("--solver-timeout-ms", "MS"),
                            ("--max-memory", "MIB")):
        assert f"{option} {metavar}" in text, option


def test_check_counts_in_the_right_number(tmp_path):
    p = tmp_path / "one.yaml"
    p.write_text("model: one\nshared: {x: 0}\nthreads:\n  t: [x = 1]\ncheck:\n  - final: x == 1\n")
    out, err = io.StringIO(), io.StringIO()
    assert run_check([str(p)], False, out, err) == 0
    assert out.getvalue() == f"{p}: ok: model 'one', 1 thread, 1 property, 1 instruction\n"


@pytest.mark.parametrize("options", [dict(timeout=-1), dict(max_states=0), dict(max_memory=0),
                                     dict(max_executions=0), dict(loop_bound=-1), dict(solver_timeout_ms=0)])
def test_the_python_api_refuses_what_the_cli_refuses(options):
    with pytest.raises(ValueError, match=f"Options.{next(iter(options))} must be"):
        Options(**options)


def run_python(code: str, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *flags, "-c", code], capture_output=True, text=True, timeout=120)


def test_assert_expected_works_outside_pytest():
    r = run_python("from checker.pytest_plugin import assert_expected\n"
                   "print(assert_expected('models/lost_update.yaml').verdict.value)")
    assert (r.returncode, r.stdout, r.stderr) == (0, "violated\n", "")


def test_assert_expected_fails_loudly_even_under_python_O(tmp_path):
    p = tmp_path / "m.yaml"
    p.write_text("model: m\nshared: {x: 0}\nthreads:\n  t: [x = 1]\ncheck:\n  - final: x == 1\nexpect: violated\n")
    r = run_python(f"from checker.pytest_plugin import assert_expected\nassert_expected({str(p)!r})", "-O")
    assert r.returncode == 1
    assert r.stderr.strip().splitlines()[-1] == f"AssertionError: {p}: expected violated, got holds"


def test_assert_expected_is_reachable_after_plain_import_checker():
    r = run_python("import checker\nprint(checker.pytest_plugin.assert_expected('models/lost_update.yaml').verdict.value)")
    assert (r.returncode, r.stdout) == (0, "violated\n")
