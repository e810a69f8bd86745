"""What the stateless search keeps per state value (checker/explore/known.py; docs/soundness.md,
"Known states"): only for concrete programs, one Info per equal state, links dropped with the
table, and the table turned off when states do not repeat."""
from __future__ import annotations

from checker.explore import known
from checker.explore.known import Known, capacity, concrete
from checker.explore.state import State, Thread
from checker.verify import load_text

PLAIN = """
model: plain
shared: {x: 0}
threads: {a: [x = 1], b: [r = x]}
"""


def state(x: int, pc: int = 0) -> State:
    return State((x,), (), (Thread(pc, 0, (None,), 0, 0),), ())


def test_only_programs_without_inputs_or_any_are_concrete():
    assert concrete(load_text(PLAIN, "p.yaml"))
    with_input = PLAIN.replace("shared:", "inputs: {n: int in 0..3}\nshared:").replace("x = 1", "x = n")
    assert not concrete(load_text(with_input, "i.yaml"))
    assert not concrete(load_text(PLAIN.replace("x = 1", "x = any 0..2"), "a.yaml"))


def test_equal_states_share_their_info_and_unequal_ones_do_not():
    k = Known(True)
    a = k.info(state(1))
    assert k.info(state(1)) is a  # an equal state built apart: the same answers
    assert k.info(state(2)) is not a and k.info(state(1, pc=1)) is not a
    off = Known(False)
    assert off.info(state(1)) is not off.info(state(1))  # not concrete: every node its own


def test_links_are_dropped_with_the_table(monkeypatch):
    monkeypatch.setattr(known, "FEWEST", 1)
    k = Known(True, limit=3)
    parent = k.info(state(0))
    out = ["key", type("Outcome", (), {"state": state(1)})(), None]  # an entry of Dpor.outcomes
    child = k.child(out)
    assert out[2] is child and k.child(out) is child  # taken again: no lookup
    k.info(state(2))
    k.info(state(3))  # the table is full (3 states): emptied, and the link with it
    assert out[2] is None and len(k.table) == 1
    assert k.info(state(0)) is not parent


def test_the_table_stops_when_states_do_not_repeat(monkeypatch):
    monkeypatch.setattr(known, "LOOKUPS", 20)
    k = Known(True)
    for x in range(19):
        k.info(state(x))
    assert k.on and len(k.table) == 19
    k.info(state(19))  # 20 lookups, none found known
    assert not k.on and k.table == {}
    assert k.info(state(0)) is not k.info(state(0))
    busy = Known(True)
    for x in range(40):
        busy.info(state(x % 4))  # 36 of 40 found known
    assert busy.on and len(busy.table) == 4


def test_the_table_keeps_fewer_states_the_larger_a_state_is():
    small = load_text(PLAIN, "p.yaml")
    assert capacity(small) == known.LIMIT  # 2 threads, a few values: the cap
    wide = PLAIN.replace("shared: {x: 0}", "shared: {x: 0, pad: 'int[4096]'}")
    big = load_text(wide, "w.yaml")
    values = len(big.slots) + len(big.syncs) + sum(len(th.local_names) + 1 for th in big.threads)
    assert values > 4096 and capacity(big) == known.CELLS // (values * 3) < known.FEWEST
    assert not Known(True, capacity(big)).on  # states that large: no table at all


SAME_END = """
model: same_end
shared: {x: 0, m: mutex}
threads:
  a: [lock m, x = x + 1, unlock m]
  b: [lock m, x = x + 1, unlock m]
  c: [lock m, x = x + 1, unlock m]
check:
  - final: x == 3
  - final: x == 2
"""


def test_a_final_state_met_again_is_not_checked_again(monkeypatch):
    from checker.explore import dpor
    from checker.verify import Options, verify
    calls = []
    real = dpor.on_final
    monkeypatch.setattr(dpor, "on_final", lambda e, s, decided=None: calls.append(s) or real(e, s, decided))
    r = verify(load_text(SAME_END, "s.yaml"), Options())
    assert r.stats["executions"] == 6  # the three critical sections in every order ...
    assert len(calls) == 1 and len(set(calls)) == 1  # ... end in one state, checked once
    assert [p.verdict.value for p in r.properties if p.kind == "final"] == ["holds", "violated"]
