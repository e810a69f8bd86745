"""Models as unit tests (issue 8, item 5): the pytest plugin in a fresh project that holds only
`models/*.yaml`, its options, its start-up cost; and the Python API `checker.verify(path_or_text)`.

The fresh projects run in-process (pytester), with the plugin loaded through its `pytest11` entry
point as in any project; one runs in a subprocess, as a user would run it.
"""
from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

import checker
import checker.pytest_plugin.items  # noqa: F401  (loaded before pytester's in-process runs, so kept)
import checker.render.text  # noqa: F401
from checker.errors import ModelError
from checker.pytest_plugin import options_from
from checker.result import Result, Verdict
from checker.verify import Options

pytest_plugins = ["pytester"]

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text().split("## From Python and pytest")[1].split("\n## ")[0]

OK = """\
model: ok
shared: {x: 0}
threads:
  t: [x = 1]
check:
  - final: x == 1
expect: holds
"""
LOST = """\
model: lost
shared: {w: 0}
threads:
  a: [tmp = w, w = tmp + 1]
  b: [tmp = w, w = tmp + 1]
check:
  - final: w == 2
expect: holds
"""
BAD = """\
model: bad
shared: {x: 0}
threads:
  t: [x = y + 1]
expect: holds
"""
NO_EXPECT = """\
model: no_expect
shared: {x: 0}
threads:
  t: [x = 1]
"""
TOGGLE = """\
model: toggle
shared: {x: 0}
threads:
  t:
    - {while: "true", do: [x = 1 - x]}
check:
  - always: x <= 1
expect: holds
"""
IDS = ["models/bad.yaml::bad", "models/lost.yaml::lost", "models/ok.yaml::ok"]


@pytest.fixture
def project(pytester):
    """A fresh project: models/ with one model that meets its `expect:`, one that does not, an
    invalid one and one without `expect:`; nothing else."""
    (pytester.path / "models").mkdir()
    for name, text in (("ok", OK), ("lost", LOST), ("bad", BAD), ("no_expect", NO_EXPECT)):
        (pytester.path / "models" / f"{name}.yaml").write_text(text)
    return pytester


def collected(result) -> list[str]:
    return sorted(line for line in result.outlines if "::" in line)


def test_collects_one_item_per_model_with_expect(project):
    result = project.runpytest("--co", "-q")
    assert collected(result) == IDS


def test_runs_each_model_against_its_expect(project):
    result = project.runpytest("-v")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(["models/bad.yaml::bad FAILED*", "models/lost.yaml::lost FAILED*",
                                 "models/ok.yaml::ok PASSED*"])


def test_a_failing_model_prints_its_trace_and_no_traceback(project):
    out = project.runpytest("models/lost.yaml").stdout
    out.fnmatch_lines(["*_ models/lost.yaml _*",
                       "models/lost.yaml: lost: VIOLATED (final)",
                       "  property: final at line 7, column 5: w == 2*",
                       "  trace (4 steps, 1 preemption):",
                       "*tmp = w  (line 4)*",
                       "*read w = 0*",
                       "*write w = 1*",
                       "  expect: holds -- NOT MET",
                       "FAILED models/lost.yaml::lost - models/lost.yaml: lost: VIOLATED (final)"])
    assert "Traceback" not in out.str() and "runtest" not in out.str()


def test_an_invalid_model_fails_with_its_position_and_hint_and_no_traceback(project):
    result = project.runpytest("models/bad.yaml")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["models/bad.yaml:4:11: error: undefined name 'y'",
                                 "  hint: shared names go under 'shared:', inputs under 'inputs:'"])
    text = result.stdout.str()
    assert "Traceback" not in text and "ModelError" not in text and "raise " not in text


def test_k_and_a_path_select_models(project):
    project.runpytest("-k", "lost").assert_outcomes(failed=1)
    project.runpytest("-k", "not lost and not bad").assert_outcomes(passed=1)
    project.runpytest("models/ok.yaml").assert_outcomes(passed=1)
    project.runpytest("models/ok.yaml::ok").assert_outcomes(passed=1)


def test_options_pass_through_to_the_search(pytester):
    (pytester.path / "models").mkdir()
    (pytester.path / "models" / "toggle.yaml").write_text(TOGGLE)
    pytester.runpytest().assert_outcomes(passed=1)
    result = pytester.runpytest("--checker-max-states", "1")  # the state budget runs out: unknown
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["models/toggle.yaml: toggle: UNKNOWN", "  why: state budget: 1 states*"])


def test_command_line_options_become_checker_options(pytester):
    config = pytester.parseconfig("--checker-timeout", "0", "--checker-max-memory", "0", "--checker-max-states", "7",
                                  "--checker-loop-bound", "0", "--checker-no-reduction", "--checker-spurious-wakeups")
    chosen = options_from(config)
    assert chosen == dict(timeout=None, max_memory=None, max_states=7, loop_bound=0, reduction=False,
                          spurious_wakeups=True)
    Options(**chosen)  # valid as they are
    assert options_from(pytester.parseconfig()) == {}


def test_an_invalid_option_value_is_a_usage_error(pytester):
    result = pytester.runpytest("--checker-timeout", "-1")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*argument --checker-timeout: expected a number of seconds >= 0*"])


@pytest.mark.parametrize("setting, ids", [
    ("checker_models =", []),
    ("checker_models = models/o*.yaml", ["models/ok.yaml::ok"]),
    ("checker_models =\n    models/ok.yaml\n    models/lost.yaml", ["models/lost.yaml::lost", "models/ok.yaml::ok"]),
])
def test_checker_models_globs_choose_the_models(project, setting, ids):
    project.makeini(f"[pytest]\n{setting}\n")
    assert collected(project.runpytest("--co", "-q")) == ids


def test_models_outside_the_pytest_arguments_are_not_collected(project):
    (project.path / "tests").mkdir()
    (project.path / "tests" / "test_a.py").write_text("def test_a():\n    pass\n")
    assert collected(project.runpytest("--co", "-q", "tests")) == ["tests/test_a.py::test_a"]


def test_a_fresh_project_runs_its_models_in_a_new_process(project):
    result = project.runpytest_subprocess()
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(["*read w = 0*"])


def test_this_repository_collects_its_models_only_when_asked():
    """tests/test_models.py checks every sample model; a plain `pytest` must not run them again."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert config["testpaths"] == ["tests"] and "checker_models" not in config
    assert not list((ROOT / "tests").glob("models/**/*.yaml"))


def run_python(code: str) -> str:
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


NOT_AT_START = "{'z3', 'networkx', 'rich', 'yaml', 'typer', 'pytest', '_pytest'}"


@pytest.mark.parametrize("module", ["checker", "checker.pytest_plugin"])
def test_the_package_and_the_plugin_import_nothing_heavy(module):
    """Neither the engine nor its libraries (nor pytest: `assert_expected` works without it)."""
    loaded = run_python(f"import sys, {module}\nprint(sorted(m for m in sys.modules "
                        f"if m.split('.')[0] in {NOT_AT_START} or m.startswith('checker.')))")
    assert loaded == repr(["checker.pytest_plugin"] if module != "checker" else [])


# the Python API


def test_verify_takes_a_path_as_str_or_path():
    r = checker.verify(str(ROOT / "models/lost_update.yaml"), timeout=60)
    assert isinstance(r, Result) and r.verdict is Verdict.VIOLATED and r.expect_met
    assert r.options["timeout"] == 60
    assert checker.verify(ROOT / "models/lost_update_locked.yaml").verdict is Verdict.HOLDS


def test_verify_takes_model_text():
    r = checker.verify(LOST, reduction=False)
    assert (r.verdict, r.file, r.expect_met, r.options["reduction"]) == (Verdict.VIOLATED, "<model>", False, False)
    assert checker.verify(OK).verdict is Verdict.HOLDS


def test_verify_takes_a_compiled_program():
    assert checker.verify(checker.load_text(OK)).verdict is Verdict.HOLDS


def test_an_unknown_option_is_a_type_error_that_names_it():
    with pytest.raises(TypeError, match=r"unknown option 'timout' \(did you mean 'timeout'\?\)"):
        checker.verify(OK, timout=1)


@pytest.mark.parametrize("source", [b"model: x\n", 42, None])
def test_a_source_of_another_type_is_a_type_error(source):
    with pytest.raises(TypeError, match="takes a path, model text or a Program"):
        checker.verify(source)


def test_an_invalid_option_value_is_a_value_error():
    with pytest.raises(ValueError, match="Options.timeout must be"):
        checker.verify(OK, timeout=-1)


def test_an_invalid_model_is_a_model_error_with_its_position(tmp_path):
    with pytest.raises(ModelError, match=r"<model>:4:11: error: undefined name 'y'"):
        checker.verify(BAD)
    (tmp_path / "bad.yaml").write_text(BAD)
    with pytest.raises(ModelError, match=r"bad.yaml:4:11: error: undefined name 'y'"):
        checker.verify(tmp_path / "bad.yaml")
    with pytest.raises(ModelError, match="no such file"):
        checker.verify(str(tmp_path / "missing.yaml"))


def test_the_api_keywords_are_exactly_the_options_fields():
    import dataclasses

    assert list(checker.VerifyOptions.__annotations__) == [f.name for f in dataclasses.fields(Options)]


def test_checker_verify_stays_the_api_after_the_module_is_imported():
    import importlib

    module = importlib.import_module("checker.verify")
    assert checker.verify is not module and callable(checker.verify)
    assert module.verify is not checker.verify  # the engine's verify(program, options)
    assert run_python("import checker.verify, checker\nprint(checker.verify.__module__)") == "checker"


def test_the_readme_example_prints_what_it_says():
    code = README.split("```python")[1].split("```")[0]
    assert run_python(code) == "\n".join(line[2:] for line in code.splitlines() if line.startswith("# "))


def test_the_readme_names_real_plugin_options(pytester):
    import re

    help_text = pytester.runpytest("--help").stdout.str()
    flags = set(re.findall(r"--checker-[a-z-]+", README))
    assert flags and all(flag in help_text for flag in flags)
    assert "checker_models" in README and "checker_models (linelist)" in help_text
