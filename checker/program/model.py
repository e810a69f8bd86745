"""The checked program (`Program`): its resources (memory slots, shared variables and maps,
sync objects, inputs), its threads' code and its properties, with their source positions.

The instructions a thread's code holds are in `checker.program.ir`; `Fn` is a compiled
expression, a closure over the running frame (described there).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from checker.errors import Pos
from checker.program.ir import Fn


# ---- resources -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Slot:
    """One shared memory cell (inputs are read-only slots at the front)."""

    name: str  # 'w', 'd[3]', or an input's name
    type: str  # 'int' | 'bool'
    input: bool


@dataclass(frozen=True)
class Var:
    """A shared variable or array: `size` cells from `base`."""

    name: str
    type: str  # cell type
    base: int
    size: int
    array: bool
    atomic: bool = False  # declared `atomic`: every access is atomic (never races; orders others)


@dataclass(frozen=True)
class MapVar:
    """A shared map (`cache: map`): its entries live in memory slot `slot` (a
    `symbolic.maps.MapValue`); for the reduction and for races it owns the location ids
    `loc` .. `loc + 2 * buckets` past memory: the key-set buckets, then the entry buckets
    (docs/soundness.md, "Maps")."""

    name: str
    slot: int
    loc: int
    buckets: int


@dataclass(frozen=True)
class SyncObj:
    name: str  # 'm', 'locks[2]'
    kind: str  # a primitive's kind (`checker.primitives.SYNC`): mutex | rwlock | condition | semaphore
    permits: int = 0  # the number its declaration takes (`s: semaphore 2`), else 0


@dataclass(frozen=True)
class SyncRef:
    """A sync object named in a statement: a fixed id, or `base + local[idx]` for arrays."""

    name: str
    kind: str
    base: int
    size: int
    local: int | None  # the local that holds the (resolved, concrete) index, if any

    def id(self, L) -> int:
        """The sync object's id, given the thread's locals (the index is concrete by then)."""
        return self.base if self.local is None else self.base + L[self.local]


@dataclass(frozen=True)
class InputInfo:
    name: str
    type: str
    lo: int | None
    hi: int | None
    slot: int
    secret: bool = False


# ---- threads, properties, the program ---------------------------------------------------

@dataclass(frozen=True)
class ThreadCode:
    name: str  # 'worker_a', 'worker[2]'
    group: str
    tid: int
    code: tuple
    local_names: tuple[str, ...]  # temps are named '%1', '%2', ...
    local_init: tuple[tuple[int, Fn], ...]
    labels: dict = field(default_factory=dict, hash=False, compare=False)  # label -> pc
    dead: tuple = ()  # per pc (and one past the end): locals never read again before a write
    local_reads: tuple = ()  # per visible pc: memory ranges its step's local work reads in place
    guarded: tuple = ()  # per visible pc: may the state leave its step no outcome (`assume`, spin)
    spawned: bool = False  # `start: spawned`: NEW until spawned; its code starts with a `Start`
    params: tuple = ()  # the locals its `params:` bind, in order
    loop: int | None = None  # `loop: NAME`: the sync id of the event loop it is a task of
    final: int | None = None  # the pc its `finally:` block starts at (a cancelled task goes there)


@dataclass(frozen=True)
class Property:
    kind: str  # 'final' | 'always' | 'leak' | 'race' (`no_race`: fn None, slots the cells it watches)
    fn: Fn
    text: str
    pos: Pos
    slots: frozenset  # memory slots it reads
    threads: frozenset  # threads whose position it reads (via at)
    syncs: frozenset = frozenset()  # sync objects it reads (`len(q)`)
    safe: bool = False  # its evaluation cannot fault (properties.cannot_fault): no runtime error to find in it


@dataclass(frozen=True)
class Leak:
    """A `no_leak` entry: the secret inputs (their slots) and the observation channels.

    A channel is ('thread', t): every value thread instance t reads from shared state and
    inputs (each shared read, each input read, the result of a `fetch_add`/`swap`/`cas`/
    `trylock`), or ('var', base): every value written to that shared variable. The observer
    sees one sequence per channel (docs/semantics.md, "Noninterference")."""

    secret: tuple[int, ...]  # input slots
    channels: tuple[tuple[str, int], ...]
    text: str
    pos: Pos


@dataclass(frozen=True)
class Program:
    name: str
    about: str
    file: str
    inputs: tuple[InputInfo, ...]
    slots: tuple[Slot, ...]
    init: tuple[tuple[int, Fn], ...]  # slot -> initial value (may read input slots)
    vars: dict
    syncs: tuple[SyncObj, ...]
    threads: tuple[ThreadCode, ...]
    properties: tuple[Property, ...]
    expect: object  # syntax.Expect | None
    has_loops: bool
    joined: frozenset
    stmt_count: int = 0
    counted_loops: bool = False  # every loop is a counted loop (compile.counted): every execution is finite
    cyclic: bool = False  # some loop is `while true`: a server, whose state space is searched statefully
    leaks: tuple = ()  # Leak per `no_leak` entry (each also a Property of kind 'leak')
    maps: dict = field(default_factory=dict)  # name -> MapVar

    @property
    def observed_slots(self) -> frozenset:
        return frozenset().union(*(p.slots for p in self.properties if p.kind == "always"))

    @property
    def observed_syncs(self) -> frozenset:
        return frozenset().union(*(p.syncs for p in self.properties if p.kind == "always"))

    @property
    def observed_threads(self) -> frozenset:
        return frozenset().union(*(p.threads for p in self.properties if p.kind == "always"))
