"""The explorer against an independent oracle (tests/oracle): a brute-force interpreter that
shares no code with checker.program/explore/symbolic (only the parser) and counts
Mazurkiewicz traces with its own copy of the dependence table of docs/soundness.md.

(a) on loop-free programs that cannot fail, DPOR explores exactly one execution per trace:
    `stats.executions` equals the oracle's trace count, and no exploration is sleep-set blocked;
(b) on general programs (loops, waits, `any`, `assume`, asserts, misuse, joins, atomic blocks),
    every search reaches the same violations, final states and deadlocked states as the oracle
    (where the checker keeps values symbolic, a subset of the violations: see `differences`);
    without reduction ('stateful-full'), a loop-free model has as many executions as interleavings;
    and the same on a fixed sample of programs with spin-waits (`{while: "flag == 0", do: []}`);
(c) named regressions with their known answers;
(d) the oracle itself: cases computed by hand, and the sample models it can run (their `expect:`).

Programs come from tests/oracle/gen.py; those whose brute force exceeds BUDGET steps are skipped.
Random tests use fixed seeds under CI (CI=true) and fresh ones otherwise; bench/oracle_soak.py
runs the same comparisons on more and larger programs, and prints every failing model.
"""
from __future__ import annotations

import functools
import os
import random
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from checker.lang import parse_model
from checker.lang import syntax as S
from helpers import MODELS, search
from oracle import gen
from oracle.interp import TooBig, Unsupported, differences, resolve, run, walk

CI = bool(os.environ.get("CI"))
BUDGET = 30_000  # oracle steps per example; bigger programs are skipped


def random_settings(examples: int):
    # under CI a failure is reported as found, unshrunk (shrinking can take minutes); run the
    # test outside CI, or bench/oracle_soak.py, for a small counterexample
    phases = [p for p in Phase if p is not Phase.shrink] if CI else list(Phase)
    return settings(max_examples=examples, deadline=None, derandomize=CI, phases=phases,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                           HealthCheck.data_too_large])


def oracle(text: str, budget: int = BUDGET):
    try:
        return run(text, budget)
    except TooBig:
        assume(False)


def agree(x, o, text: str) -> None:
    """The search `x` reached what the oracle `o` reached."""
    problems = differences(x, o)
    assert not problems, "\n".join(problems) + "\n" + text


# ---- (a) one execution per Mazurkiewicz trace ----------------------------------------------------

@random_settings(200)
@given(gen.models(gen.COUNT_SAFE))
def test_dpor_explores_one_execution_per_trace(text):
    o = oracle(text)
    assume(o.count_safe)
    x = search(text, "dpor", keep_going=True)
    assert x.exhausted is None, text
    assert x.stats.executions == o.traces, f"{x.stats.executions} executions for {o.traces} traces\n{text}"
    assert x.stats.blocked == 0, f"{x.stats.blocked} sleep-set blocked explorations\n{text}"


# programs where many races share prefixes: 4-6 threads, up to 100,000 interleavings
DENSE = {"count_safe": replace(gen.COUNT_SAFE, threads=(4, 6), max_interleavings=100_000),
         "general": replace(gen.GENERAL, threads=(4, 6), max_interleavings=100_000)}


@pytest.mark.parametrize("cfg", sorted(DENSE))
@random_settings(60)
@given(data=st.data())
def test_settled_races_and_known_states_change_no_exploration(cfg, data):
    """Dropping the races whose answer cannot change (docs/soundness.md, "Settled races") and
    reusing what was computed for an equal state ("Known states") explore the same
    executions, in the same number of steps, as reversing every race of the execution at the
    end of every execution and computing every state's steps afresh."""
    text = data.draw(gen.models(DENSE[cfg]))
    a = search(text, "dpor", keep_going=True, max_steps=300_000)
    b = search(text, "dpor", keep_going=True, max_steps=300_000, settle=False, remember=False)
    assume(a.exhausted is None and b.exhausted is None)
    assert (a.stats.executions, a.stats.steps, a.stats.blocked) == (b.stats.executions, b.stats.steps, b.stats.blocked), text
    assert (a.finals, a.deadlocks, set(a.findings)) == (b.finals, b.deadlocks, set(b.findings)), text


# ---- (b) the same violations, final states and deadlocks ----------------------------------------

@pytest.mark.parametrize("strategy", ["dpor", "stateful", "stateful-full"])
@random_settings(120)
@given(text=gen.models(gen.GENERAL))
def test_search_reaches_what_the_oracle_reaches(strategy, text):
    o = oracle(text)
    x = search(text, strategy, keep_going=True)
    agree(x, o, text)
    if strategy == "stateful-full" and not o.has_loops and not o.symbolic() and not o.violations and not o.assumed:
        # without reduction, a loop-free model's executions are its interleavings
        assert x.stats.executions == o.executions, text


@random_settings(50)
@given(text=gen.models(gen.WITH_INPUTS))
def test_violations_agree_with_symbolic_inputs(text):
    o = oracle(text)  # the oracle enumerates the input's values; the checker keeps it symbolic
    agree(search(text, "dpor", keep_going=True), o, text)


# Spin-waits: the checker makes each failed test an event, the oracle only the last test's
# read, so counts are not compared (`Result.count_safe`); what is reached must agree. A fixed
# sample (the same programs every run, under CI or not), small enough for ~20 s per strategy.
SPIN_SMALL = replace(gen.SPIN, threads=(2, 4), units=(1, 3), max_interleavings=1_000)
SPIN_SEED, SPIN_PROGRAMS = 20_240_611, 300


@functools.lru_cache(maxsize=None)
def spin_programs() -> tuple:
    """(text, oracle result) for SPIN_PROGRAMS programs of SPIN_SMALL from SPIN_SEED; the few
    whose brute force exceeds BUDGET steps are left out."""
    rng, out = random.Random(SPIN_SEED), []
    for _ in range(SPIN_PROGRAMS):
        text = gen.random_model(rng, SPIN_SMALL)
        try:
            out.append((text, run(text, BUDGET)))
        except TooBig:
            pass
    return tuple(out)


def spins_forever(text: str, o) -> bool:
    """Does the oracle report a deadlock at a spin-wait (the first stuck thread spins)?"""
    lines = text.splitlines()
    return any(kind == "deadlock" and "while" in lines[line - 1] and "k < 2" not in lines[line - 1]
               for kind, line, _ in o.violations)


def test_spin_sample_spins_both_ways():
    programs = spin_programs()
    assert len(programs) >= 0.9 * SPIN_PROGRAMS
    spinning = [(text, o) for text, o in programs if o.spins]
    assert len(spinning) >= 0.6 * len(programs)
    assert sum(spins_forever(text, o) for text, o in spinning) >= 30  # "spins forever"
    assert sum(not o.violations and bool(o.finals) for _, o in spinning) >= 30  # holds


@pytest.mark.parametrize("strategy", ["dpor", "stateful", "stateful-full"])
def test_search_reaches_what_the_oracle_reaches_with_spin_waits(strategy):
    failures = []
    for text, o in spin_programs():
        problems = differences(search(text, strategy, keep_going=True), o)
        if problems:
            failures.append("\n".join(problems) + "\n" + text)
    assert not failures, f"{len(failures)} programs disagree; the first:\n{failures[0]}"


# ---- (c) named regressions -----------------------------------------------------------------------

THREE_READERS = """\
model: three_readers
shared: {x: 0, y: 0, o1: 0, o2: 0}
threads:
  t0: [x = 1, r1 = x]
  t1: [r0 = y, r1 = x, r2 = x, o1 = r1 * 10 + r2]
  t2: [r0 = x, o2 = r0]
check:
  - final: not (o1 == 11 and o2 == 0)
expect: violated
"""

NESTED_ATOMIC = """\
model: nested_atomic
shared: {x: 0}
threads:
  t: [{atomic: [{atomic: ["x = 1"]}, "x = 2"]}]
  u: ["r = x"]
check:
  - always: x == 0 or x == 2
"""


def test_three_readers_oracle():
    o = run(THREE_READERS)
    assert o.violations == {("final", 8, 5)}
    assert o.executions == 420  # steps: t0 2, t1 4, t2 2; 8! / (2! 4! 2!) interleavings
    # only x = 1 conflicts with other threads: t1's two reads of x come before it, around it or
    # after it (3 ways), t2's read before or after it (2 ways)
    assert o.traces == 6


@pytest.mark.parametrize("strategy", ["dpor", "stateful-full"])
def test_three_readers_violation_is_found(strategy):
    x = search(THREE_READERS, strategy)
    assert x.found is not None and x.found.violation.kind == "final"


def test_three_readers_dpor_explores_one_execution_per_trace():
    x = search(THREE_READERS, "dpor", keep_going=True)
    assert x.violations == {("final", 8, 5)}
    assert x.stats.executions == run(THREE_READERS).traces


def test_nested_atomic_oracle():
    o = run(NESTED_ATOMIC)
    assert o.violations == set()
    assert o.finals == {("2",)}


@pytest.mark.parametrize("strategy", ["dpor", "stateful", "stateful-full"])
def test_nested_atomic_block_is_one_step(strategy):
    x = search(NESTED_ATOMIC, strategy, keep_going=True)
    agree(x, run(NESTED_ATOMIC), NESTED_ATOMIC)


ATOMIC_CELL = """\
model: atomic_cell
shared: {a: [0, 0]}
threads:
  t0: [{atomic: ["r = a[0]"]}]
  t1: ["a[1] = 1"]
"""


def test_atomic_block_on_another_cell_reaches_what_the_oracle_reaches():
    # one trace by the exact relation (the cells differ); the checker computes a block's
    # accesses without the locals' values, so it may split it in two (docs/soundness.md)
    o = run(ATOMIC_CELL)
    assert o.traces == 1 and o.finals == {("0", "1")}
    x = search(ATOMIC_CELL, "dpor", keep_going=True)
    agree(x, o, ATOMIC_CELL)
    assert x.stats.executions in (1, 2)


ASSUME_RACE = """\
model: assume_race
shared: {x: 0, y: 0, z: 0}
threads:
  t0: ["x = x"]
  t1: ["x = 2"]
  w0: ["r = x", "assume r == 2", "y = 1", "assume x == 0"]
  w1: ["r = x", "assume r == 2", "z = 1", "assume x == 0"]
check:
  - final: x != 0
"""


def test_assume_race_oracle():
    # t0 reads 0, t1 writes 2, both w read 2, t0 writes 0 back, both w see 0: one trace
    o = run(ASSUME_RACE)
    assert (o.traces, o.finals, o.violations) == (1, {("0", "1", "1")}, {("final", 9, 5)})


@pytest.mark.parametrize("strategy", ["dpor", "stateful", "stateful-full"])
def test_assume_race_final_state_is_reached(strategy):
    agree(search(ASSUME_RACE, strategy, keep_going=True), run(ASSUME_RACE), ASSUME_RACE)


ATOMIC_AFTER_VIOLATION = """\
model: atomic_after_violation
shared: {x: 0, y: 0}
threads:
  t0: ["assert y != 0"]
  t1: [{atomic: ["r = x", "y = r"]}]
  w0: ["x = 1"]
  w1: ["x = 2"]
"""


def test_atomic_block_after_a_violation_oracle():
    # t0 fails unless it reads y after t1's block; the block reads x after w0 or w1 or both
    o = run(ATOMIC_AFTER_VIOLATION)
    assert o.traces == 4
    assert o.finals == {("1", "1"), ("1", "2"), ("2", "1"), ("2", "2")}


@pytest.mark.parametrize("strategy", ["dpor", "stateful", "stateful-full"])
def test_atomic_block_after_a_violation_every_final_state(strategy):
    x = search(ATOMIC_AFTER_VIOLATION, strategy, keep_going=True)
    agree(x, run(ATOMIC_AFTER_VIOLATION), ATOMIC_AFTER_VIOLATION)


SHARED_PREFIX_RACE = """\
model: shared_prefix_race
shared: {x: 0, z: 0, f: 0, c: 0}
threads:
  t0: ["z = x"]
  t1: ["x = 1"]
  t2:
    - "v = c"
    - if: "v == 0"
      then: ["r = x"]
      else: ["f = 1"]
  t3: ["c = 1", "c = 0"]
check:
  - final: "not (z == 1 and f == 1)"
"""


def test_a_race_in_a_shared_prefix_is_reversed_again_at_the_end_of_every_execution():
    """Found by the oracle soak (seed 917730095, program 650): the race of t0's read of x with
    t1's write is in the prefix `0 0 1` of two executions. Reversed only when the first ended,
    its notdep lacked the second's `t3: c = 1; t2 reads 1, f = 1`, and z == 1 and f == 1 was
    never reached: a wrong HOLDS. Every execution now reverses every race among its events."""
    o = run(SHARED_PREFIX_RACE)
    assert o.violations == {("final", 13, 5)} and o.traces == 10
    x = search(SHARED_PREFIX_RACE, "dpor", keep_going=True)
    agree(x, o, SHARED_PREFIX_RACE)
    assert (x.stats.executions, x.stats.blocked) == (10, 0)


SPIN_FOREVER = """\
model: spin_forever
shared:
  go: 0
threads:
  waiter:
    - {while: "go == 0", do: []}
  setter:
    - skip
"""

SPIN_HANDOFF = """\
model: spin_handoff
shared: {go: 0, data: 0}
threads:
  waiter:
    - {while: "go == 0", do: []}
    - assert data == 42
  setter:
    - data = 42
    - go = 1
"""

SPIN_OUT_OF_RANGE = """\
model: spin_out_of_range
shared: {d: [0, 0]}
threads:
  waiter:
    - i = 2
    - {while: "d[i] == 0", do: [skip]}
  setter:
    - d[0] = 1
"""


def test_spin_forever_oracle():
    # nothing will change go: the waiter rests at its spin-wait, and the program hangs
    o = run(SPIN_FOREVER)
    assert o.violations == {("deadlock", 6, 7)}  # at the spin-wait
    assert o.deadlocks == {("0",)} and o.finals == set()
    assert o.spins and not o.count_safe


def test_spin_handoff_oracle():
    # the waiter can leave only after go = 1, so it reads data after data = 42: one execution
    o = run(SPIN_HANDOFF)
    assert o.violations == set() and o.deadlocks == set()
    assert o.finals == {("1", "42")}
    assert (o.traces, o.executions) == (1, 1)


def test_spin_out_of_range_oracle():
    # the bad index is a runtime violation of the test's step, as in any other condition
    o = run(SPIN_OUT_OF_RANGE)
    assert o.violations == {("runtime", 6, 7)}
    assert o.finals == set() and o.deadlocks == set()


@pytest.mark.parametrize("text", [SPIN_FOREVER, SPIN_HANDOFF, SPIN_OUT_OF_RANGE],
                         ids=["spin_forever", "spin_handoff", "spin_out_of_range"])
@pytest.mark.parametrize("strategy", ["dpor", "stateful", "stateful-full"])
def test_spin_waits_reach_what_the_oracle_reaches(strategy, text):
    agree(search(text, strategy, keep_going=True), run(text), text)


def test_oracle_which_loops_are_spin_waits():
    text = """\
model: spin_class
shared: {x: 0, ready: false, d: [0, 0]}
threads:
  t:
    - i = 1
    - {while: "x == 0", do: []}
    - {while: "not ready", do: [skip, skip]}
    - {while: "d[i] == 0", do: []}
    - {while: "x == 0 or x == 1", do: []}
    - {while: "d[x] == 0", do: []}
    - {while: "x == 5", do: ["i = 1"]}
    - {atomic: [{while: "x == 5", do: []}]}
    - {while: "i == 0", do: []}
"""
    m = resolve(text)
    spins = sorted(s.pos.line for th in m.threads for s in walk(th.body) if isinstance(s, S.While) and id(s) in m.spins)
    assert spins == [6, 7, 8]


def test_oracle_a_loop_with_two_reads_is_not_a_spin_wait():
    # `x == 0 or x == 1` stays an ordinary loop: it can test forever before the write
    two = model('  w: [{while: "x == 0 or x == 1", do: []}]\n  s: ["x = 2"]\n')
    with pytest.raises(TooBig):
        run(two)
    one = model('  w: [{while: "x != 2", do: []}]\n  s: ["x = 2"]\n')
    assert run(one).finals == {("2",)}


# ---- (d) the oracle on cases computed by hand ----------------------------------------------------

def model(threads: str, shared: str = "x: 0", checks: str = "") -> str:
    return f"model: hand\nshared: {{{shared}}}\nthreads:\n{threads}" + (f"check:\n{checks}" if checks else "")


def test_oracle_readers():
    # w: x = 1; r0..r2: v = x. Each read is ordered before or after the write: 2^3 traces.
    text = model("  w: [x = 1]\n  r0: [v = x]\n  r1: [v = x]\n  r2: [v = x]\n")
    o = run(text)
    assert (o.traces, o.executions) == (8, 24)
    assert o.finals == {("1",)}


def test_oracle_racy_increments():
    # two threads r = x; x = r + 1: 6 interleavings; the reads commute, so A1 B1 A2 B2 and
    # B1 A1 A2 B2 are one trace, and so are A1 B1 B2 A2 and B1 A1 B2 A2: 4 traces
    text = model("  a: [r = x, x = r + 1]\n  b: [r = x, x = r + 1]\n")
    o = run(text)
    assert (o.traces, o.executions) == (4, 6)
    assert o.finals == {("1",), ("2",)}


def test_oracle_locked_increments():
    body = '["lock m", "r = x", "x = r + 1", "unlock m"]'
    text = model(f"  a: {body}\n  b: {body}\n  c: {body}\n", "x: 0, m: mutex")
    o = run(text)
    assert (o.traces, o.executions) == (6, 6)
    assert o.finals == {("3",)}


def test_oracle_failed_cas_commute_and_successful_cas_do_not():
    failing = model('  a: ["ok = cas(x, 1, 2)"]\n  b: ["ok = cas(x, 1, 3)"]\n')
    assert (run(failing).traces, run(failing).executions) == (1, 2)
    racing = model('  a: ["ok = cas(x, 0, 1)"]\n  b: ["ok = cas(x, 0, 2)"]\n')
    o = run(racing)
    assert (o.traces, o.executions) == (2, 2)
    assert o.finals == {("1",), ("2",)}


def test_oracle_readers_of_an_rwlock_commute():
    body = '["read_lock rw", "r = x", "unlock rw"]'
    o = run(model(f"  a: {body}\n  b: {body}\n", "x: 0, rw: rwlock"))
    assert (o.traces, o.executions) == (1, 20)


def test_oracle_lost_wakeup():
    # S L W: the signal is lost, W sleeps forever; L S W: the same trace (S and W both write cv,
    # in the same order); L W S R U: woken, finishes
    text = model('  w: ["lock m", "wait cv m", "unlock m"]\n  s: ["signal cv"]\n', "m: mutex, cv: condition")
    o = run(text)
    assert (o.traces, o.executions) == (2, 3)
    assert o.violations == {("deadlock", 4, 18)}  # at the wait
    assert o.deadlocks == {()} and o.finals == {()}


def test_oracle_signal_wakes_any_one_waiter():
    waiter = '["lock m", "wait cv m", "unlock m"]'
    signaller = '["lock m", "signal cv", "unlock m"]'
    text = model(f"  a: {waiter}\n  b: {waiter}\n  s: {signaller}\n", "m: mutex, cv: condition")
    o = run(text)
    assert o.finals == set()  # one waiter is always left asleep
    assert o.deadlocks == {()}


def test_oracle_join_waits_for_the_end():
    text = model('  a: ["x = 1"]\n  b: ["join a", "r = x", "assert r == 1"]\n')
    o = run(text)
    assert (o.traces, o.executions) == (1, 1)
    assert o.violations == set()


def test_oracle_positions_of_violations():
    text = model('  a: ["lock m", "x = 1"]\n  b: ["unlock m"]\n  c: ["assert x == 0", "r = 6 // x"]\n  d: ["x = 2"]\n',
                 "x: 0, m: mutex")
    o = run(text)
    # a ends holding m (reported at its last statement: the step that writes x = 1 ends the
    # execution); b unlocks a mutex it does not hold; c's assertion fails after d wrote x; c
    # divides by zero (at the '//') when both its reads see 0
    assert o.violations == {("lock_misuse", 4, 18), ("lock_misuse", 5, 8), ("assert", 6, 8), ("runtime", 6, 31)}
    assert o.step_violation and o.finals == set()  # a and b never finish without a violation


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_oracle_meets_the_sample_models_expectations(path):
    """Every sample model the oracle can run within a small budget (no labels, no mutex
    arrays, small input ranges) reaches a violation of the expected kind, or none."""
    text = path.read_text()
    try:
        o = run(text, budget=8_000)
    except (TooBig, Unsupported) as e:
        pytest.skip(f"oracle: {e}")
    expect = parse_model(text, path.name).expect
    kinds = {kind for kind, _, _ in o.violations}
    # the oracle checks what an execution shows by itself, not races or leaks (which compare
    # executions): those kinds are judged by tests/test_races.py and tests/test_leaks.py
    wanted = set(expect.kinds) - {"race", "leak"}
    if expect.verdict == "holds" or (expect.kinds and not wanted):
        assert not kinds, kinds
    else:
        assert kinds and (not expect.kinds or wanted == kinds), kinds


# ---- (e) barriers and arrays of resources ----------------------------------------------------------
# Fixed samples (the same programs every run) from tests/oracle/gen.py's barrier family: 2-4
# threads around a barrier that may or may not fill, a barrier array, semaphore and condition
# arrays indexed by tid, constants, locals or a symbolic input. bench/oracle_soak.py-style soaks
# of the same family: `random_barrier_model` with other seeds.
BARRIER_SEED, BARRIER_PROGRAMS = 20_250_901, 40


def barrier_sample(cfg, seed: int, count: int) -> list:
    rng, out = random.Random(seed), []
    for _ in range(count):
        text = gen.random_barrier_model(rng, cfg)
        try:
            out.append((text, run(text, BUDGET)))
        except TooBig:
            pass
    return out


def test_barrier_programs_have_one_execution_per_trace():
    """Loop-free, no condition waits: DPOR's executions are the oracle's traces, including the
    executions that end with threads waiting at a barrier that cannot fill (deadlocks)."""
    sample = barrier_sample(gen.BARRIER_COUNTS, BARRIER_SEED, BARRIER_PROGRAMS)
    assert len(sample) >= 25
    assert any(("deadlock" in {k for k, _, _ in o.violations}) for _, o in sample)
    assert any(not o.violations for _, o in sample)
    for text, o in sample:
        assert o.count_safe, text
        x = search(text, "dpor", keep_going=True)
        agree(x, o, text)
        assert x.stats.executions == o.traces, f"{x.stats.executions} executions for {o.traces} traces\n{text}"
        assert x.stats.blocked == 0, text
        y = search(text, "stateful-full", keep_going=True)
        agree(y, o, text)
        assert y.stats.executions == o.executions, text
        agree(search(text, "stateful", keep_going=True), o, text)


@pytest.mark.parametrize("cfg", ["BARRIER_GENERAL", "BARRIER_SYMBOLIC"])
def test_barrier_programs_reach_what_the_oracle_reaches(cfg):
    """With condition arrays (lost wake-ups), and with an input indexing the arrays (out of
    range: a runtime violation) that the checker keeps symbolic."""
    sample = barrier_sample(getattr(gen, cfg), BARRIER_SEED + 1, 36)
    assert len(sample) >= 18
    for text, o in sample:
        for strategy in ("dpor", "stateful"):
            agree(search(text, strategy, keep_going=True), o, text)
