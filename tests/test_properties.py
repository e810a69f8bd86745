"""A verdict for every property: each `check:` entry and each always-on check gets its own
verdict and, when violated, its own counterexample; the model's verdict follows from them."""
from __future__ import annotations

import pathlib

import pytest

from checker.errors import ModelError
from checker.result import Verdict
from checker.verify import Options, load_text, verify

TWO_FAULTS = """\
model: two_faults
shared: {x: 0, y: 0}
threads:
  a:
    - t = x
    - x = t + 1
  b:
    - t = x
    - x = t + 1
    - assert y == 0
  c:
    - y = 1
check:
  - final: x == 2
  - always: y <= 1
"""


def table(r):
    return [(p.kind, p.text, p.line, p.verdict.value) for p in r.properties]


@pytest.mark.parametrize("reduction", [True, False])
def test_each_property_gets_its_own_verdict_and_counterexample(reduction):
    r = verify(load_text(TWO_FAULTS, "t.yaml"), Options(reduction=reduction))
    assert r.verdict is Verdict.VIOLATED
    # the failing assertion ends the executions it fails in: what would have followed is not
    # explored, so the properties without a counterexample are undecided, never "holds"
    assert table(r) == [("final", "x == 2", 14, "violated"), ("always", "y <= 1", 15, "unknown"),
                        ("assert", "assertions", None, "violated"), ("deadlock", "no deadlock", None, "unknown"),
                        ("runtime", "no runtime error", None, "unknown")]
    assert all(p.reason.startswith("not decided past the assertion violation at line 10, which ended ")
               for p in r.properties if p.verdict is Verdict.UNKNOWN)
    final, _, assertion = r.properties[:3]
    # each counterexample replays to its own property
    assert final.trace.violation.kind == "final" and assertion.trace.violation.kind == "assert"
    assert final.trace.state["shared"]["x"] == "1"
    assert assertion.trace.state["shared"]["y"] == "1"
    assert (r.violation, r.trace) == (final.violation, final.trace)  # the first in table order


def test_the_headline_and_the_table_name_every_violated_kind():
    from checker.render.text import render
    text = render(verify(load_text(TWO_FAULTS, "t.yaml")))
    lines = text.splitlines()
    assert lines[0] == "t.yaml: two_faults: VIOLATED (final, assert)"
    assert lines[1:7] == ["  5 properties:", "    violated final: x == 2  (line 14)",
                          "    unknown  always: y <= 1  (line 15)", "    violated assertions",
                          "    unknown  no deadlock", "    unknown  no runtime error"]
    assert lines[7].startswith("    why: not decided past the assertion violation at line 10, which ended ")
    assert "  counterexample 1 of 2:" in lines and "  counterexample 2 of 2:" in lines


@pytest.mark.parametrize("expect, met", [("{violated: [final, assert]}", True), ("{violated: [assert, final]}", True),
                                         ("{violated: final}", False), ("violated", True), ("holds", False),
                                         ("{violated: [final, assert, deadlock]}", False)])
def test_expect_names_exactly_the_violated_kinds(expect, met):
    r = verify(load_text(TWO_FAULTS + f"expect: {expect}\n", "t.yaml"))
    assert r.expect_met is met


def test_the_search_goes_on_until_every_property_is_decided():
    # the assertion fails in some executions; the final property is checked in all the others
    r = verify(load_text(TWO_FAULTS, "t.yaml"))
    alone = verify(load_text(TWO_FAULTS.replace("    - assert y == 0\n", ""), "t.yaml"))
    assert r.stats["executions"] >= alone.stats["executions"] - 1 > 1


def test_a_budget_leaves_the_undecided_properties_unknown_and_keeps_what_was_found():
    text = TWO_FAULTS.replace("  c:\n    - y = 1\n", "  c:\n    - y = 1\n  d: [z = 1, z = 2, z = 3]\n").replace(
        "shared: {x: 0, y: 0}", "shared: {x: 0, y: 0, z: 0}")
    r = verify(load_text(text, "t.yaml"), Options(max_executions=3))
    verdicts = {p.kind: p.verdict for p in r.properties}
    assert Verdict.UNKNOWN in verdicts.values()
    assert all(p.reason and "--max-executions" in p.reason for p in r.properties if p.verdict is Verdict.UNKNOWN)
    assert all(p.trace is not None for p in r.properties if p.verdict is Verdict.VIOLATED)
    assert r.verdict is (Verdict.VIOLATED if Verdict.VIOLATED in verdicts.values() else Verdict.UNKNOWN)


def test_always_on_checks_without_anything_to_check_are_not_listed():
    r = verify(load_text("model: m\nshared: {x: 0}\nthreads:\n  a: [x = 1]\n", "m.yaml"))
    assert table(r) == [("deadlock", "no deadlock", None, "holds"), ("runtime", "no runtime error", None, "holds")]
    assert r.verdict is Verdict.HOLDS


@pytest.mark.parametrize("expect, message", [
    ("{violated: []}", "'expect: {violated: [...]}' needs at least one kind"),
    ("{violated: [final, final]}", "violation kind 'final' is listed twice"),
    ("{violated: [final, dedlock]}", "unknown violation kind 'dedlock'"),
])
def test_a_bad_list_of_expected_kinds_is_refused(expect, message):
    with pytest.raises(ModelError) as e:
        load_text(TWO_FAULTS + f"expect: {expect}\n", "t.yaml")
    assert e.value.message == message and e.value.pos.line == 16


def test_a_failure_in_start_up_work_replays_with_other_threads_present():
    # found when the docs were regenerated: the schedule held start-up choices for the failing
    # thread only, and the replay refused it ("start-up choices for 1 threads; the model has 2")
    text = "model: st\nshared: {x: 0}\nthreads:\n  a: [k = 2, assert k == 3, x = 1]\n  b: [x = 2]\n"
    for reduction in (True, False):
        r = verify(load_text(text, "st.yaml"), Options(reduction=reduction))
        (p,) = r.violated
        assert p.kind == "assert" and p.trace is not None and not r.notes
        assert p.trace.schedule.start == ((), ()) and p.trace.schedule.steps == ()


SEED_UNLOCKED = (pathlib.Path(__file__).resolve().parent.parent / "models" / "seed_sum_unlocked.yaml").read_text()

BOTH = """
model: both
shared: {a: 'int[2]', k: 0}
threads:
  t1: [k = 5]
  t2: [k = 1]
check:
  - final: a[k] == 1
"""


def test_a_property_with_a_counterexample_is_not_checked_again():
    # the final property is false from the first execution on; the search goes on for the
    # others (576 executions) without asking the solver about it again (808 calls before)
    r = verify(load_text(SEED_UNLOCKED, "s.yaml"), Options())
    assert [p.verdict for p in r.properties] == [Verdict.VIOLATED, Verdict.HOLDS, Verdict.HOLDS]
    assert r.stats["executions"] == 576 and r.stats["solver_calls"] < 20


@pytest.mark.parametrize("reduction", [True, False])
def test_a_runtime_error_in_a_property_is_still_found_after_the_property_fails(reduction):
    # the first execution ends with k = 1: a[1] == 1 is false; a later one ends with k = 5:
    # a[5] is out of range in the property, a runtime error, found although 'final' has failed
    r = verify(load_text(BOTH, "b.yaml"), Options(reduction=reduction))
    got = {p.kind: p.verdict for p in r.properties}
    assert got["final"] is Verdict.VIOLATED and got["runtime"] is Verdict.VIOLATED


SAFE = """
model: safe
inputs: {n: int in 0..3}
shared: {a: 'int[2]', x: 0, cache: map, q: queue 2}
threads:
  t1:
    do:
      - here: x = 1
check:
  - final: sum(a) == 0 and len(a) == 2 and x * 2 - n >= -3
  - final: a[1] == 0 or not at(t1, here)
  - final: len(q) == 0
  - final: x // 2 == 0
  - final: x % (n + 1) == 0
  - final: a[n] == 0
  - final: a[x] == 0
  - final: 7 in cache
  - final: cache[7] == 1
"""


def test_only_properties_that_cannot_fault_are_safe_to_skip():
    # a property with its counterexample is skipped entirely only when evaluating it cannot
    # fault (monitors.holds): no division, no computed index, no map read
    program = load_text(SAFE, "safe.yaml")
    assert [p.safe for p in program.properties if p.kind == "final"] == [
        True, True, True, False, False, False, False, False, False]


FAULTING = """
model: f3
shared: {y: 0, a: [1, 2]}
threads:
  t: [y = 5]
check:
  - final: 10 // (y - 5) == 2
  - final: a[y] == 7
  - final: y == 5
"""


@pytest.mark.parametrize("reduction", [True, False])
def test_a_property_whose_evaluation_faults_is_not_proved(reduction):
    # in the one final state both faulting properties have no value (division by zero, index 5
    # out of range): neither is false, and neither is proved; the safe one holds
    r = verify(load_text(FAULTING, "f.yaml"), Options(reduction=reduction))
    got = [(p.kind, p.verdict) for p in r.properties]
    assert got == [("final", Verdict.UNKNOWN), ("final", Verdict.UNKNOWN), ("final", Verdict.HOLDS),
                   ("deadlock", Verdict.HOLDS), ("runtime", Verdict.VIOLATED)]
    assert r.properties[0].reason in ("not decided: evaluating it can raise a runtime error, and one was found (line 6)",
                                      "not decided: evaluating it can raise a runtime error, and one was found (line 7)")
