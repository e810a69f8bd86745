"""Happens-before is exactly the language's list of edges (a review found three more), a race is
seen in a step that fails, a violation that ends executions leaves the other properties
undecided, and approximated edges make `no_race` unknown only when they decide an order.

Each model forces an order through a plain flag nobody watches (a spin-wait), so that only the
happens-before edges decide whether the two accesses of x are ordered."""
from __future__ import annotations

import pytest

from checker.result import Verdict
from checker.verify import Options, load_text, verify

MODES = [Options(), Options(reduction=False)]


def row(text: str, kind: str, options: Options):
    r = verify(load_text(text, "m.yaml"), options)
    return next(p for p in r.properties if p.kind == kind), r


NO_EDGE = {
    # a semaphore acquire does not order a later release
    "acquire_then_release": """model: m
shared: {x: 0, f: 0, s: semaphore 1}
threads:
  A: [x = 1, acquire s, f = 1]
  B: [{while: "f == 0", do: []}, release s, r = x]
check: [{no_race: [x]}]
""",
    # a failed trylock learns that the lock is taken, and makes no edge
    "failed_trylock": """model: m
shared: {x: 0, m: mutex}
threads:
  A: [x = 1, lock m, unlock m]
  B: [ok = trylock m, {if: "not ok", then: [r = x], else: [unlock m]}]
check: [{no_race: [x]}]
""",
    # a signal nobody waits for does not order a later wait
    "lost_signal": """model: m
shared: {x: 0, f: 0, m: mutex, cv: condition}
threads:
  B: [x = 1, signal cv, f = 1]
  A: [lock m, wait cv m, unlock m, r = x]
  C: [{while: "f == 0", do: []}, signal cv]
check: [{no_race: [x]}]
""",
    # a read unlock does not order a later read lock
    "read_unlock_then_read_lock": """model: m
shared: {x: 0, f: 0, rw: rwlock}
threads:
  A: [read_lock rw, x = 1, unlock rw, f = 1]
  B: [{while: "f == 0", do: []}, read_lock rw, r = x, unlock rw]
check: [{no_race: [x]}]
""",
}

EDGE = {
    "release_then_acquire": """model: m
shared: {x: 0, s: semaphore 0}
threads:
  A: [x = 1, release s]
  B: [acquire s, r = x]
check: [{no_race: [x]}]
""",
    "read_unlock_then_write_lock": """model: m
shared: {x: 0, f: 0, rw: rwlock}
threads:
  A: [read_lock rw, r = x, unlock rw, f = 1]
  B: [{while: "f == 0", do: []}, write_lock rw, x = 1, unlock rw]
check: [{no_race: [x]}]
""",
    "signal_to_the_woken": """model: m
shared: {x: 0, ready: false, m: mutex, cv: condition}
threads:
  A: [lock m, {while: "not ready", do: [wait cv m]}, unlock m, r = x]
  B: [x = 1, lock m, ready = true, signal cv, unlock m]
check: [{no_race: [x]}]
""",
}


@pytest.mark.parametrize("options", MODES, ids=["dpor", "no-reduction"])
@pytest.mark.parametrize("name", sorted(NO_EDGE))
def test_no_edge_the_language_does_not_list(name, options):
    p, _ = row(NO_EDGE[name], "race", options)
    assert p.verdict is Verdict.VIOLATED, p.reason
    assert p.violation.detail["location"] == "x"


@pytest.mark.parametrize("options", MODES, ids=["dpor", "no-reduction"])
@pytest.mark.parametrize("name", sorted(EDGE))
def test_the_edges_the_language_lists_order(name, options):
    p, _ = row(EDGE[name], "race", options)
    assert p.verdict is Verdict.HOLDS, p.reason


SAME_INDEX = """model: m
inputs: {i: int in 0..1}
shared: {d: "int[2]"}
threads:
  A: ["d[i] = 1"]
  B: ["d[i] = 2"]
check: [no_race]
"""


@pytest.mark.parametrize("options", MODES, ids=["dpor", "no-reduction"])
def test_one_symbolic_index_on_both_sides_is_one_cell(options):
    p, r = row(SAME_INDEX, "race", options)
    assert p.verdict is Verdict.VIOLATED and p.violation.detail["location"] == f"d[{r.properties[0].violation.values['i']}]"


FAILING_STEP = """model: m
shared: {x: 0, f: 0}
threads:
  A: [x = 1, f = 1]
  B: [{while: "f == 0", do: []}, r = x, d = 10 // (r - 1)]
check: [{no_race: [x]}]
"""


@pytest.mark.parametrize("options", MODES, ids=["dpor", "no-reduction"])
def test_a_step_that_fails_made_its_accesses(options):
    p, r = row(FAILING_STEP, "race", options)
    assert p.verdict is Verdict.VIOLATED
    assert sorted(q.kind for q in r.violated) == ["race", "runtime"]


MASKED = """model: m
shared: {x: 0}
threads:
  A: [x = 1]
  B: [assert x == 5, x = 2]
check:
  - final: x == 7
  - always: x != 2
"""


@pytest.mark.parametrize("options", MODES, ids=["dpor", "no-reduction"])
def test_a_violation_that_ends_every_execution_leaves_the_rest_undecided(options):
    r = verify(load_text(MASKED, "m.yaml"), options)
    verdicts = {p.kind: p.verdict for p in r.properties}
    assert verdicts == {"final": Verdict.UNKNOWN, "always": Verdict.UNKNOWN, "assert": Verdict.VIOLATED,
                        "deadlock": Verdict.UNKNOWN, "runtime": Verdict.UNKNOWN}
    assert all(p.reason == "not decided past the assertion violation at line 5, which ended 2 executions"
               for p in r.properties if p.verdict is Verdict.UNKNOWN)


APPROXIMATE = {
    # an atomic write at a symbolic index publishes to every cell: whether it orders x is unknown
    "symbolic_atomic_orders_plain": ("""model: m
inputs: {i: int in 0..1}
shared: {data: 0, f: 0, a: "atomic int[2]"}
threads:
  A: [data = 1, "a[i] = 1", f = 1]
  B: [{while: "f == 0", do: []}, "x = a[0]", r = data]
check: [{no_race: [data]}]
""", Verdict.UNKNOWN),
    # the same approximation, but no two plain accesses at all: nothing it could hide
    "symbolic_atomic_alone": ("""model: m
inputs: {i: int in 0..1}
shared: {d: "int[2]"}
threads:
  A: ["o = fetch_add(d[i], 1)"]
  B: ["o = fetch_add(d[i], 1)"]
check: [no_race]
""", Verdict.HOLDS),
    "branching_atomic_blocks_only": ("""model: m
shared: {g: 0, cnt: 0}
threads:
  A: [{atomic: [{if: "g == 0", then: ["g = 1", "cnt = cnt + 1"]}]}]
  B: [{atomic: [{if: "g == 0", then: ["g = 1", "cnt = cnt + 1"]}]}]
check: [no_race, {final: "cnt == 1"}]
""", Verdict.HOLDS),
}


@pytest.mark.parametrize("options", MODES, ids=["dpor", "no-reduction"])
@pytest.mark.parametrize("name", sorted(APPROXIMATE))
def test_approximated_edges_make_no_race_unknown_only_where_they_order_a_pair(name, options):
    text, verdict = APPROXIMATE[name]
    p, _ = row(text, "race", options)
    assert p.verdict is verdict, p.reason
    if verdict is Verdict.UNKNOWN:
        assert "symbolic index" in p.reason
