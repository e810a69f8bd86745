"""The instructions of the checked program, with their source positions (the program that holds
them, its resources and properties are in `checker.program.model`).

Expressions are compiled to closures `fn(X)`, where `X` is the running frame: `X.L` the thread's
locals, `X.M` shared memory (read only by properties and by input slots), `X.T` the thread
states (for `at`), `X.ob` a list that collects runtime obligations (e.g. a symbolic divisor
that must not be zero), `X.terms` the run's `checker.symbolic.terms.Terms` (a cell read at a
symbolic index is `X.terms.select(cells, i)`). A concrete runtime error raises `Fault`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from checker.errors import Pos

if TYPE_CHECKING:
    from checker.program.model import MapVar, SyncRef, Var


class Fault(Exception):
    """A runtime error of the model (division by zero, index out of range, unset local)."""

    def __init__(self, message: str, pos: Pos):
        super().__init__(message)
        self.message = message
        self.pos = pos


Fn = Callable[[object], object]


@dataclass(frozen=True)
class Src:
    """The statement as written: its text and where it stands. `via` holds the procedure calls
    it runs inside (inlined), outermost first, as (the call as written, the call's line)."""

    text: str
    pos: Pos
    via: tuple = ()


# ---- instructions ---------------------------------------------------------------------------
# Local instructions run without a scheduling point; visible ones are where threads interleave.

@dataclass(frozen=True)
class SetLocal:
    dst: int
    fn: Fn
    src: Src
    visible = False


@dataclass(frozen=True)
class AnyLocal:
    """`v = any LO..HI`: one step that touches nothing shared."""

    dst: int
    lo: int
    hi: int
    src: Src
    visible = True


@dataclass(frozen=True)
class Branch:
    """Go to `target` when `cond` is false."""

    cond: Fn
    target: int
    src: Src
    visible = False


@dataclass(frozen=True)
class Jump:
    target: int
    back: bool  # a loop's back edge: counted against the loop bound
    src: Src
    visible = False


@dataclass(frozen=True)
class Assert:
    cond: Fn
    src: Src
    visible = False


@dataclass(frozen=True)
class Assume:
    """Discard the execution unless `cond`; reads shared memory in place (`reads`: ranges)."""

    cond: Fn
    src: Src
    reads: frozenset = frozenset()
    visible = False


@dataclass(frozen=True)
class Spin:
    """The test of a spin-wait (`while C: []` whose condition makes one shared read, the
    visible instruction at `head`): while `cond` holds the thread rests at `head` with status
    SPIN, and re-tests only when its step there can exit (docs/semantics.md, spin-waits)."""

    cond: Fn
    head: int
    src: Src
    visible = False


@dataclass(frozen=True)
class Resolve:
    """Make a symbolic index concrete before an operation on an array of sync objects: one
    branch per value."""

    dst: int
    fn: Fn
    size: int
    src: Src
    kind: str = "mutex"  # the array's kind, in "index out of range for a semaphore array of size 4"
    visible = False


@dataclass(frozen=True)
class AtomicEnd:
    src: Src
    visible = False


@dataclass(frozen=True)
class Read:
    dst: int
    var: Var
    index: Fn | None
    src: Src
    visible = True


@dataclass(frozen=True)
class Write:
    var: Var
    index: Fn | None
    value: Fn
    src: Src
    visible = True


@dataclass(frozen=True)
class Rmw:
    """fetch_add / swap / cas on one cell, atomically."""

    op: str
    dst: int | None
    var: Var
    index: Fn | None
    args: tuple[Fn, ...]
    src: Src
    visible = True


@dataclass(frozen=True)
class MapOp:
    """One step on a shared map: `get` (`v = cache[k]`, into dst), `put` (`cache[k] = v`), `del`,
    `in` (`k in cache`, into dst) or `len` (into dst); `key` and `value` as the op needs them."""

    op: str
    dst: int | None
    map: MapVar
    key: Fn | None
    value: Fn | None
    src: Src
    visible = True


@dataclass(frozen=True)
class SyncOp:
    """One step of a primitive's statement on one object (`lock`, `trylock`, `acquire`, `signal`, ...),
    carried out by the object's kind (`checker.primitives.SYNC`)."""

    op: str
    obj: SyncRef
    dst: int | None  # the result of a value statement (`ok = trylock m`)
    src: Src
    arg: Fn | None = None  # the value it takes (`put q EXPR`)
    dst2: int | None = None  # the second result (`ok, v = try_get q`: v, kept as it was when ok is false)
    timed: bool = False  # a timed wait (`ok = lock m timeout`): lowered to its `try` form
    visible = True


@dataclass(frozen=True)
class Wait:
    cv: SyncRef
    mutex: SyncRef
    src: Src
    dst: int | None = None  # a timed wait's result (`ok = wait cv m timeout`): false when the timeout fired
    visible = True


@dataclass(frozen=True)
class Reacquire:
    """After a wake-up: take the mutex of the preceding `Wait` again."""

    mutex: SyncRef
    cv: SyncRef
    src: Src
    timed: int | None = None  # a timed wait's result local: while asleep, its timeout may fire (false)
    visible = True


@dataclass(frozen=True)
class Depart:
    """After an arrival at a barrier that did not fill its phase: leave once the phase is
    released (the thread waits, status WAIT, until the arrival that fills it)."""

    barrier: SyncRef
    src: Src
    visible = True


@dataclass(frozen=True)
class OnThread:
    """A step on one thread instance: `join worker[h]`, `cancel worker[h]`."""

    thread: int  # the thread id, or the first instance's when `local` holds the index
    src: Src
    local: int | None = None  # the local holding the (resolved) instance index
    size: int = 1  # the instances that `local` ranges over
    visible = True

    def target(self, L) -> int:
        return self.thread if self.local is None else self.thread + L[self.local]


class Join(OnThread):
    """`join t`: enabled once that instance has finished."""


class Cancel(OnThread):
    """`cancel NAME[i]`: marks a task of an event loop cancelled (its next await point ends it)."""


@dataclass(frozen=True)
class Spawn:
    """`spawn NAME(ARGS)` / `h = spawn NAME(ARGS)`: the next instance of a `start: spawned` thread
    (the first with status NEW) starts with its parameters bound; h gets its index."""

    group: tuple  # the instances' thread ids, in order
    args: tuple  # Fn per parameter
    dst: int | None
    src: Src
    visible = True


@dataclass(frozen=True)
class Await:
    """`await`: a task gives its event loop back (an await point)."""

    src: Src
    visible = True




@dataclass(frozen=True)
class Start:
    """A spawned thread's first step, enabled once it is spawned: "(starts)"."""

    src: Src
    visible = True


@dataclass(frozen=True)
class Exit:
    """A joined thread's last step: makes its end visible to `join`."""

    src: Src
    visible = True


@dataclass(frozen=True)
class AtomicBegin:
    end: int  # index of the matching AtomicEnd
    src: Src
    visible = True


@dataclass(frozen=True)
class Pause:
    """A labelled statement that would start with local work: a place a thread can be *at*."""

    src: Src
    visible = True


Instr = (SetLocal | AnyLocal | Branch | Jump | Assert | Assume | Spin | Resolve | AtomicEnd | Read | Write | MapOp
         | Rmw | SyncOp | Wait | Reacquire | Depart | Join | Exit | AtomicBegin | Pause)
