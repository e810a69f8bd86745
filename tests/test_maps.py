"""Shared maps (`cache: map`): verdicts, execution counts, races, traces and replay, errors, and
the map family of the random programs against the oracle (tests/oracle: its own interpreter of
maps, concrete keys, per-bucket dependence).

The spec (model-language.md, "Modelling real systems"): a map from ints to ints, empty at the
start; `cache[k] = v`, `v = cache[k]` (a missing key is a runtime violation), `del cache[k]`
(likewise), `k in cache`, `len(cache)`; `k` may be symbolic; entries are separate locations for
the reduction and for races.
"""
from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from checker.result import Verdict
from checker.verify import Options, load_text, verify
from helpers import search
from oracle import gen
from oracle.interp import TooBig, differences, run
from oracle.races import racing_pairs
from test_errors import expect_error, model_file
from test_races import dpor_pairs

ROOT = Path(__file__).resolve().parent.parent


def result(text: str, reduction: bool = True):
    return verify(load_text(text, "m.yaml"), Options(reduction=reduction))


def prop(r, kind: str):
    return next(p for p in r.properties if p.kind == kind)


BOTH = pytest.mark.parametrize("reduction", [True, False], ids=["dpor", "no-reduction"])

# ---- verdicts --------------------------------------------------------------------------------

READ_THROUGH = """\
model: read_through
shared:
  cache: map
  db: 1
threads:
  a:
    - k = 7
    - if: "not (k in cache)"
      then:
        - v = db
        - cache[k] = v
    - got = cache[k]
    - assert got == 1
  b:
    - db = 2
    - if: "7 in cache"
      then:
        - del cache[7]
"""


@BOTH
def test_read_through_fill_races_the_invalidation(reduction):
    r = result(READ_THROUGH, reduction)
    assert r.verdict is Verdict.VIOLATED
    runtime = prop(r, "runtime")
    assert runtime.verdict is Verdict.VIOLATED
    assert runtime.violation.message == "key 7 is not in map 'cache'"
    steps = [e for s in runtime.trace.steps for a in s.actions for e in a.effects]
    assert "delete cache[7]" in steps and "write cache[7] = 1" in steps
    assert runtime.trace.state["shared"]["cache"] == "{}"


@BOTH
def test_read_through_under_a_lock_holds(reduction):
    locked = READ_THROUGH.replace("  db: 1\n", "  db: 1\n  m: mutex\n").replace(
        "    - k = 7\n", "    - k = 7\n    - lock m\n").replace(
        "    - assert got == 1\n", "    - assert got == 1\n    - unlock m\n").replace(
        "    - db = 2\n", "    - lock m\n    - db = 2\n") + "    - unlock m\n"
    locked = locked.replace("    - assert got == 1\n", "    - assert got == db\n")
    r = result(locked, reduction)
    assert r.verdict is Verdict.HOLDS, [(p.kind, p.verdict) for p in r.properties]


MISSING = """\
model: missing
shared:
  cache: map
threads:
  a:
    - cache[1] = 5
    - v = cache[3]
"""


@BOTH
def test_reading_a_missing_key_is_a_runtime_violation_naming_the_key(reduction):
    r = result(MISSING, reduction)
    v = prop(r, "runtime").violation
    assert (v.kind, v.message, v.line, v.col) == ("runtime", "key 3 is not in map 'cache'", 7, 7)


@BOTH
def test_deleting_a_missing_key_is_a_runtime_violation(reduction):
    r = result(MISSING.replace("v = cache[3]", "del cache[3]"), reduction)
    assert prop(r, "runtime").violation.message == "key 3 is not in map 'cache'"


SYMBOLIC = """\
model: symbolic_key
inputs:
  k: int in 0..3
shared:
  cache: map
threads:
  a:
    - cache[2] = 5
    - v = cache[k]
    - assert v == 5
"""


@BOTH
def test_a_symbolic_key_read_after_writing_key_2_can_miss(reduction):
    r = result(SYMBOLIC, reduction)
    v = prop(r, "runtime").violation
    assert v.values["k"] != 2
    assert v.message == f"key {v.values['k']} is not in map 'cache'"
    assert prop(r, "runtime").trace.inputs["k"] == v.values["k"]


@BOTH
def test_a_symbolic_key_that_is_present_reads_its_value(reduction):
    text = SYMBOLIC.replace("k: int in 0..3", "k: int in 2..2").replace("cache[2] = 5", "cache[k] = 5")
    text = text.replace("v = cache[k]", "v = cache[2]")
    assert result(text, reduction).verdict is Verdict.HOLDS


TWO_WRITERS = """\
model: two_writers
inputs:
  j: int in 0..3
  k: int in 0..3
shared:
  cache: map
threads:
  a:
    - cache[j] = 1
  b:
    - cache[k] = 2
check:
  - final: len(cache) == 2 and j in cache
  - always: len(cache) <= 2
"""


@BOTH
def test_symbolic_keys_fork_on_equality(reduction):
    r = result(TWO_WRITERS, reduction)
    f = prop(r, "final")
    assert f.verdict is Verdict.VIOLATED and f.violation.values["j"] == f.violation.values["k"]
    assert prop(r, "always").verdict is Verdict.HOLDS
    held = result(TWO_WRITERS.replace("len(cache) == 2 and ", "len(cache) >= 1 and "), reduction)
    assert prop(held, "final").verdict is Verdict.HOLDS


# ---- execution counts: entries of different keys commute ---------------------------------------------

def writers(k1: int, k2: int) -> str:
    return f"model: w\nshared:\n  cache: map\nthreads:\n  a:\n    - cache[{k1}] = 1\n  b:\n    - cache[{k2}] = 2\n"


@pytest.mark.parametrize("keys,executions", [((1, 2), 1), ((1, 1), 2), ((1, 9), 2)],
                         ids=["different-keys", "same-key", "same-bucket"])
def test_execution_counts(keys, executions):
    """Different keys commute (one execution); the same key does not (two). Keys 1 and 9 share
    the reduction's bucket (k % 8): dependent there, an over-approximation, but never a race."""
    text = writers(*keys)
    assert search(text, "dpor").stats.executions == executions
    assert search(text, "stateful-full").stats.executions == 2


def test_reads_of_present_keys_commute_with_updates_and_len_does_not_commute_with_inserts():
    base = "model: c\nshared:\n  cache: map\nthreads:\n  a:\n    - cache[1] = 1\n    - cache[1] = 2\n"
    assert search(base + "  b:\n    - ok = 2 in cache\n", "dpor").stats.executions == 1
    assert search(base + "  b:\n    - n = len(cache)\n", "dpor").stats.executions == 2  # before or after the insert
    assert search(base + "  b:\n    - ok = 1 in cache\n", "dpor").stats.executions == 2


# ---- races -------------------------------------------------------------------------------------------

def race(text: str, reduction: bool = True):
    return prop(result(text + "check:\n  - no_race: [cache]\n", reduction), "race")


@BOTH
def test_the_same_key_races(reduction):
    p = race(writers(3, 3), reduction)
    assert p.verdict is Verdict.VIOLATED
    assert p.violation.detail["location"] == "cache[3]"


@BOTH
def test_different_keys_in_one_bucket_do_not_race(reduction):
    assert race(writers(1, 9), reduction).verdict is Verdict.HOLDS


@BOTH
def test_len_races_with_an_insertion(reduction):
    text = "model: l\nshared:\n  cache: map\nthreads:\n  a:\n    - cache[1] = 1\n  b:\n    - n = len(cache)\n"
    p = race(text, reduction)
    assert p.verdict is Verdict.VIOLATED
    assert p.violation.message.startswith("data race on the key set of cache: ")


PUBLISHED = """\
model: published
shared:
  cache: map
  go: atomic 0
threads:
  a:
    - cache[1] = 1
    - go = 1
    - LATER
  b:
    - {while: "go == 0", do: []}
    - n = len(cache)
"""


@BOTH
def test_an_update_of_a_present_key_does_not_race_with_len(reduction):
    """The insertion is published (an atomic flag); after it, an update does not write the key
    set (no race with `len`), a deletion does."""
    assert race(PUBLISHED.replace("LATER", "cache[1] = 2"), reduction).verdict is Verdict.HOLDS
    p = race(PUBLISHED.replace("LATER", "del cache[1]"), reduction)
    assert p.verdict is Verdict.VIOLATED and p.violation.detail["location"] == "the key set of cache"


@BOTH
def test_a_symbolic_key_races_only_where_the_keys_can_be_equal(reduction):
    text = ("model: s\ninputs:\n  k: int in 0..3\nshared:\n  cache: map\nthreads:\n  a:\n    - cache[k] = 1\n"
            "  b:\n    - cache[KEY] = 2\n")
    assert race(text.replace("KEY", "5"), reduction).verdict is Verdict.HOLDS
    p = race(text.replace("KEY", "2"), reduction)
    assert p.verdict is Verdict.VIOLATED
    assert p.violation.detail["location"] == "cache[2]" and p.violation.values["k"] == 2


# ---- traces, JSON, replay ----------------------------------------------------------------------------

def test_the_trace_shows_reads_writes_and_the_map(tmp_path):
    path = model_file(tmp_path, READ_THROUGH)
    out = subprocess.run([sys.executable, "-m", "checker.cli", "verify", str(path)], capture_output=True, text=True)
    assert out.returncode == 1
    assert "read 7 in cache = false" in out.stdout and "delete cache[7]" in out.stdout
    assert "shared: db = 2, cache = {}" in out.stdout
    saved = tmp_path / "r.json"
    out = subprocess.run([sys.executable, "-m", "checker.cli", "verify", str(path), "--json"], capture_output=True, text=True)
    saved.write_text(out.stdout)
    doc = json.loads(out.stdout)
    runtime = next(p for p in doc["properties"] if p["kind"] == "runtime")
    assert runtime["violation"]["message"] == "key 7 is not in map 'cache'"
    again = subprocess.run([sys.executable, "-m", "checker.cli", "replay", str(path), str(saved)],
                           capture_output=True, text=True)
    assert again.returncode == 1, again.stdout + again.stderr
    itf = subprocess.run([sys.executable, "-m", "checker.cli", "verify", str(path), "--format", "itf"],
                         capture_output=True, text=True)
    states = json.loads(itf.stdout)
    states = states[0]["states"] if isinstance(states, list) else states["states"]
    shown = [s["cache"] for s in states]
    assert shown[0] == {"#map": []} and any(m["#map"] and m["#map"][0][0] == 7 for m in shown)


def test_a_property_that_reads_a_missing_key_is_a_runtime_violation_that_replays():
    r = result("model: p\nshared:\n  c: map\nthreads:\n  a:\n    - c[2] = 5\ncheck:\n  - final: c[1] == 5\n")
    p = prop(r, "runtime")
    assert p.violation.message == "key 1 is not in map 'c' in property 'c[1] == 5'"
    assert p.trace is not None and p.trace.minimal is not False


# ---- errors ------------------------------------------------------------------------------------------

HEAD = "model: m\nshared:\n  x: 0\n  m: mutex\n  cache: MAP\nthreads:\n  t:\n"


@pytest.mark.parametrize("decl,stmt,first,hint", [
    ("map", "    - n = len(m)\n", "8:15: error: 'len' takes a shared array, queue or map; 'm' is a mutex",
     "write len(d) for an array, len(cache) for a map"),
    ("map", "    - del x\n", "8:11: error: 'del' removes an entry of a map; 'x' is a shared variable",
     "declare one under 'shared:', e.g. 'cache: map', and write 'del cache[k]'"),
    ("map", "    - del x[1]\n", "8:11: error: 'del' removes an entry of a map; 'x' is a shared variable",
     "declare one under 'shared:', e.g. 'cache: map', and write 'del cache[k]'"),
    ("map", "    - del cache\n", "8:11: error: 'del' needs the key of the entry to remove from map 'cache'",
     "write 'del cache[k]'"),
    ("map", "    - del\n", "8:10: error: expected the map entry to delete after 'del', found the end of the text",
     "write 'del cache[k]'"),
    ("map 4", "    - skip\n", "5:14: error: a map takes no size or value: 'cache' starts empty and grows as keys "
     "are written", "write 'cache: map'"),
    ("map[4]", "    - skip\n", "5:13: error: there are no arrays of maps: 'cache' must be one map",
     "declare 'cache: map' (or one map per name); arrays exist for int, bool and the resources "
     "(mutex[N], condition[N], semaphore[N] P, ...)"),
    ("map", "    - ok = 1 in x\n", "8:17: error: 'in' needs a map on its right; 'x' is a shared variable",
     "declare one under 'shared:', e.g. 'cache: map', and write 'k in cache'"),
    ("map", "    - lock cache\n", "8:12: error: 'lock' needs a mutex; 'cache' is a map",
     "declare one under 'shared:', e.g. 'm: mutex'"),
    ("map", "    - cache = 1\n", "8:7: error: cannot assign to 'cache': it is a map", "write an entry, 'cache[k] = v'"),
    ("map", "    - x = cache\n", "8:11: error: 'cache' is a map, not a value",
     "read an entry, e.g. cache[k], or write 'k in cache' or 'len(cache)'"),
    ("map", "    - cache[1] = true\n", "8:7: error: an entry of map 'cache' needs an int, found a bool",
     "true and false are not numbers: use an int (0 or 1) instead of the bool, or branch on it with 'if:'"),
])
def test_errors(tmp_path, decl, stmt, first, hint):
    expect_error(model_file(tmp_path, HEAD.replace("MAP", decl) + stmt), first, hint)


# ---- the map family of the random programs against the oracle ------------------------------------

SEED = 20_250_101


def sample(cfg, seed: int, count: int) -> list:
    rng, out = random.Random(seed), []
    for _ in range(count):
        text = gen.random_map_model(rng, cfg)
        try:
            out.append((text, run(text, 30_000)))
        except TooBig:
            pass
    return out


def test_map_programs_have_one_execution_per_trace():
    """Concrete keys, nothing that fails: DPOR explores one execution per Mazurkiewicz trace of
    the oracle's dependence (the documented buckets), and every search reaches what it reaches."""
    programs = sample(gen.MAP_COUNTS, SEED, 40)
    assert len(programs) >= 20
    for text, o in programs:
        x = search(text, "dpor", keep_going=True)
        assert not differences(x, o), text
        if o.count_safe:
            assert x.stats.executions == o.traces, f"{x.stats.executions} executions for {o.traces} traces\n{text}"
            assert x.stats.blocked == 0, text
            y = search(text, "stateful-full", keep_going=True)
            assert not differences(y, o) and y.stats.executions == o.executions, text
        assert not differences(search(text, "stateful", keep_going=True), o), text


@pytest.mark.parametrize("cfg", ["MAP_GENERAL", "MAP_SYMBOLIC"])
def test_map_programs_reach_what_the_oracle_reaches(cfg):
    """Missing keys, asserts, loops; and an input key the checker keeps symbolic."""
    programs = sample(getattr(gen, cfg), SEED + 1, 30)
    assert len(programs) >= 20
    for text, o in programs:
        for strategy in ("dpor", "stateful", "stateful-full"):
            problems = differences(search(text, strategy, keep_going=True), o)
            assert not problems, "\n".join(problems) + "\n" + text


@pytest.mark.parametrize("cfg", ["MAP_RACES", "MAP_RACES_SYMBOLIC"])
def test_map_racing_pairs_equal_the_oracle(cfg):
    checked = 0
    for k in range(30):
        text = gen.random_map_model(random.Random(SEED + 2 + k), getattr(gen, cfg))
        try:
            expected = racing_pairs(text, budget=30_000)
        except TooBig:
            continue
        found, x = dpor_pairs(text)
        assert x.exhausted is None, text
        assert found == expected, f"DPOR only {found - expected}\noracle only {expected - found}\n{text}"
        checked += 1
    assert checked >= 12


def test_gallery_models_meet_their_expectations_both_ways():
    for name in ("read_through_cache", "read_through_cache_fixed"):
        program = load_text((ROOT / "models" / f"{name}.yaml").read_text(), f"{name}.yaml")
        for reduction in (True, False):
            r = verify(program, Options(reduction=reduction))
            assert r.expect_met is not False, (name, reduction)
