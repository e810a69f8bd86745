"""The wake-up tree's insertion and its answer for settled races (docs/soundness.md, "Settled
races"): a race is settled only when a leaf is reached through events of u1 and the racing
step alone, so that every v differing from this one only in u2 gets the same answer."""
from __future__ import annotations

from checker.explore.dependence import footprint
from checker.explore.wakeup import Event, insert
from checker.primitives.base import OTHER, WRITE, Access

X = footprint((Access(0, 1, WRITE, OTHER),))  # a write of location 0, as the tree keeps it
Y = footprint((Access(1, 2, WRITE, OTHER),))
P = Event(1, (1, None, None), (Access(0, 1, WRITE, OTHER),), (0, 1, 0, 0), 1, False, -1, X)  # the racing step: thread 1, any outcome


def ev(t: int, fp: tuple) -> Event:
    clock = [0, 0, 0, 0]
    clock[t] = 1
    acc = tuple(Access(k, k + 1, WRITE, OTHER) for k in range(fp[0].bit_length()) if fp[0] >> k & 1)
    return Event(t, (t, (), ()), acc, tuple(clock), 1, False, -1, footprint(acc))


def test_footprints_conflict_exactly_when_accesses_are_dependent():
    from checker.explore.dependence import conflict, dependent
    from checker.primitives.base import READ
    accs = [(), (Access(0, 1, READ, OTHER),), (Access(0, 1, WRITE, OTHER),), (Access(1, 3, READ, OTHER),),
            (Access(2, 3, WRITE, OTHER), Access(5, 6, READ, OTHER)), (Access(0, 6, READ, OTHER),)]
    pairs = [(a, b) for a in accs for b in accs]
    assert [conflict(footprint(a), footprint(b)) for a, b in pairs] == [dependent(a, b) for a, b in pairs]
    assert sum(dependent(a, b) for a, b in pairs) == 10  # W0 with R0, W0, R0-5; W2 with R1-2, W2, R0-5


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


def test_weak_initial_answers_the_position_minus_one_or_none():
    from checker.explore.wakeup import weak_initial
    a, b = ev(2, Y), ev(3, X)  # thread 2 writes location 1, thread 3 writes location 0
    after = Event(0, (0, (), ()), (), (0, 0, 0, 1), 1, False, -1, (0, 0))  # thread 0's event after b
    v = [a, b, after]
    assert weak_initial(v, (3, (), ()), X) == 1  # b: nothing before it in v happens before it
    assert weak_initial(v, (3, (7,), ()), X) is None  # another outcome of thread 3's step
    assert weak_initial(v, (3, None, None), X) == 1  # any outcome of it
    assert weak_initial(v, (0, (), ()), (0, 0)) is None  # b, before it in v, happens before it
    assert weak_initial(v, (1, (), ()), Y) is None  # thread 1 not in v, and it writes what a writes
    assert weak_initial(v, (1, (), ()), footprint((Access(4, 5, WRITE, OTHER),))) == -1  # independent of all of v
    assert weak_initial(v, (2, (), ()), None) is None  # a step that ends its execution covers nothing
