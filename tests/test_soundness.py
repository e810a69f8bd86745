"""The reductions against exhaustive search, on randomly generated small models.

For loop-free models: DPOR (source of every verdict with reduction) against plain stateless
enumeration of every interleaving and against the stateful search of every interleaving:
the same set of violations reached (kind, line, column), the same set of final shared states,
and the same number of interleavings where no execution is cut short. For looping models:
the stateful search with persistent sets against the one without: the same violations, final
states and deadlocked states, with no more states stored. Every primitive (and a map,
`c`) is in the generator; `keep_going` records every violation instead of stopping at the first.
"""
from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from helpers import search

HEADER = """model: random
shared:
  x: 0
  y: 0
  a: [0, 0]
  m: mutex
  n: mutex
  rw: rwlock
  s: semaphore 1
  cv: condition
  c: map
"""

SIMPLE = [
    "x = 1", "x = 2", "y = x", "r = x", "x = r + 1", "y = r", "a[r % 2] = 1", "r = a[x % 2]",
    "r = fetch_add(x, 1)", "ok = cas(x, 0, 5)", "r = swap(y, 3)", "assert x != 2", "assume y != 3",
    "lock m", "unlock m", "lock n", "unlock n", "ok = trylock m", "read_lock rw", "write_lock rw",
    "unlock rw", "acquire s", "release s", "signal cv", "broadcast cv", "wait cv m", "r = any 0..2",
    "x = any 1..3", "c[x] = r", "c[9] = 1", "r = c[1]", "del c[x]", "ok = r in c", "y = len(c)",
]
LOCKED = ["lock m", "r = x", "x = r + 1", "unlock m"]


def statement(depth: int = 0):
    simple = st.sampled_from(SIMPLE)
    if depth >= 1:
        return simple
    sub = st.lists(statement(depth + 1), min_size=1, max_size=2)
    return st.one_of(
        simple, simple, simple,
        st.builds(lambda t, e: {"if": "x == 1 or r == 2", "then": t, "else": e}, sub, sub),
        st.builds(lambda b: {"atomic": b}, st.lists(st.sampled_from(["r = x", "x = r + 2", "y = 1", "assert y != 2"]),
                                                    min_size=1, max_size=2)),
    )


def render(stmt, indent: str) -> str:
    if isinstance(stmt, str):
        return f"{indent}- {stmt}\n"
    key = next(iter(stmt))
    if key == "if":
        out = f"{indent}- if: {stmt['if']}\n{indent}  then:\n"
        out += "".join(render(s, indent + "    ") for s in stmt["then"])
        out += f"{indent}  else:\n" + "".join(render(s, indent + "    ") for s in stmt["else"])
        return out
    if key == "while":
        return f"{indent}- while: {stmt['while']}\n{indent}  do:\n" + "".join(render(s, indent + "    ") for s in stmt["do"])
    if key == "atomic":
        return f"{indent}- atomic:\n" + "".join(render(s, indent + "    ") for s in stmt["atomic"])
    return f"{indent}- {key}: {stmt[key]}\n"


def model(threads, checks, joins=False) -> str:
    text = HEADER + "threads:\n"
    for k, body in enumerate(threads):
        text += f"  t{k}:\n    locals: {{r: 0, ok: false}}\n    do:\n"
        if joins and k == len(threads) - 1:
            body = ["join t0"] + list(body)
        if k == 0:
            body = list(body) + [{"crit": "y = 5"}]
        text += "".join(render(s, "      ") for s in body)
    if checks:
        text += "check:\n" + "".join(f"  - {c}\n" for c in checks)
    return text


CHECKS = st.lists(st.sampled_from(["final: y != 3", "always: x != 4", "always: not at(t0, crit)",
                                   "final: x + y != 6", "always: a[0] + a[1] < 2"]), max_size=2, unique=True)
THREADS = st.lists(st.lists(statement(), min_size=1, max_size=3), min_size=2, max_size=3)
ENUMERATION_BUDGET = 20_000  # steps; larger models are skipped (plain enumeration is the oracle)


def comparable(x):
    return x.violations, x.finals


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(THREADS, CHECKS, st.booleans(), st.booleans())
def test_dpor_agrees_with_every_interleaving(threads, checks, joins, spurious):
    text = model(threads, checks, joins)
    plain = search(text, "enumerate", keep_going=True, spurious=spurious, max_steps=ENUMERATION_BUDGET)
    assume(plain.exhausted is None)
    reduced = search(text, "dpor", keep_going=True, spurious=spurious)
    full = search(text, "stateful-full", keep_going=True, spurious=spurious)
    assert reduced.exhausted is None and full.exhausted is None
    assert comparable(reduced) == comparable(plain), text
    assert comparable(full) == comparable(plain), text
    assert reduced.stats.executions <= plain.stats.executions
    if not plain.violations and not plain.stats.assumed:
        assert full.stats.executions == plain.stats.executions, text


LOOP_BODY = st.lists(st.sampled_from(["r = x", "x = (r + 1) % 3", "y = (y + 1) % 2", "lock m", "unlock m",
                                      "signal cv", "wait cv m", "acquire s", "release s", "ok = cas(y, 0, 1)",
                                      "read_lock rw", "unlock rw", "assert x != 2", "r = any 0..1",
                                      "c[x] = 1", "ok = 1 in c", "del c[r]"]), min_size=1, max_size=3)
LOOPING = st.lists(st.one_of(
    st.builds(lambda b: [{"while": "x < 2", "do": b}], LOOP_BODY),
    st.builds(lambda b: [{"while": "true", "do": b}], LOOP_BODY),
    st.builds(lambda b, c: [c, {"while": "y == 0", "do": b}], LOOP_BODY, st.sampled_from(SIMPLE)),
), min_size=2, max_size=3)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(LOOPING, CHECKS, st.booleans())
def test_persistent_sets_keep_every_verdict(threads, checks, spurious):
    text = model(threads, checks)
    reduced = search(text, "stateful", keep_going=True, spurious=spurious, max_states=4_000)
    full = search(text, "stateful-full", keep_going=True, spurious=spurious, max_states=4_000)
    assume(not reduced.exhausted and not full.exhausted)
    assert comparable(reduced) == comparable(full), text
    assert reduced.deadlock_keys == full.deadlock_keys, text
    assert set(reduced.visited) <= set(full.visited), text
    assert reduced.stats.states <= full.stats.states
    assert reduced.stats.steps <= full.stats.steps
