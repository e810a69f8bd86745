"""Exact execution counts for families whose number of Mazurkiewicz traces is known.

With reduction, DPOR + sleep sets explores exactly one complete execution per trace; without,
every interleaving is counted (stateful search, path count over the state graph) and checked
against plain stateless enumeration.
"""
from math import factorial

import pytest

from helpers import search


def readers(n: int) -> str:
    threads = "\n".join(f"  r{i}:\n    - v = x" for i in range(n))
    return f"model: readers\nshared:\n  x: 0\nthreads:\n  w:\n    - x = 1\n{threads}\n"


def locked_increments(n: int) -> str:
    return ("model: locked\nshared:\n  x: 0\n  m: mutex\nthreads:\n  t:\n    count: %d\n    do:\n"
            "      - lock m\n      - r = x\n      - x = r + 1\n      - unlock m\ncheck:\n  - final: x == %d\n" % (n, n))


def racy_increments(n: int) -> str:
    threads = "\n".join(f"  t{i}:\n    - r = x\n    - x = r + {2 ** i}" for i in range(n))
    return f"model: racy\nshared:\n  x: 0\nthreads:\n{threads}\n"


@pytest.mark.parametrize("n", range(1, 11))
def test_readers_dpor_explores_two_to_the_n(n):
    x = search(readers(n), "dpor")
    assert x.found is None
    assert x.stats.executions == 2 ** n


@pytest.mark.parametrize("n", range(1, 6))
def test_readers_without_reduction_explores_every_interleaving(n):
    assert search(readers(n), "stateful-full").stats.executions == factorial(n + 1)
    assert search(readers(n), "enumerate").stats.executions == factorial(n + 1)


@pytest.mark.parametrize("n", range(1, 6))
def test_locked_increments_explore_n_factorial(n):
    x = search(locked_increments(n), "dpor")
    assert x.found is None
    assert x.stats.executions == factorial(n)


@pytest.mark.parametrize("n", range(1, 5))
def test_racy_increments_explore_n_factorial_squared(n):
    x = search(racy_increments(n), "dpor")
    assert x.stats.executions == factorial(n) ** 2


@pytest.mark.parametrize("n", range(1, 4))
def test_path_count_equals_plain_enumeration(n):
    text = racy_increments(n)
    assert search(text, "stateful-full").stats.executions == search(text, "enumerate").stats.executions


def test_sleep_sets_keep_blocked_executions_apart():
    # the counts above are of complete executions; blocked ones are counted separately
    x = search(locked_increments(4), "dpor")
    assert x.stats.executions == 24
    assert x.stats.blocked == 0 and x.stats.steps > 24


def test_executions_ended_by_a_violation_are_counted_apart():
    # u reads x; if it read 0, `x = r` reads r before it has a value: a runtime error that ends
    # the execution, in either order with v's write (they race); if it read 1, the run ends well
    text = ("model: m\nshared: {x: 0}\nthreads:\n  u:\n    - if: 'x > 0'\n      then: ['r = 1']\n    - x = r\n"
            "  v: ['x = 1']\n")
    from checker.render.text import stats_line
    from checker.verify import Options, load_text, verify
    r = verify(load_text(text, "m.yaml"), Options())
    assert (r.stats["executions"], r.stats["ended"]) == (1, 2)
    assert stats_line(r).startswith("explored: 1 execution, 7 steps, 2 ended by a violation, ")
    assert [p.reason for p in r.properties if p.kind == "deadlock"] == [
        "not decided past the runtime error at line 7, which ended 2 executions"]


def test_a_loop_that_cannot_end_inside_an_atomic_block_is_cut_with_its_own_reason():
    from checker.verify import Options, load_text, verify
    text = "model: m\nshared: {x: 0}\nthreads:\n  t:\n    - atomic:\n        - while: 'x < 5'\n          do: [r = 1]\n  u: [x = 7]\n"
    r = verify(load_text(text, "m.yaml"), Options())
    assert r.verdict.value == "bounded"
    assert r.reason.startswith("a loop in an atomic: block ran 100000 instructions without leaving the block")
