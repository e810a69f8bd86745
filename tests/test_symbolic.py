"""The symbolic layer: a run owns its terms, the array encodings are identities, interval
answers agree with z3, solver time and deadlines are accounted for."""
from __future__ import annotations

import subprocess
import sys
import time

import pytest
import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.result import Verdict
from checker.symbolic import bounds as B
from checker.symbolic import values as V
from checker.symbolic.solver import Sat, Solver
from checker.symbolic.terms import Terms
from checker.verify import load, load_text, verify
from helpers import ROOT

# An int array and a bool array of the same shape, read at the same symbolic index `i`: a term
# memo shared between runs and keyed so that True == 1 handed the int term to the bool model.
INT_ARRAY = """model: int_array
inputs:
  i: int in 0..2
shared:
  a: [1, 0, 0]
  r: 0
threads:
  t:
    - r = a[i]
check:
  - final: r == a[i] and (r == 1 or i != 0)
expect: holds
"""

BOOL_ARRAY = """model: bool_array
inputs:
  i: int in 0..2
shared:
  b: [true, false, false]
  r: false
threads:
  t:
    - r = b[i]
check:
  - final: r == b[i] and r
expect: {violated: final}
"""

BOOL_ARRAY_HOLDS = BOOL_ARRAY.replace("model: bool_array", "model: bool_array_holds").replace(
    "final: r == b[i] and r", "final: r == b[i] and (r or i != 0)").replace("{violated: final}", "holds")

ALONE = {"int_array": Verdict.HOLDS, "bool_array": Verdict.VIOLATED, "bool_array_holds": Verdict.HOLDS}
TEXTS = {"int_array": INT_ARRAY, "bool_array": BOOL_ARRAY, "bool_array_holds": BOOL_ARRAY_HOLDS}


def test_keys_keep_bool_and_int_apart():
    assert V.key(True) != V.key(1) and V.key(False) != V.key(0)
    assert V.key(3) == V.key(3) and V.key(None) is None
    x = z3.Int("x")
    assert V.key(x + 1) == V.key(x + 1)


@pytest.mark.parametrize("order", [["int_array", "bool_array", "bool_array_holds"],
                                   ["bool_array_holds", "bool_array", "int_array"],
                                   ["bool_array", "int_array", "int_array", "bool_array"]])
def test_models_in_one_process_get_the_verdict_they_get_alone(order):
    for name in order:
        r = verify(load_text(TEXTS[name], f"{name}.yaml"))
        assert r.verdict is ALONE[name], (name, r.verdict, r.reason, r.notes)
        assert r.expect_met and not any(n.startswith("internal") for n in r.notes), r.notes


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "checker.cli", "verify", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT)


def test_cli_verifies_an_int_and_a_bool_array_model_in_one_command(tmp_path):
    paths = {}
    for name, text in TEXTS.items():
        paths[name] = tmp_path / f"{name}.yaml"
        paths[name].write_text(text)
    alone = {name: _cli(p) for name, p in paths.items()}
    assert {n: r.returncode for n, r in alone.items()} == {"int_array": 0, "bool_array": 1, "bool_array_holds": 0}
    for order in (["int_array", "bool_array"], ["bool_array", "int_array"],
                  ["int_array", "bool_array_holds"], ["bool_array_holds", "int_array"]):
        r = _cli(*(paths[n] for n in order))
        assert "internal error" not in r.stdout + r.stderr, r.stderr
        assert r.returncode == (1 if "bool_array" in order else 0), r.stdout + r.stderr
        for name in order:
            verdict = "VIOLATED" if ALONE[name] is Verdict.VIOLATED else "HOLDS"
            assert f"{name}: {verdict}" in r.stdout, r.stdout


def test_terms_belong_to_one_run():
    i = z3.Int("i")
    ints, bools = Terms(), Terms()
    a = ints.select((1, 0, 0), i)
    b = bools.select((True, False, False), i)
    assert z3.is_int(a) and z3.is_bool(b)
    one = Terms()  # one Terms asked both: the keys still keep the two apart
    assert z3.is_int(one.select((1, 0, 0), i)) and z3.is_bool(one.select((True, False, False), i))
    assert Solver([]).terms is not Solver([]).terms


def _prove(claim) -> bool:
    s = z3.Solver()
    s.add(z3.Not(claim))
    return s.check() == z3.unsat


def _t(v):
    return z3.BoolVal(v) if type(v) is bool else z3.IntVal(v) if type(v) is int else v


CELLS = st.lists(st.sampled_from([0, 1, 5, "g", "h", "g+1"]), min_size=1, max_size=5)


def _cell(c):
    g, h = z3.Int("g"), z3.Int("h")
    return {"g": g, "h": h, "g+1": V.add(g, 1)}.get(c, c)


@settings(max_examples=80, deadline=None)
@given(CELLS, st.sampled_from(["inc", "inc_g", "const", "input", "other", "self"]))
def test_store_is_the_plain_if_on_every_input(cells, what):
    """Whatever shape store picks (plain If, increment), cell c equals If(i == c, v, cells[c])
    for every value of every constant, i out of range included."""
    T = Terms()
    i, g = z3.Int("i"), z3.Int("g")
    cells = tuple(_cell(c) for c in cells)
    r = T.select(cells, i)
    v = {"inc": V.add(r, 3), "inc_g": V.add(r, g), "const": 7, "input": g, "other": V.add(T.select(cells[::-1], i), 1),
         "self": r}[what]
    new = T.store(cells, i, v)
    assert len(new) == len(cells)
    for c, (old, cell) in enumerate(zip(cells, new)):
        assert _prove(_t(cell) == z3.If(i == c, _t(v), _t(old))), (cells, what, c, cell)
    # and reading it back gives v wherever i is in range
    back = T.select(new, i)
    assert _prove(z3.Implies(z3.And(i >= 0, i < len(cells)), _t(back) == _t(v)))


def test_increments_in_any_order_give_the_same_cells():
    xs = [z3.Int(f"x{w}") for w in range(4)]
    T = Terms()
    finals = set()
    for order in ([0, 1, 2, 3], [3, 1, 0, 2], [2, 3, 1, 0]):
        d = (0,) * 10
        for w in order:
            d = T.store(d, xs[w], V.add(T.select(d, xs[w]), w + 1))
        finals.add(tuple(V.key(c) for c in d))
    assert len(finals) == 1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 4), st.integers(-2, 3)), max_size=12),
       st.lists(st.integers(-3, 3), max_size=3))
def test_total_is_the_sum(indicators, constants):
    xs = [z3.Int(f"x{k}") for k in range(3)]
    cells = [V.add(z3.If(xs[k] == c, d, 0), 0) if d else 0 for k, c, d in indicators] + constants
    total = Terms().total(cells)
    assert _prove(_t(total) == z3.Sum([_t(c) for c in cells] + [z3.IntVal(0)]))


def test_total_folds_a_full_range_into_one_guard():
    x = z3.Int("x")
    cells = [z3.If(x == c, 2, 0) for c in range(10)]
    total = Terms().total(cells)
    assert total.eq(z3.simplify(z3.If(z3.And(x >= 0, x <= 9), 2, 0)))


# ---- interval answers ---------------------------------------------------------------------

X, Y = z3.Int("x"), z3.Int("y")
ATOMS = st.sampled_from([X, Y, X + Y, X - 2 * Y, -X, z3.If(X > 1, Y, 3), z3.IntVal(2), z3.IntVal(-1)])


def _conds(depth=0):
    cmp = st.builds(lambda op, a, b: op(a, b),
                    st.sampled_from([lambda a, b: a < b, lambda a, b: a <= b, lambda a, b: a == b,
                                     lambda a, b: a != b, lambda a, b: a >= b]), ATOMS, ATOMS)
    if depth >= 2:
        return cmp
    sub = _conds(depth + 1)
    return st.one_of(cmp, st.builds(z3.Not, sub), st.builds(lambda a, b: z3.And(a, b), sub, sub),
                     st.builds(lambda a, b: z3.Or(a, b), sub, sub))


@settings(max_examples=300, deadline=None)
@given(_conds(), st.integers(-3, 3), st.integers(0, 4), st.integers(-3, 3), st.integers(0, 4))
def test_an_interval_refutation_is_a_real_unsat(cond, xlo, xw, ylo, yw):
    path = [z3.And(X >= xlo, X <= xlo + xw), z3.And(Y >= ylo, Y <= ylo + yw)]
    box: dict = {}
    for c in path:
        box = B.narrow(box, B.facts(z3.simplify(c)))
    for t in (cond, z3.simplify(cond)):
        if B.refuted(t, box):
            s = z3.Solver()
            s.add(*path)
            assert s.check(t) == z3.unsat, (t, path)


def test_index_obligations_under_a_draw_need_no_solver_call():
    k = z3.Int("k")
    s = Solver([z3.And(k >= 0, k <= 9)])
    in_range = Terms().in_range(k, 10)
    assert s.check((), V.not_(in_range)) is Sat.UNSAT
    assert s.calls == 0 and s.decided == 1
    assert s.check((), V.not_(Terms().in_range(k, 9))) is Sat.SAT and s.calls == 1


# ---- accounting, deadline, unknown --------------------------------------------------------

def test_solver_seconds_are_reported_apart():
    r = verify(load(str(ROOT / "models/lost_update.yaml")))
    s = r.stats
    assert s["solver_calls"] >= 1 and 0 < s["solver_seconds"] <= s["seconds"]
    r = verify(load(str(ROOT / "models/peterson.yaml")))
    assert r.stats["solver_calls"] == 0 and r.stats["solver_seconds"] == 0


def _hard(s: Solver):
    """A query z3 does not decide (Fermat's last theorem for cubes): it answers unknown."""
    x, y, z = z3.Int("x"), z3.Int("y"), z3.Int("z")
    return s.check((z3.And(x > 0, y > 0, z > 0),), x * x * x + y * y * y == z * z * z)


def test_deadline_caps_each_query_and_marks_expiry():
    s = Solver([], timeout_ms=10_000)
    s.deadline = time.monotonic() - 1  # already passed: each query gets 1 ms
    x = z3.Int("x")
    assert s.check((x > 0,), x < 0) is Sat.UNSAT  # an answer within the time is still an answer
    assert not s.expired
    t0 = time.monotonic()
    assert _hard(s) is Sat.UNKNOWN  # unknown is a typed outcome, never a proof
    assert time.monotonic() - t0 < 5
    assert s.expired


def test_without_a_deadline_an_unknown_is_not_an_expiry():
    s = Solver([], timeout_ms=1)
    assert _hard(s) is Sat.UNKNOWN and not s.expired
    s.deadline = time.monotonic() + 3600  # far away: the solver's own timeout still applies
    assert _hard(s) is Sat.UNKNOWN and not s.expired


# ---- the seed program -------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["seed_sum_locked", "seed_sum_loop", "seed_sum_loop2"])
def test_seed_program_variants_hold(name):
    """The final `sum(d) == ...` checks fold to guarded constants that the draws' ranges decide."""
    r = verify(load(str(ROOT / f"models/{name}.yaml")))
    assert r.verdict is Verdict.HOLDS, r.reason
    assert r.stats["solver_seconds"] < r.stats["seconds"]


def test_counted_loops_are_recognised():
    looping = "model: m\nshared: {x: 0}\nthreads:\n  t:\n    locals: {k: 0}\n    do:\n"
    yes = looping + "      - while: k < 3\n        do:\n          - x = x + 1\n          - k = k + 1\n"
    no_forever = looping + "      - while: true\n        do:\n          - x = x + 1\n"
    no_reset = yes + "      - while: k < 5\n        do:\n          - k = k + 1\n          - {if: x == 9, then: [k = 0]}\n"
    no_shared = "model: m\nshared: {x: 0}\nthreads:\n  t:\n    - while: x < 3\n      do:\n        - x = x + 1\n"
    assert load_text(yes).counted_loops
    assert not load_text(no_forever).counted_loops
    assert not load_text(no_reset).counted_loops
    assert not load_text(no_shared).counted_loops
