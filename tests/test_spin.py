"""Spin-waits (docs/semantics.md, "Spin-waits"): a thread that tested true rests until the cell
it reads changes; resting where nothing will change it is a deadlock that spins forever."""
from __future__ import annotations

import pytest

from helpers import search
from checker.result import Verdict
from checker.verify import Options, load_text, verify

STRATEGIES = ["dpor", "enumerate", "stateful", "stateful-full"]

FOREVER = """\
model: spin_forever
shared: {go: 0}
threads:
  waiter:
    - {while: "go == 0", do: []}
  setter:
    - skip
"""

HANDOFF = """\
model: handoff
shared: {go: 0, data: 0}
threads:
  waiter:
    - {while: "go == 0", do: []}
    - seen = data
    - assert seen == 42
  setter:
    - data = 42
    - go = 1
"""


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_spinning_where_nothing_changes_the_flag_is_a_deadlock(strategy):
    x = search(FOREVER, strategy, keep_going=True)
    assert x.deadlocks == {("0",)}
    assert x.finals == set() and x.violations == {("deadlock", 5, 7)}


def test_spin_forever_is_reported_in_words():
    r = verify(load_text(FOREVER, "spin.yaml"), Options())
    assert r.verdict is Verdict.VIOLATED and r.violation.kind == "deadlock"
    assert r.violation.message == ("deadlock: spins forever: waiter waits for 'go == 0' to become false, "
                                   "and no thread will change it")
    assert r.strategy == "optimal dpor"
    assert [s.thread for s in r.trace.steps] == ["waiter"]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_a_handoff_through_a_spin_wait_holds_and_ends(strategy):
    x = search(HANDOFF, strategy, keep_going=True)
    assert x.violations == set() and x.deadlocks == set() and x.cut is None
    assert x.finals == {("1", "42")}


def test_a_spin_wait_turns_once_per_change_of_its_cell():
    # two traces: the waiter's first test reads go before or after `go = 1`; never a third turn
    x = search(HANDOFF, "dpor")
    assert (x.stats.executions, x.stats.blocked, x.stats.cuts) == (2, 0, 0)


def test_a_model_whose_loops_are_spin_waits_stays_stateless_and_complete():
    r = verify(load_text(HANDOFF, "h.yaml"), Options(loop_bound=1))
    assert (r.verdict, r.strategy, r.notes) == (Verdict.HOLDS, "optimal dpor", ())


def test_a_symbolic_spin_rests_for_the_inputs_that_keep_it_true():
    text = """\
model: spin_symbolic
inputs: {k: int in 0..3}
shared: {go: 0}
threads:
  waiter:
    - {while: "go != k", do: []}
  setter:
    - go = 2
"""
    r = verify(load_text(text, "s.yaml"), Options())
    assert r.verdict is Verdict.VIOLATED and r.violation.kind == "deadlock"
    assert r.violation.values["k"] in (0, 1, 3)  # 0: when the setter writes before the first test
    for k, stuck in ((0, True), (1, True), (2, False), (3, True)):
        concrete = text.replace("inputs: {k: int in 0..3}\n", "").replace("go != k", f"go != {k}")
        assert bool(search(concrete, "dpor", keep_going=True).deadlocks) is stuck, k


def test_a_spin_on_an_array_cell_waits_for_that_cell_only():
    text = """\
model: cells
shared: {d: [0, 0]}
threads:
  waiter:
    - i = 1
    - {while: "d[i] == 0", do: []}
  other:
    - d[0] = 5
"""
    for strategy in STRATEGIES:
        assert search(text, strategy, keep_going=True).deadlocks == {("5", "0")}, strategy
    fixed = text.replace("d[0] = 5", "d[1] = 5")
    for strategy in STRATEGIES:
        x = search(fixed, strategy, keep_going=True)
        assert (x.deadlocks, x.finals) == (set(), {("0", "5")}), strategy


def test_a_loop_whose_test_reads_twice_is_an_ordinary_loop():
    # two reads in one test: a value read first may be stale at the end, so it never rests
    text = """\
model: two_reads
shared: {a: 0, b: 0}
threads:
  waiter:
    - {while: "a == 0 or b == 0", do: []}
"""
    program = load_text(text, "t.yaml")
    assert not program.counted_loops
    r = verify(program, Options(loop_bound=2, max_states=1000))
    assert r.verdict is Verdict.HOLDS  # turning forever is livelock, which is not reported
    assert r.strategy.startswith("stateful")


def test_a_spin_wait_whose_exit_an_assume_drops_is_not_a_deadlock():
    # found by a reviewer: once f == 1 the waiter can leave; the `assume` after the loop then
    # drops the execution, which is no execution at all, not a thread spinning forever
    text = """\
model: spin_assume
shared: {f: 0, z: 0}
threads:
  t0:
    - {while: "f == 0", do: []}
    - assume z == 0
  t1:
    - z = 1
    - f = 1
"""
    for strategy in STRATEGIES:
        x = search(text, strategy, keep_going=True)
        assert (x.deadlocks, x.violations, x.finals) == (set(), set(), set()), strategy
    assert verify(load_text(text, "s.yaml"), Options()).verdict is Verdict.HOLDS
