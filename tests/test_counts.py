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
