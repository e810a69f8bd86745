"""The wake-up tree's insertion and its answer for settled races (docs/soundness.md, "Settled
races"): a race is settled only when a leaf is reached through events of u1 and the racing
step alone, so that every v differing from this one only in u2 gets the same answer."""
from __future__ import annotations

from checker.explore.wakeup import Event, insert
from checker.primitives.base import OTHER, WRITE, Access

X = (Access(0, 1, WRITE, OTHER),)
Y = (Access(1, 2, WRITE, OTHER),)
P = Event(1, (1, None, None), X, (0, 1, 0, 0), 1, (), False)  # the racing step: thread 1, any outcome


def ev(t: int, acc: tuple) -> Event:
    clock = [0, 0, 0, 0]
    clock[t] = 1
    return Event(t, (t, (), ()), acc, tuple(clock), 1, (), False)


def tree() -> list:
    """Thread 0's step, then thread 1's step followed by a leaf of thread 2's step."""
    return [[(0, (), ()), X, []], [(1, (), ()), X, [[(2, (), ()), Y, []]]]]


def test_a_leaf_reached_through_u2_does_not_settle_the_race():
    # found by review: once the racing step is matched, v's last event is an event of u2
    t = tree()
    assert insert(t, [ev(2, Y), P], fixed=0) is False and t == tree()  # covered, but through u2
    t = tree()
    assert insert(t, [ev(3, Y), P], fixed=0) is False  # another u2: a new branch under thread 1
    assert t[1][2] == [[(2, (), ()), Y, []], [(3, (), ()), Y, []]]


def test_a_leaf_reached_through_u1_and_the_racing_step_settles_the_race():
    t = [[(1, (), ()), X, []]]  # a leaf: thread 1's step
    assert insert(t, [ev(2, Y), P], fixed=1) is True and t == [[(1, (), ()), X, []]]
    assert insert(t, [ev(2, Y), ev(3, Y), P], fixed=1) is True  # another u2, the same answer


def test_without_fixed_accesses_nothing_is_settled():
    t = [[(1, (), ()), X, []]]
    assert insert(t, [ev(2, Y), P]) is False and t == [[(1, (), ()), X, []]]


def test_a_wildcard_leaf_does_not_settle():
    t = [[(1, None, None), X, [], []]]  # thread 1's next step with any outcome, not expanded yet
    assert insert(t, [ev(2, Y), P], fixed=1) is False
