"""Barriers (`b: barrier N`, `arrive_and_wait b`) and arrays of every resource kind.

(a) the semantics: a phase fills and releases, a barrier that cannot fill deadlocks (and says
    so: "waits at barrier b (2 of 3 arrived)"), extra threads wait for the next phase, the
    barrier resets, a waiting thread never wakes spuriously; the trace's words;
(b) happens-before: every arrival before every departure of its phase, and no more (an
    arrival of a later phase is not after the earlier phase's arrivals); racing pairs against
    the race oracle (tests/oracle/races.py) on random barrier programs;
(c) exact execution counts, reduced against unreduced and against the oracle's traces;
(d) arrays: `cvs: condition[2]`, `sems: semaphore[2] 1`, `rws: rwlock[2]`, `bs: barrier[2] 3`,
    symbolic indices, an index out of range;
(e) errors, with their position and hint.
"""
from __future__ import annotations

import random

import pytest

from checker.result import Verdict
from checker.verify import Options, load_text, verify
from helpers import search
from oracle import gen
from oracle.interp import TooBig, run
from oracle.races import racing_pairs
from test_errors import expect_error, model_file
from test_races import dpor_pairs

BOTH = pytest.mark.parametrize("reduction", [True, False], ids=["reduced", "full"])


def result(text: str, reduction: bool = True, **options):
    return verify(load_text(text, "m.yaml"), Options(reduction=reduction, **options))


def kinds(r) -> set:
    return {p.kind for p in r.violated}


PHASES = """\
model: phases
shared:
  x: 0
  y: 0
  b: barrier 2
threads:
  a:
    - x = 1
    - arrive_and_wait b
    - r = y
    - assert r == 1
  c:
    - y = 1
    - arrive_and_wait b
    - s = x
    - assert s == 1
check:
  - no_race
"""


# ---- (a) the semantics ----------------------------------------------------------------------------

@BOTH
def test_a_phase_that_fills_releases_every_thread(reduction):
    r = result(PHASES, reduction)
    assert r.verdict is Verdict.HOLDS, r.violation


@BOTH
def test_a_barrier_that_cannot_fill_is_a_deadlock(reduction):
    r = result(PHASES.replace("barrier 2", "barrier 3"), reduction)
    assert kinds(r) == {"deadlock"}
    v = r.violation
    assert v.message == ("deadlock: a waits at barrier b (2 of 3 arrived); "
                         "c waits at barrier b (2 of 3 arrived)")
    assert (v.line, v.col) == (9, 7)  # the first waiting thread's arrive_and_wait
    assert [w["kind"] for w in v.detail["waits"]] == ["barrier", "barrier"]


@BOTH
def test_extra_threads_wait_for_the_next_phase(reduction):
    text = """\
model: extra
shared:
  n: 0
  b: barrier 2
threads:
  w:
    count: 3
    do:
      - arrive_and_wait b
      - fetch_add(n, 1)
"""
    r = result(text, reduction)
    assert kinds(r) == {"deadlock"}  # two fill a phase, the third waits for a partner forever
    assert "(1 of 2 arrived)" in r.violation.message
    r = result(text.replace("count: 3", "count: 4"), reduction)  # two phases of two
    assert r.verdict is Verdict.HOLDS


@BOTH
def test_the_barrier_resets_for_each_round(reduction):
    text = """\
model: rounds
shared:
  x: [0, 0]
  b: barrier 2
threads:
  w:
    count: 2
    locals: {k: 0}
    do:
      - while: k < 3
        do:
          - x[tid] = x[tid] + 1
          - arrive_and_wait b
          - r = x[1 - tid]
          - assert r == k + 1
          - arrive_and_wait b
          - k = k + 1
check:
  - no_race
  - final: x[0] == 3 and x[1] == 3
"""
    r = result(text, reduction)
    assert r.verdict is Verdict.HOLDS, r.violation
    # without the second barrier, a fast thread's next write races with the other's read
    r = result(text.replace("          - arrive_and_wait b\n          - k = k + 1", "          - k = k + 1"), reduction)
    assert "race" in kinds(r)


def test_a_server_loop_at_a_barrier_has_finitely_many_states():
    text = """\
model: server
shared:
  x: 0
  b: barrier 2
threads:
  w:
    count: 2
    do:
      - while: true
        do:
          - fetch_add(x, 1)
          - arrive_and_wait b
          - fetch_add(x, -1)
          - arrive_and_wait b
check:
  - always: x >= 0 and x <= 2
"""
    r = result(text)
    assert r.verdict is Verdict.HOLDS and r.reason is None, r.reason  # a complete proof, not bounded


def test_a_barrier_of_one_never_waits():
    r = result(PHASES.replace("barrier 2", "barrier 1").replace("    - assert r == 1\n", "")
               .replace("    - assert s == 1\n", "").replace("check:\n  - no_race\n", ""))
    assert r.verdict is Verdict.HOLDS


def test_a_waiting_thread_never_wakes_spuriously():
    r = result(PHASES, spurious_wakeups=True)
    assert r.verdict is Verdict.HOLDS, r.violation
    r = result(PHASES.replace("barrier 2", "barrier 3"), spurious_wakeups=True)
    assert kinds(r) == {"deadlock"}


def test_the_trace_names_arrivals_and_departures():
    text = "model: m\nshared:\n  x: 0\n  b: barrier 2\nthreads:\n  a: [arrive_and_wait b, x = 1]\n" \
        "  c: [arrive_and_wait b]\ncheck:\n  - final: x == 0\n"
    r = result(text)  # the final state needs both threads past the barrier: one of them departs
    (p,) = r.violated
    lines = [(a.text, a.effects) for s in p.trace.steps for a in s.actions]
    assert ("arrive_and_wait b", ("b: 1 of 2 arrived; waits",)) in lines
    assert ("arrive_and_wait b", ("b: 2 of 2 arrived: releases a and moves on",)) in lines \
        or ("arrive_and_wait b", ("b: 2 of 2 arrived: releases c and moves on",)) in lines
    assert any(text == "(leaves barrier b)" and effects == ("phase of b released",) for text, effects in lines)


def test_the_state_at_a_deadlock_says_waiting():
    r = result(PHASES.replace("barrier 2", "barrier 3"))
    threads = r.violated[0].trace.state["threads"]
    assert threads == {"a": "at line 9: (leaves barrier b) (waiting)", "c": "at line 14: (leaves barrier b) (waiting)"}


# ---- (b) happens-before -----------------------------------------------------------------------------

@BOTH
def test_without_the_barrier_the_phases_race(reduction):
    text = PHASES.replace("    - arrive_and_wait b\n", "")
    assert "race" in kinds(result(text, reduction))


@BOTH
def test_an_arrival_of_a_later_phase_is_not_after_the_earlier_phase(reduction):
    """p and q can fill phase 1 while r and s fill phase 2: then s's read of x is not after
    p's write (the arrivals of phase 1 happen before phase 1's departures only)."""
    text = """\
model: phases
shared:
  x: 0
  b: barrier 2
threads:
  p: [x = 1, arrive_and_wait b]
  q: [arrive_and_wait b]
  r: [arrive_and_wait b]
  s: [arrive_and_wait b, v = x]
check:
  - no_race
"""
    assert "race" in kinds(result(text, reduction))
    assert racing_pairs(text) == dpor_pairs(text)[0] != set()
    # with two threads only, both always meet in one phase
    two = text.replace("  q: [arrive_and_wait b]\n  r: [arrive_and_wait b]\n", "")
    assert result(two, reduction).verdict is Verdict.HOLDS
    assert racing_pairs(two) == dpor_pairs(two)[0] == set()


def test_racing_pairs_on_random_barrier_programs_equal_the_oracle():
    rng, checked, racy = random.Random(20_250_902), 0, 0
    for _ in range(40):
        text = gen.random_barrier_model(rng, gen.BARRIER_RACES)
        try:
            expected = racing_pairs(text, budget=30_000)
        except TooBig:
            continue
        found, x = dpor_pairs(text)
        assert x.exhausted is None, text
        assert found == expected, f"DPOR only {found - expected}\noracle only {expected - found}\n{text}"
        checked += 1
        racy += bool(expected)
    assert checked >= 20 and 0 < racy < checked


# ---- (c) counts --------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, traces", [
    (PHASES, 2),  # the two orders of the arrivals; everything else commutes
    (PHASES.replace("barrier 2", "barrier 3"), 2),
])
def test_execution_counts(text, traces):
    o = run(text)
    assert o.traces == traces
    x = search(text, "dpor", keep_going=True)
    assert x.stats.executions == traces and x.stats.blocked == 0
    y = search(text, "stateful-full", keep_going=True)
    assert y.stats.executions == o.executions


# ---- (d) arrays ----------------------------------------------------------------------------------------

ARRAYS = """\
model: arrays
inputs:
  g: int in 0..1
shared:
  x: [0, 0]
  sems: semaphore[2] 1
  rws: rwlock[2]
  cvs: condition[2]
  bs: barrier[2] 2
  m: mutex
  ready: [false, false]
threads:
  w:
    count: 2
    do:
      - acquire sems[g]
      - write_lock rws[tid]
      - x[tid] = x[tid] + 1
      - unlock rws[tid]
      - release sems[g]
      - arrive_and_wait bs[g]
      - lock m
      - ready[tid] = true
      - broadcast cvs[1 - tid]
      - {while: "not ready[1 - tid]", do: ["wait cvs[tid] m"]}
      - unlock m
check:
  - final: x[0] == 1 and x[1] == 1
"""


@BOTH
def test_arrays_of_every_kind_with_a_symbolic_index(reduction):
    r = result(ARRAYS, reduction)
    assert r.verdict is Verdict.HOLDS, r.violation


@BOTH
def test_an_array_index_out_of_range_is_a_runtime_violation(reduction):
    r = result(ARRAYS.replace("g: int in 0..1", "g: int in 0..2"), reduction)
    assert kinds(r) == {"runtime"}
    v = r.violation
    assert v.message == "index out of range for a semaphore array of size 2"
    assert v.values == {"g": 2} and (v.line, v.col) == (16, 9)
    assert r.violated[0].trace is not None


def test_an_array_needs_an_index():
    text = ARRAYS.replace("acquire sems[g]", "acquire sems")
    with pytest.raises(Exception, match=r"'sems' is an array of 2 semaphores; name one"):
        load_text(text, "m.yaml")


def test_the_oracle_runs_the_arrays():
    o = run(ARRAYS)
    assert not o.violations
    assert run(ARRAYS.replace("g: int in 0..1", "g: int in 0..2")).violations == {("runtime", 16, 9)}


# ---- (e) errors ------------------------------------------------------------------------------------------

HEAD = "model: m\nshared:\n  b: barrier 2\n  m: mutex\nthreads:\n  t:\n"


@pytest.mark.parametrize("text, first, hint", [
    (HEAD + "    - arrive_and_wait\n",
     "7:22: error: expected the operand of 'arrive_and_wait', found the end of the text",
     "write 'arrive_and_wait BARRIER'"),
    (HEAD + "    - arrive_and_wait b m\n", "7:25: error: 'arrive_and_wait' takes 1 operand, found more",
     "write 'arrive_and_wait BARRIER'"),
    (HEAD + "    - arrive_and_wait m\n", "7:23: error: 'arrive_and_wait' needs a barrier; 'm' is a mutex",
     "write 'arrive_and_wait BARRIER'"),
    (HEAD + "    - {atomic: [arrive_and_wait b]}\n", "7:17: error: 'arrive_and_wait' cannot be inside an atomic block",
     "an atomic block never waits: put it before or after the block"),
    (HEAD.replace("barrier 2", "barrier 0") + "    - skip\n", "3:6: error: barrier 'b' needs 1 to 64 threads, not 0",
     "write 'barrier 2'"),
    (HEAD.replace("barrier 2", "barrier -1") + "    - skip\n", "3:6: error: barrier 'b' needs 1 to 64 threads, not -1",
     "write 'barrier 2'"),
    (HEAD.replace("barrier 2", "barrier") + "    - skip\n", "3:6: error: barrier 'b' needs a number of threads",
     "write 'barrier 2'"),
    (HEAD.replace("b: barrier 2", "sems: semaphore[4]") + "    - skip\n",
     "3:9: error: semaphore 'sems' needs a number of permits after its size",
     "semaphore arrays are written 'sems: semaphore[4] 2'"),
    (HEAD.replace("b: barrier 2", "bs: barrier[2] 0") + "    - skip\n",
     "3:7: error: barrier 'bs' needs 1 to 64 threads, not 0", "write 'bs: barrier[2] 2'"),
    (HEAD + "    - arrive_and_wai b\n", "7:7: error: unknown statement 'arrive_and_wai'",
     "did you mean 'arrive_and_wait'?"),
])
def test_errors(tmp_path, text, first, hint):
    expect_error(model_file(tmp_path, text), first, hint)
