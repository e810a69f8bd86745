"""Shared helpers: run a search strategy directly on model text."""
from __future__ import annotations

import pathlib

from checker.explore.dpor import Dpor
from checker.explore.budget import Budget
from checker.explore.stateful import Stateful
from checker.verify import Options, engine_for, load_text

ROOT = pathlib.Path(__file__).resolve().parent.parent
MODELS = sorted((ROOT / "models").glob("*.yaml"))


def search(text: str, strategy: str, keep_going: bool = False, spurious: bool = False, loop_bound: int = 10,
           max_states: int | None = 200_000, max_executions: int | None = None, max_steps: int | None = None,
           settle: bool = True, remember: bool = True):
    """Run one strategy on a model: 'dpor', 'enumerate' (every interleaving, stateless),
    'stateful' (persistent sets), 'stateful-full' (every interleaving, stateful)."""
    program = load_text(text, "m.yaml")
    # `any` values are enumerated, so that final states are concrete and comparable
    e = engine_for(program, Options(spurious_wakeups=spurious), enumerate_any=True)
    budget = Budget(max_states=max_states, max_executions=max_executions, max_steps=max_steps)
    if strategy in ("dpor", "enumerate"):
        s = Dpor(e, budget, reduce=strategy == "dpor", keep_going=keep_going, settle=settle, remember=remember)
    else:
        s = Stateful(e, budget, loop_bound, reduce=strategy == "stateful", count_paths=not program.has_loops,
                     keep_going=keep_going)
    x = s.run()
    x.visited = getattr(s, "visited", None)
    x.deadlock_keys = getattr(s, "deadlock_keys", None)  # stateful: the deadlocked states' keys
    return x


def result(text: str, reduction: bool = True, **options):
    """`verify` of model text, with or without reduction."""
    from checker.verify import verify
    return verify(load_text(text, "m.yaml"), Options(reduction=reduction, **options))


def kinds(r) -> set:
    """The kinds of the properties a result violates."""
    return {p.kind for p in r.violated}


def oracle_sample(draw, cfg, seed: int, count: int, budget: int = 30_000) -> list:
    """(text, oracle result) for `count` programs drawn by `draw(rng, cfg)` from a fixed seed,
    leaving out those whose brute force passes `budget` steps."""
    import random
    from oracle.interp import TooBig, run
    rng, out = random.Random(seed), []
    for _ in range(count):
        text = draw(rng, cfg)
        try:
            out.append((text, run(text, budget)))
        except TooBig:
            pass
    return out


def dpor_pairs(text: str) -> tuple[set, object]:
    """Every racing pair DPOR's happens-before finds (`Monitor.pairs`), and the search's result."""
    program = load_text(text, "m.yaml")
    e = engine_for(program, Options(), enumerate_any=True)
    d = Dpor(e, Budget(max_steps=2_000_000), keep_going=True)
    x = d.run()
    return d.hb.pairs, x


def racing_pairs_agree(draw, cfg, seed: int, count: int) -> tuple[int, int]:
    """On `count` programs drawn by `draw(rng, cfg)` (with `no_race` added), DPOR's racing pairs
    are the race oracle's (tests/oracle/races.py); returns (programs checked, those with a race)."""
    import random
    from oracle.interp import TooBig
    from oracle.races import racing_pairs
    rng, checked, with_races = random.Random(seed), 0, 0
    for _ in range(count):
        text = draw(rng, cfg) + "check:\n  - no_race\n"
        try:
            expected = racing_pairs(text, budget=30_000)
        except TooBig:
            continue
        found, _ = dpor_pairs(text)
        assert found == expected, f"DPOR only {found - expected}\noracle only {expected - found}\n{text}"
        checked += 1
        with_races += bool(expected)
    return checked, with_races
