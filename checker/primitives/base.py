"""The words every primitive speaks: its surface (how a model writes it) and the records of a step.

A primitive's `SURFACE` is data that the language and the program stages read: the declaration
(`m: mutex`, `s: semaphore 2`, `locks: mutex[8]`) and the statement keywords with their
operands, so a keyword is defined once, next to its semantics. The rest are the small values a
handler needs to answer the explorer (`STOP`, thread statuses, access modes, `Access`,
`Outcome`); `checker.explore.state` and `checker.explore.frame` re-export them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

# ---- the surface -------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """The number a declaration takes: `semaphore 2` (its permits)."""

    name: str  # 'permits', in "semaphore 's' needs a number of permits"
    lo: int
    hi: int
    sample: int  # in hints: "write 'semaphore 2'"
    optional: bool = False  # the number may be left out (`q: queue`, unbounded): the object gets 0


@dataclass(frozen=True)
class Declaration:
    """How a resource is declared under `shared:` (`NAME: KIND`, `NAME: KIND N`, `NAME: KIND[N]`)
    and how messages name it."""

    noun: str  # 'a mutex', in "'x' is a mutex"
    example: str  # 'm: mutex', in "declare one under 'shared:', e.g. 'm: mutex'"
    param: Param | None = None  # `s: semaphore 2`
    array_of: str | None = None  # 'mutexes': `locks: mutex[8]` declares an array of them


@dataclass(frozen=True)
class Operand:
    """One operand of a statement: a reference `name` or `name[index]`."""

    kinds: tuple[str, ...]  # the kinds it may name ('mutex', 'rwlock', ...; 'thread' for a thread)
    noun: str = "operand"  # in "expected the operand of 'lock'"


@dataclass(frozen=True)
class Statement:
    """A statement keyword: `WORD OPERAND...`, or `v = WORD OPERAND...` when it returns a value."""

    word: str
    operands: tuple[Operand, ...]
    returns: str | tuple | None = None  # the type of the value it gives (`ok = trylock m`: 'bool'), or
    # of the two it gives (`ok, v = try_get q`: ('bool', 'int'))
    blocks: bool = False  # it may wait for another thread (it is disabled until it can go on)
    atomic_ok: bool = True  # it may stand inside an `atomic:` block
    usage: str = ""  # the whole form, in hints: 'wait CONDITION MUTEX'
    value: str | None = None  # an expression follows the operands (`put q EXPR`): how to name it
    timed: str | tuple | None = None  # `... timeout` makes it a timed wait giving this ('bool': `ok = lock m timeout`)


@dataclass(frozen=True)
class Surface:
    declaration: Declaration | None  # None: not declared under `shared:` (threads)
    statements: tuple[Statement, ...]


# ---- defaults for a kind's explorer functions -------------------------------------------------

def touches_the_same(i) -> bool:
    """`state_dependent` of a kind whose steps touch what their locals name, whatever the state."""
    return False


def holds_nothing(y, t: int) -> bool:
    """`holds` of a kind that nobody owns (finishing after using it is not misuse)."""
    return False


def no_holders(y) -> list[int]:
    """`holders` of a kind that nobody owns (a thread blocked on it waits for no one in particular)."""
    return []


def waits_for_it(obj, y, op: str) -> tuple[str, str]:
    """`waits_for` of a kind a blocked thread waits on as a lock: ('lock', its name), in a deadlock
    report ('b waits for m held by a')."""
    return "lock", obj.name


# ---- the records of a step -----------------------------------------------------------------

STOP = object()  # a handler's answer: the step ended here (its outcomes are in `out`)
RUN, WAIT, DONE, SPIN, NEW = 0, 1, 2, 3, 4  # thread statuses (NEW: `start: spawned`, not spawned yet)
READ, WRITE = 0, 1
OTHER, ACQ, REL, ATOMIC = 0, 1, 2, 3  # ATOMIC: a memory access that never races (races.py)


class Access(NamedTuple):
    """One resource touched by a step: location ids [lo, hi), READ/WRITE, and ACQ/REL/OTHER
    (an acquire needs the object free, a release needs it held: never enabled together), or
    ATOMIC for a memory access that is atomic (an `atomic` variable, `fetch_add`/`cas`/`swap`,
    inside an `atomic:` block): the same as OTHER for dependence, never a data race."""

    lo: int
    hi: int
    mode: int
    op: int


class Violation(NamedTuple):
    kind: str  # PropertyKind value
    message: str
    text: str  # the statement or property as written
    line: int
    col: int
    values: dict | None  # a model of the inputs, when the violation depends on them
    detail: dict | None = None  # e.g. the wait-for cycle of a deadlock


class Cut(NamedTuple):
    """Exploration stopped here by a bound, not by the model."""

    reason: str
    thread: str
    text: str
    line: int


class Outcome(NamedTuple):
    state: tuple  # a `checker.explore.state.State`
    choices: tuple  # the choices made inside the step (signal target, enumerated any, index)
    violation: Violation | None
    cut: Cut | None
    log: list | None  # what the step read and wrote, when recording a trace
    forks: tuple = ()  # symbolic branch directions taken: with `choices`, which outcome of the step this is
    seen: tuple = ()  # what `no_leak` observers saw in the step: ((channel, value), ...) (model.Leak)
