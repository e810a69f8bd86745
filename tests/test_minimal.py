"""The simplest counterexample (docs/semantics.md, "Counterexamples: the simplest first"): for
every violated loop-free sample model, each property's trace has the fewest preemptions, then
the fewest steps (a race's: among those ending with the two racing steps adjacent), compared
with a brute force over every schedule; and it replays."""
from __future__ import annotations

import pytest

from checker.explore.search import property_of
from checker.explore.semantics import enabled
from checker.explore.start import initial
from checker.explore.state import DONE
from checker.result import Verdict
from checker.verify import Options, engine_for, load, load_text, verify
from helpers import MODELS

BRUTE_LIMIT = 200_000  # schedules; larger models are skipped


def brute(program, target: tuple):
    """(preemptions, steps) of the simplest schedule that breaks `target`, by enumerating every
    schedule (depth first, no state merging), or None if there are too many."""
    e = engine_for(program, Options())
    best = [None]
    count = [0]

    def check(s):
        from checker.explore.monitors import holds
        from checker.explore.semantics import stuck
        live = [t for t in range(len(s.T)) if s.T[t].status != DONE]
        if target[0] in ("always", "final") and (target[0] == "always" or not live):
            prop = next(p for p in program.properties if (p.kind, p.pos.line, p.pos.col) == target)
            return holds(e, s, prop) is not None
        return target[0] == "deadlock" and bool(live) and stuck(e, s, [t for t in live if enabled(e, s, t)])

    races = None
    if target[0] == "race":  # the two racing steps pending, run last and adjacent, in either order
        from checker.explore.dependence import Dependence
        from checker.explore.race_states import pending_races
        from checker.explore.races import Watch
        dep = Dependence(program)
        watch = Watch(program, dep)
        races = lambda s, en: pending_races(e, dep, watch, s, en,  # noqa: E731
                                            lambda p: (p.kind, p.pos.line, p.pos.col) == target)

    def go(s, last, pre, steps):
        count[0] += 1
        if count[0] > BRUTE_LIMIT:
            raise OverflowError
        if best[0] is not None and (pre, steps) >= best[0]:
            return
        if check(s):
            best[0] = (pre, steps)
            return
        en = [t for t in range(len(s.T)) if s.T[t].status != DONE and enabled(e, s, t)]
        for _, ((t, _), _), mid in races(s, en) if races else ():
            cost = (pre + (1 if last in en and t != last else 0) + (1 if enabled(e, mid, t) else 0), steps + 2)
            if best[0] is None or cost < best[0]:
                best[0] = cost
        for t in en:
            cost = pre + (1 if last in en and t != last else 0)
            for o in e.step(s, t):
                if o.violation is not None:
                    if property_of(o.violation) == target and (best[0] is None or (cost, steps + 1) < best[0]):
                        best[0] = (cost, steps + 1)
                elif o.cut is None:
                    go(o.state, t, cost, steps + 1)

    for state, _, bad in initial(e):
        if bad is None:
            go(state, None, 0, 0)
    return best[0]


LOOP_FREE_VIOLATED = [m for m in MODELS if "violated" in m.read_text().split("expect:")[-1]
                      and "while" not in m.read_text()]


@pytest.mark.parametrize("path", LOOP_FREE_VIOLATED, ids=lambda p: p.stem)
def test_each_counterexample_is_the_simplest(path):
    program = load(str(path))
    r = verify(program)
    checked = 0
    for p in r.violated:
        if p.kind == "leak" or p.trace.minimal is not True:
            continue  # a leak keeps the search's execution; so does a race the pending test cannot decide
        target = (p.kind, p.line, p.col) if p.line is not None else (p.kind,)
        try:
            want = brute(program, target)
        except OverflowError:
            continue
        steps = len([s for s in p.trace.steps if s.number])
        assert (p.trace.preemptions, steps) == want, p.kind
        checked += 1
    if not checked:
        pytest.skip("no property small enough for the brute force")


def test_peterson_broken_needs_two_preemptions_and_eight_steps():
    r = verify(load("models/peterson_broken.yaml"))
    (p,) = r.violated
    assert (p.trace.preemptions, len(p.trace.steps)) == (2, 8)


def test_the_lost_update_needs_one_preemption():
    r = verify(load("models/lost_update.yaml"))
    t = r.violated[0].trace
    assert t.preemptions == 1 and [s.thread for s in t.steps] == ["worker_a", "worker_b", "worker_b", "worker_a"]


def test_without_reduction_the_same_simplest_counterexample():
    text = (("model: m\nshared: {x: 0, y: 0}\nthreads:\n  a: [x = 1, y = 1, x = 2]\n"
             "  b: [r = x, s = y, assert not (r == 1 and s == 1)]\n"))
    reduced, full = verify(load_text(text, "m.yaml")), verify(load_text(text, "m.yaml"), Options(reduction=False))
    assert reduced.verdict is full.verdict is Verdict.VIOLATED
    assert reduced.trace.schedule == full.trace.schedule
    assert reduced.trace.preemptions == 1


def test_a_race_trace_is_the_simplest_with_the_racing_steps_adjacent():
    r = verify(load("models/kv_block_reuse.yaml"))
    p = next(q for q in r.violated if q.kind == "race")
    assert p.trace.minimal is True and (p.trace.preemptions, len(p.trace.steps)) == (0, 5)
    last_two = [(s.thread, s.actions[0].text) for s in p.trace.steps[-2:]]
    accesses = [(a["thread"], a["statement"]) for a in p.violation.detail["accesses"]]
    assert sorted(last_two) == sorted(accesses)
