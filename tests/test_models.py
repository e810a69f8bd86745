"""Every sample model gets its `expect:` verdict, with and without reduction, and every
counterexample replays: its schedule and inputs, fed back, reach the same violation."""
from __future__ import annotations

import pytest

from checker.commands import run_replay, run_verify
from checker.result import Verdict
from checker.trace import replay
from checker.verify import Options, load, verify
from helpers import MODELS


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_expected_verdict_with_reduction(path):
    r = verify(load(str(path)))
    assert r.expect is not None, "every sample model states its expected verdict"
    assert r.expect_met, f"expected {r.expect}, got {r.verdict.value} {r.violation or r.reason}"
    assert not r.notes or not any(n.startswith("internal") for n in r.notes), r.notes


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_expected_verdict_without_reduction(path):
    r = verify(load(str(path)), Options(reduction=False))
    assert r.expect_met, f"expected {r.expect}, got {r.verdict.value} {r.violation or r.reason}"
    reduced = verify(load(str(path)))
    assert [(p.kind, p.line, p.verdict) for p in r.properties] == \
        [(p.kind, p.line, p.verdict) for p in reduced.properties], "the same verdict for every property"
    assert all(p.trace is not None and p.trace.violation.kind == p.kind for p in r.violated + reduced.violated)


VIOLATED = [m for m in MODELS if "violated" in m.read_text().split("expect:")[-1]]


@pytest.mark.parametrize("path", VIOLATED, ids=lambda p: p.stem)
@pytest.mark.parametrize("reduction", [True, False], ids=["reduced", "full"])
def test_counterexample_replays(path, reduction, tmp_path):
    program = load(str(path))
    r = verify(program, Options(reduction=reduction))
    assert r.verdict is Verdict.VIOLATED and r.trace is not None
    # the trace is concrete and was produced by replaying the schedule; replay it again
    again = replay(program, r.trace.schedule, r.trace.inputs, enumerate_any=program.has_loops,
                   expect_kind=r.violation.kind)
    assert again.violation.kind == r.violation.kind
    assert again.violation.line == r.violation.line
    assert [s.thread for s in again.steps] == [s.thread for s in r.trace.steps]
    # and through the CLI, from the JSON a user would save
    import io
    out, err = io.StringIO(), io.StringIO()
    assert run_verify([str(path)], Options(reduction=reduction), True, out, err) == 1
    saved = tmp_path / "result.json"
    saved.write_text(out.getvalue())
    out2 = io.StringIO()
    assert run_replay(str(path), str(saved), out2, err) == 1, err.getvalue()
    assert r.violation.kind in out2.getvalue()


def test_lost_update_counterexample_inputs_really_break_the_property():
    r = verify(load("models/lost_update_wide.yaml"))
    g1, g2 = r.trace.inputs["g1"], r.trace.inputs["g2"]
    assert -1_000_000 <= g1 <= 1_000_000 and -1_000_000 <= g2 <= 1_000_000
    final_w = r.trace.state["shared"]["w"]
    assert int(final_w) != g1 + g2
    # the trace shows both reads before both writes: the lost update
    kinds = [(s.thread, s.actions[0].text) for s in r.trace.steps]
    assert kinds[0][1] == "tmp = w" and kinds[1][1] == "tmp = w"


def test_deadlock_report_names_every_philosopher_and_fork():
    r = verify(load("models/philosophers5.yaml"))
    assert r.violation.kind == "deadlock"
    cycle = r.violation.detail["cycle"]
    assert {c["thread"] for c in cycle} == {f"phil[{i}]" for i in range(5)}
    assert {c["waits_for"] for c in cycle} == {f"forks[{i}]" for i in range(5)}
    assert {c["held_by"] for c in cycle} == {f"phil[{i}]" for i in range(5)}
    for i in range(5):
        assert f"forks[{i}]" in r.violation.message and f"phil[{i}]" in r.violation.message


def test_lost_wakeup_is_told_apart_from_a_lock_cycle():
    r = verify(load("models/lost_wakeup.yaml"))
    assert r.violation.kind == "deadlock"
    assert "lost wake-up" in r.violation.message
    assert r.violation.detail["cycle"] == []
    assert any(w["kind"] == "condition" for w in r.violation.detail["waits"])


@pytest.mark.parametrize("name", ["peterson", "queue_server_loop", "dekker", "bakery2"])
def test_looping_models_get_complete_proofs(name):
    r = verify(load(f"models/{name}.yaml"))
    assert r.verdict is Verdict.HOLDS and int(r.exit_code) == 0
    assert r.stats["states"] > 0 and r.stats["cuts"] == 0
