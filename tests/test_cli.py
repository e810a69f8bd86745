"""The command line as a user meets it: exit codes, JSON, budgets, hostile models."""
from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from checker import __version__
from checker.commands import run_check, run_verify
from checker.verify import Options

INFINITE = """model: infinite-counter
shared:
  x: 0
threads:
  a:
    - while: true
      do:
        - x = x + 1
  b:
    - r = x
    - assert r >= 0
"""

SQUARES = """model: squares
shared:
  x: 2
threads:
  a:
    - while: true
      do:
        - x = x * x
"""


def verify(paths, **opts):
    out, err = io.StringIO(), io.StringIO()
    code = run_verify([str(p) for p in paths], Options(**opts), False, out, err)
    return code, out.getvalue(), err.getvalue()


def verify_json(paths, **opts):
    out, err = io.StringIO(), io.StringIO()
    code = run_verify([str(p) for p in paths], Options(**opts), True, out, err)
    return code, json.loads(out.getvalue())


def write(tmp_path, text, name="m.yaml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_exit_codes_holds_violated_invalid():
    assert verify(["models/counter_fetch_add.yaml"])[0] == 0
    assert verify(["models/counter_racy.yaml"])[0] == 1
    assert verify(["models/no_such_model.yaml"])[0] == 2
    # several models: invalid wins, then violated, then unknown
    assert verify(["models/counter_fetch_add.yaml", "models/counter_racy.yaml"])[0] == 1
    assert verify(["models/counter_racy.yaml", "models/no_such_model.yaml"])[0] == 2


def test_text_output_has_verdict_property_inputs_and_trace():
    code, out, _ = verify(["models/lost_update.yaml"])
    assert code == 1
    assert "VIOLATED (final)" in out
    assert "property: final at line 22" in out and "w == g1 + g2" in out
    assert "inputs: g1 = " in out and "g2 = " in out
    assert "tmp = w  (line 16)" in out and "read w = 0" in out
    assert "state at the violation:" in out
    assert "expect: violated: final -- met" in out


def test_json_is_complete_and_versioned():
    code, doc = verify_json(["models/lost_update.yaml"])
    assert code == 1 and doc["schema"] == "checker.result/2"
    assert doc["verdict"] == "violated" and doc["exit_code"] == 1 and doc["complete"] is False
    table = [(p["kind"], p["text"], p["line"], p["verdict"]) for p in doc["properties"]]
    assert table == [("final", "w == g1 + g2", 22, "violated"), ("deadlock", "no deadlock", None, "holds"),
                     ("runtime", "no runtime error", None, "holds")]
    assert doc["properties"][0]["violation"] == doc["violation"] and doc["properties"][0]["trace"] == doc["trace"]
    assert [p["violation"] for p in doc["properties"][1:]] == [None, None]
    assert doc["violation"]["kind"] == "final" and doc["violation"]["line"] == 22
    assert set(doc["inputs"]) == {"g1", "g2"}
    steps = doc["trace"]["steps"]
    assert [s["thread"] for s in steps] and all(s["actions"] for s in steps)
    assert doc["trace"]["schedule"]["steps"]
    stats = doc["stats"]
    for key in ("executions", "blocked", "assumed", "steps", "states", "solver_calls", "seconds"):
        assert key in stats
    assert stats["executions"] >= 1


def test_json_for_several_models_and_for_errors(tmp_path):
    bad = write(tmp_path, "model: x\nthreads:\n  a:\n    - lok m\n")
    code, doc = verify_json(["models/counter_fetch_add.yaml", bad])
    assert code == 2 and doc["schema"] == "checker.run/1"
    ok, err = doc["results"]
    assert ok["verdict"] == "holds" and ok["complete"] is True
    assert err["verdict"] == "invalid" and err["error"]["line"] == 4 and "lok" in err["error"]["message"]


def test_infinite_state_space_is_bounded_not_holds(tmp_path):
    code, out, _ = verify([write(tmp_path, INFINITE)], max_states=2000, loop_bound=4)
    assert code == 3
    assert "BOUNDED" in out and "loop bound 4" in out and "line 6" in out
    assert "HOLDS" not in out


def test_budgets_give_unknown_with_the_budget_named(tmp_path):
    code, out, _ = verify(["models/philosophers5_ordered.yaml"], max_executions=5)
    assert code == 3 and "UNKNOWN" in out and "--max-executions" in out
    code, out, _ = verify([write(tmp_path, SQUARES)])
    assert code == 3 and "integer budget" in out


def test_timeout_budget(tmp_path):
    code, doc = verify_json(["models/seed_sum_locked.yaml"], timeout=0.05)
    assert code == 3 and doc["verdict"] == "unknown" and "--timeout" in doc["reason"]


def test_check_validates_without_exploring(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    assert run_check(["models/peterson.yaml"], False, out, err) == 0
    assert "ok: model 'peterson'" in out.getvalue()
    out, err = io.StringIO(), io.StringIO()
    assert run_check([str(write(tmp_path, "model: x\n"))], False, out, err) == 2
    assert "missing required key 'threads'" in err.getvalue()


def test_console_script_version_and_help():
    exe = [sys.executable, "-m", "checker.cli"]
    v = subprocess.run(exe + ["--version"], capture_output=True, text=True)
    assert v.returncode == 0 and v.stdout.strip() == f"checker {__version__}"
    h = subprocess.run(exe + ["verify", "--help"], capture_output=True, text=True)
    for flag in ("--json", "--timeout", "--max-executions", "--no-reduction", "--loop-bound", "--spurious-wakeups"):
        assert flag in h.stdout
    bad = subprocess.run(exe + ["verify", "--loop-bound", "x", "models/peterson.yaml"], capture_output=True, text=True)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_python_dash_m_checker_is_the_command():
    r = subprocess.run([sys.executable, "-m", "checker", "verify", "models/lost_update.yaml"], capture_output=True,
                       text=True)
    assert r.returncode == 1 and r.stdout.startswith("models/lost_update.yaml: lost_update: VIOLATED (final)")
    h = subprocess.run([sys.executable, "-m", "checker", "--help"], capture_output=True, text=True)
    assert h.returncode == 0 and "Usage: checker [OPTIONS] COMMAND" in h.stdout


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "-1", "abc"])
def test_a_timeout_that_is_not_a_number_of_seconds_is_a_usage_error(value):
    r = subprocess.run([sys.executable, "-m", "checker", "verify", "models/lost_update.yaml", "--timeout", value],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr and "Invalid value for '--timeout'" in r.stderr


def test_bad_model_through_the_real_command(tmp_path):
    p = write(tmp_path, "model: x\nshared:\n  x: 0\nthreads:\n  a:\n    - lock x\n")
    r = subprocess.run([sys.executable, "-m", "checker.cli", "verify", str(p)], capture_output=True, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    first = r.stderr.splitlines()[0]
    assert first.startswith(f"{p}:6:12: error: 'lock' needs a mutex; 'x' is ")


def test_nothing_the_user_wrote_is_overwritten(tmp_path):
    p = write(tmp_path, open("models/lost_update.yaml").read())
    before = p.read_bytes()
    verify([p])
    verify_json([p])
    assert p.read_bytes() == before and sorted(x.name for x in tmp_path.iterdir()) == ["m.yaml"]
