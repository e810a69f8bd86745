"""Event loops (`loop: NAME` on a thread): its instances are tasks of loop NAME; `await`, `cancel`.

At most one task of a loop runs at a time. State: `(holder, cancelled, started, waiting)`: the
task that runs (-1: none), and a bit per thread: cancelled, has run a step, waits at a timed
wait. A timed `lock`/`acquire`/`get` in a task that finds its resource taken parks (gives the
loop back) and waits; once the loop is free it completes if it can, and its timeout may fire
(`ok == false`) whether it can or not. A task's step is enabled only while
the loop is free or its own; every step of a task takes the loop. It gives it back at an await
point: an `await` step (which always yields), a blocking statement that blocks (the task's
*park* step, shown as "blocks: yields the loop", taken when its own step is disabled while it
holds the loop; a `wait` and an arrival at a barrier that waits give it back in their own
step), and its end. `cancel NAME[i]` marks the task; a cancelled task that does not hold the
loop ends at its next step ("(cancelled)"), one that holds it ends at its next await point,
and its `finally:` block runs first (a task cancelled before it started ends at once, with no
`finally:`). One `cancel` strikes once: the `finally:` block's own awaits yield as usual. A
cancelled task asleep in a condition `wait` leaves the wait set at once (a signal skips it) and
re-takes the mutex before it ends, as asyncio's `Condition.wait` does. A task may end holding a
lock: that is lock misuse, unless `finally:` releases it.

Dependence: every step of a task writes its loop's location, ACQ (it may be disabled while
another task runs), and so does `cancel`. Happens-before: each step of a task of a loop before
every later step of a task of that loop (the location's accesses publish and join), so the
tasks of one loop never race with each other.
"""
from __future__ import annotations

from checker.primitives.base import Declaration, Surface, holds_nothing, no_holders, touches_the_same, waits_for_it

KIND = "eventloop"
SURFACE = Surface(None, ())


def initial(obj) -> tuple:
    return (-1, 0, 0, 0)


def enabled(obj, y, op: str, t: int) -> bool:
    return True


def apply(e, f, i, k: int, out):  # no statement of its own goes through SyncOp
    raise AssertionError(i)


def free_for(y, t: int) -> bool:
    """May task t run (take a step) with the loop in state y?"""
    return y[0] == -1 or y[0] == t


def cancelled(y, t: int) -> bool:
    return bool(y[1] >> t & 1)


def started(y, t: int) -> bool:
    return bool(y[2] >> t & 1)


def waiting(y, t: int) -> bool:
    """Has task t parked at a timed wait (its timeout may fire from now on)?"""
    return bool(y[3] >> t & 1)


def take(y, t: int) -> tuple:
    return (t, y[1], y[2] | 1 << t, y[3] & ~(1 << t))


def give_back(y, t: int) -> tuple:
    return (-1,) + y[1:] if y[0] == t else y


def park(y, t: int, timed: bool) -> tuple:
    """Task t blocks: it gives the loop back (it has started); at a timed wait it now waits."""
    return (-1 if y[0] == t else y[0], y[1], y[2] | 1 << t, y[3] | 1 << t if timed else y[3])


def may_park(y, t: int) -> bool:
    """May task t park (if blocked): it runs, or it has not started and the loop is free (its
    first statement blocks: it starts and blocks there)."""
    return y[0] == t or (y[0] == -1 and not started(y, t))


def cancel(y, t: int) -> tuple:
    return (y[0], y[1] | 1 << t, y[2], y[3])


def struck(y, t: int) -> tuple:
    """The cancellation of t has struck (it unwinds now): one `cancel` ends it once, and its
    `finally:` block runs to its end, awaits included."""
    return (y[0], y[1] & ~(1 << t), y[2], y[3])


def describe(obj, y, names) -> str:
    return f"runs {names[y[0]]}" if y[0] >= 0 else "free"


def access(dep, i, t: int, s, L):
    raise AssertionError(i)


state_dependent = touches_the_same
holds = holds_nothing
holders = no_holders
waits_for = waits_for_it
DECLARATION = Declaration("an event loop", "loop: NAME (on a thread)")
