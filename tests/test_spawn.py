"""Threads that start later: `start: spawned`, `params:`, `spawn NAME(ARGS)`, `h = spawn ...`,
`join NAME[h]`.

(a) the semantics: instances start in order with their parameters, a never-spawned instance
    does not exist for `final` and deadlock, spawning one too many is a runtime violation,
    joining one never spawned deadlocks; the trace's words;
(b) happens-before: the spawn before every step of the new thread, and the persistent sets
    (a spawner's future includes what it spawns);
(c) against the oracle: the spawn family of tests/oracle/gen_queues.py (exact trace counts,
    what every search reaches, racing pairs);
(d) errors.
"""
from __future__ import annotations

import os
import random

import pytest

from checker.result import Verdict
from helpers import kinds, oracle_sample, racing_pairs_agree, result, search
from oracle import gen_queues
from oracle.interp import differences
from test_errors import expect_error, model_file

CI = bool(os.environ.get("CI"))
BOTH = pytest.mark.parametrize("reduction", [True, False], ids=["reduced", "full"])




POOL = """\
model: pool
shared:
  results: queue 4
  total: 0
threads:
  main:
    - h0 = spawn worker(1)
    - h1 = spawn worker(2)
    - a = get results
    - b = get results
    - total = a + b
    - join worker[h0]
    - join worker[h1]
  worker:
    start: spawned
    count: 2
    params: [n]
    do:
      - put results n * 10
check:
  - final: total == 30
  - no_race
"""


@BOTH
def test_spawned_workers_run_with_their_parameters(reduction):
    r = result(POOL, reduction)
    assert r.verdict is Verdict.HOLDS, r.violation


@BOTH
def test_an_instance_never_spawned_does_not_exist(reduction):
    one = POOL.replace("    - h1 = spawn worker(2)\n", "").replace("    - b = get results\n", "    - b = 20\n") \
        .replace("    - join worker[h1]\n", "")
    assert result(one, reduction).verdict is Verdict.HOLDS  # worker[1] never runs: no deadlock, final holds


@BOTH
def test_joining_an_instance_never_spawned_deadlocks(reduction):
    text = POOL.replace("    - h1 = spawn worker(2)\n", "").replace("    - b = get results\n", "    - b = 20\n") \
        .replace("join worker[h1]", "join worker[1]")
    r = result(text, reduction)
    assert kinds(r) == {"deadlock"}
    assert "main waits for worker[1] to finish (never spawned)" in r.violation.message


@BOTH
def test_spawning_one_too_many_is_a_runtime_violation(reduction):
    r = result(POOL.replace("    - h1 = spawn worker(2)\n", "    - h1 = spawn worker(2)\n    - spawn worker(3)\n"),
               reduction)
    assert kinds(r) == {"runtime"}
    assert r.violation.message == "spawns instance 3 of worker, which has count 2"


def test_the_trace_shows_the_spawn_and_the_start():
    r = result(POOL.replace("total == 30", "total == 31"))
    words = [(s.thread, a.text, e) for s in r.trace.steps for a in s.actions for e in a.effects or ("",)]
    assert ("main", "h0 = spawn worker(1)", "starts worker[0]") in words
    assert any(t == "worker[0]" and text == "(starts)" for t, text, _ in words)


# ---- (b) happens-before and the reductions ---------------------------------------------------------

PUBLISH = """\
model: publish
shared:
  data: 0
  x: 0
threads:
  main:
    - data = 7
    - spawn reader
    - x = 1
  reader:
    start: spawned
    do:
      - d = data
      - assert d == 7
      - y = x
check:
  - no_race
"""


@BOTH
def test_the_spawn_happens_before_the_new_threads_steps(reduction):
    r = result(PUBLISH, reduction)
    assert kinds(r) == {"race"}  # data is published by the spawn; x, written after it, races
    assert r.violation.detail["location"] == "x"


@BOTH
def test_a_spawned_threads_writes_are_seen_by_the_reduction(reduction):
    """The persistent sets count what a spawner may spawn as its own future: `b`'s read of x
    must be explored before and after the spawned thread's write."""
    text = """\
model: future
shared:
  x: 0
threads:
  a:
    - spawn w
  b:
    - r = x
    - assert r == 0
  w:
    start: spawned
    do:
      - x = 1
"""
    assert kinds(result(text, reduction)) == {"assert"}
    assert search(text, "stateful", keep_going=True).violations == {("assert", 9, 7)}


# ---- (c) against the oracle ---------------------------------------------------------------------------

SEED = 20_261_201 if CI else random.randrange(10**9)  # fixed in CI, fresh outside it


def sample(cfg, seed: int, count: int) -> list:
    return oracle_sample(gen_queues.random_queue_model, cfg, seed, count)


def test_spawn_programs_have_one_execution_per_trace():
    programs = sample(gen_queues.SPAWN_COUNTS, SEED, 60)
    assert len(programs) >= 50
    assert any("spawn" in text for text, _ in programs)
    for text, o in programs:
        x = search(text, "dpor", keep_going=True)
        assert not differences(x, o), text
        assert (x.stats.executions, x.stats.blocked) == (o.traces, 0), text
        y = search(text, "stateful-full", keep_going=True)
        assert not differences(y, o) and y.stats.executions == o.executions, text


def test_spawn_programs_reach_what_the_oracle_reaches():
    programs = sample(gen_queues.SPAWN_GENERAL, SEED + 1, 50)
    assert len(programs) >= 40
    assert any(("runtime" in {k for k, _, _ in o.violations}) for _, o in programs)  # a spawn too many
    for text, o in programs:
        for strategy in ("dpor", "stateful", "stateful-full"):
            problems = differences(search(text, strategy, keep_going=True), o)
            assert not problems, f"{strategy}: {problems}\n{text}"


def test_racing_pairs_equal_the_oracle():
    checked, with_races = racing_pairs_agree(gen_queues.random_queue_model, gen_queues.SPAWN_COUNTS, 13 if CI else SEED, 40)
    assert checked >= 30 and with_races >= 0


# ---- (d) errors ---------------------------------------------------------------------------------------

HEAD = POOL.split("check:")[0]


@pytest.mark.parametrize("old, new, first, hint", [
    ("    - h0 = spawn worker(1)\n", "    - spawn main\n",
     "7:13: error: thread 'main' starts with the model, not by 'spawn'",
     "give it 'start: spawned' (and 'count: N' for N instances) to spawn it"),
    ("    - h0 = spawn worker(1)\n", "    - spawn worker\n", "7:7: error: thread 'worker' takes 1 parameter, found 0",
     "write 'spawn worker(n)'"),
    ("    - h0 = spawn worker(1)\n", "    - \"spawn worker(1, 2)\"\n",
     "7:8: error: thread 'worker' takes 1 parameter, found 2", "write 'spawn worker(n)'"),
    ("    - h0 = spawn worker(1)\n", "    - h = spawn nope(1)\n", "7:17: error: 'nope' is not a thread",
     "threads: main, worker"),
    ("    - h0 = spawn worker(1)\n", "    - spawn worker(true)\n",
     "7:20: error: parameter 'n' of 'worker' needs an int, found a bool",
     "true and false are not numbers: use an int (0 or 1) instead of the bool, or branch on it with 'if:'"),
    ("    start: spawned\n", "    start: later\n", "15:12: error: 'start' must be 'spawned', not 'later'",
     "write 'start: spawned' for a thread that another thread starts with 'spawn'; leave it out for a thread "
     "that runs from the start"),
    ("    start: spawned\n", "", "16:5: error: thread 'worker' has 'params' but is not spawned",
     "add 'start: spawned': parameters are bound by 'spawn NAME(ARGS)'"),
    ("    start: spawned\n", "    starts: spawned\n", "15:5: error: unknown key 'starts' in thread 'worker'",
     "did you mean 'start'?"),
    ("    - h0 = spawn worker(1)\n", "    - {atomic: [spawn worker(1)]}\n",
     "7:17: error: 'spawn' cannot be inside an atomic block", "spawn before or after the block"),
])
def test_errors(tmp_path, old, new, first, hint):
    assert old in HEAD
    expect_error(model_file(tmp_path, HEAD.replace(old, new, 1)), first, hint)
