"""Every run ends: default budgets, the memory budget, solver queries bounded by the time
budget, option validation; and nested atomic blocks are one step.

Each test asserts what the user sees (verdict, reason, exit code) or a bound on memory,
never a wall-clock time.
"""
from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from checker.cli import app
from checker.commands import run_verify
from checker.program import ir
from checker.verify import (DEFAULT_MAX_MEMORY, DEFAULT_MAX_STATES, DEFAULT_TIMEOUT, Options, explore, load_text,
                            verify)
from helpers import ROOT

# -- 1. nested atomic blocks -------------------------------------------------------------------

NESTED = """model: nested_atomic
shared:
  x: 0
threads:
  t:
    - atomic:
        - atomic: ["x = 1"]
        - x = 2
  u:
    - r = x
check:
  - always: x == 0 or x == 2
"""

NESTED_DEEP = """model: nested_atomic_deep
shared:
  x: 0
  y: 0
threads:
  t:
    - atomic:
        - x = 1
        - atomic:
            - atomic: ["y = 1"]
            - y = 2
        - x = 2
  u:
    - r = x
    - s = y
    - assert (r == 0 or r == 2) and (s == 0 or s == 2)
check:
  - always: (x == 0 and y == 0) or (x == 2 and y == 2)
"""

# The reduction must see the inner block's write of x as part of the outer block's step:
# otherwise it would never run the block before u's read, and miss the violation.
NESTED_DEPENDENT = """model: nested_atomic_dependent
shared:
  x: 0
  y: 0
threads:
  t:
    - atomic:
        - atomic: ["x = 1"]
        - y = 1
  u:
    - r = x
    - assert r == 0
"""


def write(tmp_path, text, name="m.yaml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def run(paths, as_json=False, **opts):
    out, err = io.StringIO(), io.StringIO()
    code = run_verify([str(p) for p in paths], Options(**opts), as_json, out, err)
    return code, (json.loads(out.getvalue()) if as_json else out.getvalue()), err.getvalue()


@pytest.mark.parametrize("reduction", [True, False])
@pytest.mark.parametrize("text", [NESTED, NESTED_DEEP])
def test_nested_atomic_blocks_are_one_step(text, reduction):
    r = verify(load_text(text, "m.yaml"), Options(reduction=reduction))
    assert r.verdict.value == "holds", r.reason


@pytest.mark.parametrize("reduction", [True, False])
def test_nested_atomic_block_accesses_belong_to_the_outer_step(reduction):
    r = verify(load_text(NESTED_DEPENDENT, "m.yaml"), Options(reduction=reduction))
    assert r.verdict.value == "violated" and r.violation.kind == "assert"
    assert [s.thread for s in r.trace.steps][:1] == ["t"]


def test_nested_atomic_lowers_to_one_block():
    code = load_text(NESTED_DEEP, "m.yaml").threads[0].code
    begins = [k for k, i in enumerate(code) if isinstance(i, ir.AtomicBegin)]
    ends = [k for k, i in enumerate(code) if isinstance(i, ir.AtomicEnd)]
    assert len(begins) == 1 and ends == [code[begins[0]].end]
    writes = [i.src.text for i in code[begins[0] + 1:ends[0]] if isinstance(i, ir.Write)]
    assert writes == ["x = 1", "y = 1", "y = 2", "x = 2"]


def test_nested_atomic_through_the_command_line(tmp_path):
    p = write(tmp_path, NESTED)
    r = subprocess.run([sys.executable, "-m", "checker.cli", "verify", str(p)], capture_output=True, text=True,
                       cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "nested_atomic: HOLDS (complete proof)" in r.stdout


# -- 2. the memory budget ------------------------------------------------------------------------

# A server that draws from a huge range forever: every turn is a new state whose path
# condition is one term longer, so the search grows without end (quadratically in memory).
BIG_ANY_SERVER = """model: big_any_server
shared:
  x: 0
threads:
  server:
    - while: true
      do:
        - v = any 0..1000000000
        - x = v
"""

PEAK = """
import io, json, resource, sys
from checker.commands import run_verify
from checker.explore.budget import rss_mib
from checker.verify import Options, load_text, verify
warm = "model: warm\\ninputs: {n: int in 0..5}\\nshared: {x: 0}\\nthreads:\\n  t: [x = n * n]\\ncheck:\\n  - final: x != 3\\n"
verify(load_text(warm))  # a solver query: z3's memory is resident once it is used
limit = int(rss_mib()) + int(sys.argv[2])  # the interpreter with z3 in use (about 50 MiB), and more
out = io.StringIO()
code = run_verify([sys.argv[1]], Options(max_memory=limit), True, out, sys.stderr)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"code": code, "doc": json.loads(out.getvalue()), "limit": limit, "peak_mib": peak}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="resident memory read from /proc")
def test_a_growing_search_stops_at_the_memory_budget_in_bounded_memory(tmp_path):
    """Default options except a small memory budget; in a fresh process, so that the peak
    resident memory measured is this run's alone."""
    p = write(tmp_path, BIG_ANY_SERVER)
    r = subprocess.run([sys.executable, "-c", PEAK, str(p), "40"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    limit = got["limit"]
    assert got["code"] == 3
    assert got["doc"]["verdict"] == "unknown"
    assert got["doc"]["reason"].startswith(f"memory budget: {limit} MiB (--max-memory); the process used ")
    # read every 50 ms: the overshoot is one interval's growth (about 1 MiB here), or what z3
    # allocates within one query (one CI run in about thirty peaked 60 MiB over): bounded, far
    # from the 10 GB this model reached before the budget existed
    assert got["peak_mib"] < limit + 100


def cli(*args):
    """The real command line, parsed by typer, in this process."""
    r = CliRunner().invoke(app, list(args))
    return r.exit_code, r.output


def test_max_memory_flag_and_zero_for_no_limit(tmp_path):
    p = str(write(tmp_path, NESTED))
    code, out = cli("verify", p, "--max-memory", "1")
    assert code == 3 and "nested_atomic: UNKNOWN" in out
    assert "why: memory budget: 1 MiB (--max-memory); the process used " in out
    code, out = cli("verify", p, "--max-memory", "0", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["verdict"] == "holds" and doc["options"]["max_memory"] is None
    code, out = cli("verify", p, "--max-memory", "-5")
    assert code == 2 and "--max-memory" in out


# -- 3. solver queries are bounded by the time budget ------------------------------------------

NONLINEAR = """model: nonlinear
inputs:
  a: int
  b: int
  c: int
threads:
  t:
    - assert a*a*a + b*b*b != c*c*c or a == 0 or b == 0
"""


def test_a_hard_solver_query_ends_at_the_time_budget(tmp_path):
    """z3 cannot decide this (Fermat, n = 3) within its 60 s query timeout; the run's time
    budget of 2 s cuts the query, and the reason names the time budget, not the solver."""
    code, doc, _ = run([write(tmp_path, NONLINEAR)], as_json=True, timeout=2, solver_timeout_ms=60_000)
    assert code == 3 and doc["verdict"] == "unknown"
    assert doc["reason"] == "time budget: 2 s (--timeout)"
    assert "solver returned unknown" not in doc["reason"]


def test_the_solver_gets_the_deadline_of_the_time_budget():
    program = load_text(NESTED, "m.yaml")
    e, _ = explore(program, Options(timeout=30))
    assert e.solver.deadline is not None
    e, _ = explore(program, Options(timeout=None))
    assert e.solver.deadline is None


# -- 4. default budgets -------------------------------------------------------------------------

LOCKS64 = "model: locks64\nshared:\n  m: mutex\n  n: 0\nthreads:\n  w:\n    count: 64\n    do:\n" \
          "      - lock m\n      - k = n\n      - n = k + 1\n      - unlock m\ncheck:\n  - final: n == 64\n"


def test_every_run_has_default_budgets():
    o = Options()
    assert (o.timeout, o.max_memory, o.max_states) == (DEFAULT_TIMEOUT, DEFAULT_MAX_MEMORY, DEFAULT_MAX_STATES)
    assert (DEFAULT_TIMEOUT, DEFAULT_MAX_MEMORY, DEFAULT_MAX_STATES) == (600, 4096, 200_000)
    r = verify(load_text(NESTED, "m.yaml"))
    assert r.options["timeout"] == 600 and r.options["max_memory"] == 4096


def test_sixty_four_threads_stop_at_the_time_budget_which_is_named(tmp_path):
    code, out, _ = run([write(tmp_path, LOCKS64)], timeout=1)
    assert code == 3
    assert "locks64: UNKNOWN" in out and "why: time budget: 1 s (--timeout)" in out


def test_timeout_zero_on_the_command_line_means_no_time_limit(tmp_path):
    code, out = cli("verify", str(write(tmp_path, NESTED)), "--timeout", "0", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["verdict"] == "holds" and doc["options"]["timeout"] is None
    code, out = cli("verify", str(write(tmp_path, NESTED)), "--json")
    assert code == 0 and json.loads(out)["options"]["timeout"] == 600


def test_the_state_budget_is_named(tmp_path):
    code, doc, _ = run([write(tmp_path, BIG_ANY_SERVER)], as_json=True, max_states=50, loop_bound=3)
    assert code == 3 and doc["verdict"] == "bounded"
    assert doc["notes"][0].startswith("the state space did not fit in 50 states")


@pytest.mark.parametrize("n", [1, 5, 17, 40])
def test_the_execution_budget_stops_after_exactly_that_many_executions(n):
    # the budgets are checked every 16 steps, and at the node after each execution when
    # executions are bounded: big0 without its x/y writer has 13 steps in an execution
    text = ("model: e\nshared: {x: 0, y: 0, z: 0, w: 0}\nthreads:\n  t1: [r1 = x, r2 = y, r3 = z, r4 = w]\n"
            "  t2: [r1 = x, r2 = y, r3 = z]\n  t4: [z = 1, w = 1, z = 2, w = 2, z = 3, w = 3]\n")
    r = verify(load_text(text, "e.yaml"), Options(max_executions=n))
    assert r.verdict.value == "unknown" and r.stats["executions"] == n
    assert r.reason == f"execution budget: {n} executions explored (--max-executions)"


# -- 5. options are validated ---------------------------------------------------------------------

@pytest.mark.parametrize("field, value", [
    ("timeout", 0), ("timeout", -1), ("timeout", float("nan")), ("timeout", float("inf")), ("timeout", "5"),
    ("max_executions", 0), ("max_executions", 2.5), ("max_states", 0), ("max_states", None),
    ("loop_bound", -1), ("solver_timeout_ms", 0), ("max_memory", 0), ("max_memory", -1),
    ("reduction", "yes"), ("spurious_wakeups", 1),
])
def test_invalid_options_raise_a_clear_value_error(field, value):
    with pytest.raises(ValueError, match=rf"^Options\.{field} must be "):
        Options(**{field: value})


def test_valid_options_are_accepted():
    Options(timeout=None, max_memory=None, max_executions=None)
    Options(timeout=0.5, max_memory=1, max_states=1, loop_bound=0, solver_timeout_ms=1, max_executions=1)


@pytest.mark.parametrize("flag, value", [("--timeout", "-1"), ("--max-memory", "-1"), ("--max-states", "0"),
                                         ("--solver-timeout-ms", "0"), ("--max-executions", "0")])
def test_invalid_options_on_the_command_line_exit_2(tmp_path, flag, value):
    code, out = cli("verify", str(write(tmp_path, NESTED)), flag, value)
    assert code == 2 and f"Invalid value for '{flag}'" in out
