"""The stateful search with persistent sets against the stateful search of every interleaving.

On random looping models whose threads mix private resources (their own counter, mutex and
semaphore, where persistent sets apply) with shared ones (where they must not), the reduced
search must reach the same set of violations (kind, line, column), the same final states and
the same deadlocked states as the full search, and store no more states. With and without
spurious wake-ups, and in the loop-bounded fallback too. Then exact state counts on sample
models, counterexamples found under reduction that replay, and one small model per condition
of docs/soundness.md (C2, C3, no `assume`, clean outcomes, necessary enabling sets) that a
search without that condition gets wrong.
"""
from __future__ import annotations

import os

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from checker.explore.dependence import Dependence
from checker.explore.persistent import Persistent
from checker.verify import Options, engine_for, load_text, verify
from helpers import ROOT, search

CI = bool(os.environ.get("CI"))
EXAMPLES = settings(max_examples=120, deadline=None, derandomize=CI,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

THREADS = 3
HEADER = "model: random\nshared:\n  x: 0\n  y: 0\n  a: [0, 0]\n  m: mutex\n  rw: rwlock\n  s: semaphore 1\n  h: semaphore 0\n" \
    "  cv: condition\n" + \
    "".join(f"  p{k}: 0\n  z{k}: 0\n  l{k}: mutex\n  g{k}: semaphore 1\n  c{k}: condition\n" for k in range(THREADS))

# {k}: the thread's own index, {o}: the next thread's; p{k}, l{k}, g{k}, c{k} are t{k}'s own
UNITS = [
    ["p{k} = (p{k} + 1) % 3"], ["r = p{k}"], ["r = any 0..1"], ["assert p{k} != 2"], ["signal c{k}"],
    ["lock l{k}", "p{k} = (p{k} + 1) % 3", "unlock l{k}"], ["acquire g{k}", "r = p{k}", "release g{k}"],
    ["lock l{k}", "wait c{k} l{k}", "unlock l{k}"], ["ok = trylock l{k}"], ["ok = cas(p{k}, 0, 1)"],
    ["x = (x + 1) % 3"], ["r = x"], ["y = 1 - y"], ["assert x != 2"], ["assume y != 1"], ["ok = cas(y, 0, 1)"],
    ["a[r % 2] = 1"], ["r = a[p{k} % 2]"], ["p{o} = 0"], ["signal cv"], ["unlock m"],
    ["lock m", "x = (x + 1) % 3", "unlock m"], ["lock m", "wait cv m", "unlock m"],
    ["read_lock rw", "r = y", "unlock rw"], ["acquire s", "y = 1", "release s"],
    ["lock l{k}", "lock m", "unlock m", "unlock l{k}"], ["lock m", "lock l{k}", "unlock l{k}", "unlock m"],
    ["lock l{o}", "r = p{o}", "unlock l{o}"], ["lock l{k}", "lock l{o}", "unlock l{o}", "unlock l{k}"],
    ["lock m", "release h", "unlock m"], ["acquire h", "lock m", "x = 1", "unlock m"], ["release h"],
    ["y = x"],
]
UNIT = st.sampled_from(UNITS)
SIMPLE = st.sampled_from([s for u in UNITS for s in u])
BODY = st.lists(st.one_of(
    UNIT, UNIT, UNIT,
    st.builds(lambda b: [{"atomic": b}], st.lists(st.sampled_from(["r = p{k}", "p{k} = r + 1", "x = 0", "assert p{k} != 1"]),
                                                 min_size=1, max_size=2)),
    st.builds(lambda t, e: [{"if": "r == 1", "then": t, "else": e}], UNIT, st.one_of(st.just([]), UNIT)),
), min_size=1, max_size=3).map(lambda units: [s for u in units for s in u])
THREAD = st.one_of(
    st.builds(lambda b: [{"while": "p{k} < 2", "do": b + ["p{k} = p{k} + 1"]}], BODY),
    st.builds(lambda b: [{"while": "p{k} < 2", "do": b + ["p{k} = p{k} + 1"]}], BODY),
    st.builds(lambda c, b, d: c + [{"while": "r == 0", "do": b}] + d, UNIT, BODY, UNIT),
    st.builds(lambda b: [{"while": "true", "do": b}], BODY),
)
CHECKS = st.lists(st.sampled_from(["final: y != 1", "always: x != 2", "always: not at(t0, crit)",
                                   "final: p0 + p1 != 3", "always: p1 != 2", "final: x == 0"]),
                  max_size=2, unique=True)


def render(stmt, indent: str, k: int, o: int, count: bool = False) -> str:
    if isinstance(stmt, str):
        return f"{indent}- {stmt.format(k=k, o=o)}\n"
    key = next(iter(stmt))
    if key == "if":
        out = f"{indent}- if: {stmt['if']}\n{indent}  then:\n" + "".join(render(s, indent + "    ", k, o) for s in stmt["then"])
        if stmt["else"]:
            out += f"{indent}  else:\n" + "".join(render(s, indent + "    ", k, o) for s in stmt["else"])
        return out
    if key == "while":  # with count, every turn bumps the thread's own z: no state repeats
        body = stmt["do"] + (["z{k} = z{k} + 1"] if count else [])
        return f"{indent}- while: {stmt['while'].format(k=k)}\n{indent}  do:\n" + \
            "".join(render(s, indent + "    ", k, o) for s in body)
    if key == "atomic":
        return f"{indent}- atomic:\n" + "".join(render(s, indent + "    ", k, o) for s in stmt["atomic"])
    return f"{indent}- {key}: {stmt[key].format(k=k, o=o)}\n"


def model(threads, checks, join: bool = False, count: bool = False) -> str:
    text = HEADER + "threads:\n"
    for k, body in enumerate(threads):
        text += f"  t{k}:\n    locals: {{r: 0, ok: false}}\n    do:\n"
        body = list(body)
        if k == 0:
            body.append({"crit": "y = 0"})
        if join and k == len(threads) - 1:
            body.insert(0, "join t0")
        text += "".join(render(s, "      ", k, (k + 1) % len(threads), count) for s in body)
    if checks:
        text += "check:\n" + "".join(f"  - {c}\n" for c in checks)
    return text


def verdicts(x):
    return x.violations, x.finals, x.deadlocks, x.deadlock_keys


@EXAMPLES
@given(st.lists(THREAD, min_size=2, max_size=THREADS), CHECKS, st.booleans(), st.booleans())
def test_persistent_sets_agree_with_every_interleaving(threads, checks, spurious, join):
    text = model(threads, checks, join)
    full = search(text, "stateful-full", keep_going=True, spurious=spurious, max_states=3_000)
    assume(not full.exhausted)
    reduced = search(text, "stateful", keep_going=True, spurious=spurious, max_states=3_000)
    assert not reduced.exhausted, text
    assert verdicts(reduced) == verdicts(full), text
    assert set(reduced.visited) <= set(full.visited), text
    assert reduced.stats.states <= full.stats.states, text
    assert bool(reduced.cut) == bool(full.cut), text


@settings(EXAMPLES, max_examples=50)
@given(st.lists(THREAD, min_size=2, max_size=THREADS), CHECKS)
def test_persistent_sets_agree_within_a_loop_bound(threads, checks):
    """Loops that count without end: the state budget runs out, and the search starts again
    with loop counters in the key and every loop bounded at 2 turns."""
    text = model(threads, checks, count=True)
    full = search(text, "stateful-full", keep_going=True, max_states=1_000, loop_bound=2)
    assume(not full.exhausted)
    reduced = search(text, "stateful", keep_going=True, max_states=1_000, loop_bound=2)
    assert not reduced.exhausted, text
    assume(reduced.notes == full.notes)  # both searched within the bound (or neither had to)
    assert verdicts(reduced) == verdicts(full), text
    assert bool(reduced.cut) == bool(full.cut), text
    assert reduced.stats.states <= full.stats.states, text


# -- exact figures ------------------------------------------------------------------------------

def counts(path: str) -> tuple:
    """(states with persistent sets, states of the full search), both holding."""
    text = (ROOT / path).read_text()
    out = []
    for strategy in ("stateful", "stateful-full"):
        x = search(text, strategy)
        assert x.found is None and x.cut is None and x.exhausted is None
        out.append(x.stats.states)
    return tuple(out)


def test_peterson_counts():
    # every step of p0 and p1 moves a thread that `at()` reads: nothing is invisible
    assert counts("models/peterson.yaml") == (82, 82)


def test_dekker_counts():
    # its `while turn != 0` waits are spin-waits: a thread that tested rests (status SPIN) and
    # tests again only once `turn` lets it leave, so each wait adds a resting state
    assert counts("models/dekker.yaml") == (152, 152)


def test_queue_server_loop_counts():
    # every step touches m, count or a condition both threads use: no thread is independent
    assert counts("models/queue_server_loop.yaml") == (36, 36)


def server(n: int, check: str = "") -> str:
    text = "model: server\nshared:\n" + "".join(f"  m{i}: mutex\n  x{i}: 0\n" for i in range(n)) + "threads:\n"
    for i in range(n):
        text += f"  s{i}:\n    - while: true\n      do:\n        - lock m{i}\n        - x{i} = (x{i} + 1) % 3\n" \
                f"        - unlock m{i}\n"
    return text + check


def test_independent_servers_counts():
    figures = [tuple(search(server(n), s).stats.states for s in ("stateful", "stateful-full")) for n in (2, 3)]
    assert figures == [(66, 144), (276, 1728)]
    assert search(server(4), "stateful").stats.states == 1062  # the full search: 20,736


def test_a_violation_found_under_reduction_replays():
    # s0..s2 are independent servers; s3 reaches a failing assertion after two turns
    text = server(3) + "  s3:\n    - while: true\n      do:\n        - lock m0\n        - assert x0 != 2\n" \
                       "        - unlock m0\n"
    r = verify(load_text(text), Options())
    assert r.verdict.value == "violated" and r.violation.kind == "assert"
    assert r.trace is not None and not [n for n in r.notes if n.startswith("internal")]


def test_always_on_a_private_counter_is_checked_in_every_order():
    # x1 == 2 is reachable; the step writing x1 is visible, so it is never deferred away
    r = verify(load_text(server(3, "check:\n  - always: x1 != 2\n")), Options())
    assert r.verdict.value == "violated" and r.violation.kind == "always"
    assert not [n for n in r.notes if n.startswith("internal")]


def test_future_table_covers_loops_and_conditions():
    program = load_text(model([["lock l0", {"while": "true", "do": ["p{k} = 1", "wait c{k} m"]}],
                               [{"while": "true", "do": ["r = x"]}]], []))
    e = engine_for(program, Options())
    dep = Dependence(program, observe=False)
    ps = Persistent(e, dep)
    r0, w0 = ps.future(0, 0)
    slot = program.vars["p0"].base
    assert w0 >> slot & 1  # the write inside the loop, seen from before it
    r1, w1 = ps.future(1, 0)
    assert r1 >> program.vars["x"].base & 1 and not w1 & (1 << program.vars["x"].base)


# -- each condition matters: a search without it would miss these ------------------------------

def ignoring(extra: str) -> str:
    """t0 loops on its own counter forever; t1 fails an assertion after a few steps."""
    return ("model: ignoring\nshared:\n  p: 0\n  x: 0\nthreads:\n"
            "  t0:\n    - while: true\n      do:\n        - p = (p + 1) % 3\n"
            "  t1:\n    - x = 1\n    - x = 2\n" + extra)


def test_the_cycle_proviso_keeps_a_thread_from_being_ignored():
    # t0's steps are independent of t1's and invisible: without C3 the search could go round
    # t0's loop for ever and never run t1
    x = search(ignoring("    - assert x != 2\n"), "stateful", keep_going=True)
    assert x.violations == {("assert", 13, 7)}


def test_visibility_keeps_every_value_an_always_property_reads():
    # run one thread to its end before the other and x == y == 1 is never seen
    text = ("model: visible\nshared:\n  x: 0\n  y: 0\nthreads:\n  a: [x = 1, x = 0]\n  b: [y = 1, y = 0]\n"
            "check:\n  - always: not (x == 1 and y == 1)\n")
    assert search(text, "stateful", keep_going=True).violations == {("always", 9, 5)}


def test_a_step_that_may_be_discarded_is_not_deferred_to():
    # t0's step keeps only the inputs with g == 1; had it been expanded alone from the start,
    # the inputs with g == 0, where t1's assertion fails, would have no execution left
    text = ("model: discard\ninputs:\n  g: int in 0..1\nshared:\n  p: 0\n  q: 0\nthreads:\n"
            "  t0: [q = 1, assume g == 1]\n  t1: [p = 1, assert g == 1]\n")
    assert search(text, "stateful", keep_going=True).violations == {("assert", 9, 15)}


def test_a_step_that_may_fail_is_not_deferred_to():
    # t0's step forks on g: for g == 0 its assertion fails, for g == 1 it goes on; had t0 been
    # expanded alone, t1's assertion, which fails only for g == 0, would never be reached
    text = ("model: failing\ninputs:\n  g: int in 0..1\nshared:\n  p: 0\n  q: 0\nthreads:\n"
            "  t0: [q = 1, {if: g == 0, then: [assert g == 1]}]\n  t1: [p = 1, assert g == 1]\n")
    assert search(text, "stateful", keep_going=True).violations == {("assert", 8, 35), ("assert", 9, 15)}


def test_a_blocked_thread_brings_in_what_can_unblock_it():
    # at the state where h holds m and u waits for it, t0's read of x conflicts with u's
    # future; u is blocked, so h (the holder, its necessary enabling set) must be expanded
    # with t0, or u's x = 1 would never come before t0's read
    text = ("model: nes\nshared:\n  x: 0\n  y: 0\n  m: mutex\n  g: semaphore 0\nthreads:\n  t0: [y = x]\n"
            "  h: [lock m, release g, unlock m]\n  u: [acquire g, lock m, x = 1, unlock m]\n"
            "check:\n  - final: y == 0\n")
    x = search(text, "stateful", keep_going=True)
    assert x.violations == {("final", 12, 5)} and x.stats.states == 14
