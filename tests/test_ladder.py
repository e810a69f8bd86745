"""The field's DPOR benchmarks (bench/programs.py, each with its published number of
Mazurkiewicz traces): the small sizes explore exactly that many executions, none blocked by
sleep sets, and hold; dropping settled races and reusing what was computed for an equal
state (docs/soundness.md, "Settled races", "Known states") change no count. The larger sizes run in bench/ladder.py, outside the tests."""
from __future__ import annotations

import pytest

from bench import programs
from helpers import result, search

QUICK = [(name, text, expected) for name, _, text, expected, quick in programs.ladder() if quick]


@pytest.mark.parametrize("name,text,expected", QUICK, ids=[q[0] for q in QUICK])
def test_published_trace_count(name, text, expected):
    r = result(text)
    assert r.verdict.value == "holds", name
    assert r.strategy == "optimal dpor"
    assert (r.stats["executions"], r.stats["blocked"]) == (expected, 0)


@pytest.mark.parametrize("name,text,expected", QUICK, ids=[q[0] for q in QUICK])
def test_settled_races_and_known_states_change_no_count(name, text, expected):
    a, b = search(text, "dpor"), search(text, "dpor", settle=False, remember=False)
    assert (a.stats.executions, a.stats.blocked) == (expected, 0)
    assert (a.stats.executions, a.stats.steps) == (b.stats.executions, b.stats.steps)
