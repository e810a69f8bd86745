"""States met before: what the stateless search computes about a state, once per state value.

Different executions of a program reach equal states (big0: 505,729 steps from 2,758
distinct pairs of state and thread), and everything the search asks of a state is a
function of the state alone: which threads are live and enabled, whether it is stuck, each
thread's step (its outcomes) and that step's accesses. `Known` keeps those answers per state
value, so that an equal state met again on another path reuses them (docs/soundness.md,
"Known states").

Only for a *concrete* program (no inputs, no symbolic `any`): its states hold ints, bools,
None and tuples of them (queues, rwlocks, event loops), compared by value (a variable's type
is fixed, so `True` and `1` never share a slot). A state with z3 terms is not keyed by value
here (z3's `==` builds a term). The table is a cache, bounded in memory: a kept state holds
its own values and those of the states its steps lead to, so it is emptied when it holds
`capacity(program)` states (CELLS values in all, at most LIMIT states; below FEWEST, no
table at all: hashing states that large costs more than it saves), and it stops looking
states up when, after LOOKUPS lookups or more, fewer than one in MISSES found a known state
(every state new: nothing to gain; checked again at every miss).
"""
from __future__ import annotations

from checker.explore.state import State
from checker.program import ir
from checker.program.model import Program

LIMIT = 20_000  # states kept at most; emptied when full
CELLS = 5_000_000  # values the kept states and their next states may hold in all (~40 MB of references)
FEWEST = 500  # a program whose capacity is smaller has no table: its states are too large to pay
LOOKUPS = 2_000  # after this many lookups ...
MISSES = 10  # ... the table stops if fewer than one in MISSES was known


class Info:
    """What the search computed about one state: per thread, its step's outcomes and accesses
    and whether it can be disabled; the live threads, the enabled ones and whether it is stuck
    (None until computed); whether its `final` properties were checked (a final state met
    again breaks no property it did not break the first time: those were recorded then)."""

    __slots__ = ("outcomes", "access", "fp", "blocking", "live", "enabled", "stuck", "final_checked")

    def __init__(self):
        self.outcomes: dict = {}  # thread -> [[event key, Outcome, next Info]] of its step (dpor.py)
        self.access: dict = {}  # thread -> the accesses of its step (Dependence.pending)
        self.fp: dict = {}  # thread -> their footprint (dependence.footprint)
        self.blocking: dict = {}  # thread -> can its step be disabled (an acquire, a guarded step)
        self.live = None
        self.enabled = None
        self.stuck = None
        self.final_checked = False


def concrete(program: Program) -> bool:
    """Does every state of this program hold only concrete values (no inputs, no symbolic
    `any`)? An `any` is drawn symbolically unless it is enumerated: a loop's draw
    (checker/explore/local.py); such programs are left out here."""
    return not program.inputs and not any(type(i) is ir.AnyLocal for th in program.threads for i in th.code)


def capacity(program: Program) -> int:
    """How many states the table keeps: CELLS over the values of a state (shared cells,
    locals, sync objects) times 1 + the threads (its next states), at most LIMIT."""
    values = len(program.slots) + len(program.syncs) + sum(len(th.local_names) + 1 for th in program.threads)
    return max(1, min(LIMIT, CELLS // (values * (1 + len(program.threads)))))


class Known:
    """State -> Info for a concrete program; every state gets a fresh Info otherwise. An
    outcome's entry in an Info ([key, Outcome, Info of the next state or None], dpor.py) keeps
    the next state's Info (`child`), so that a step taken again costs no hashing; those links
    are dropped whenever the table is, so that no Info outlives the table but through the
    current path."""

    __slots__ = ("table", "on", "misses", "hits", "links", "limit")

    def __init__(self, on: bool, limit: int = LIMIT):
        self.table: dict = {}
        self.on = on and limit >= FEWEST
        self.limit = limit  # states kept (`capacity`)
        self.misses = 0
        self.hits = 0
        self.links: list = []  # the outcome entries that keep an Info (`child`)

    def child(self, out: list) -> Info:
        """The Info of the state an outcome entry leads to."""
        got = out[2]
        if got is None:
            got = self.info(out[1].state)
            if self.on:
                out[2] = got
                self.links.append(out)
        return got

    def drop(self) -> None:
        self.table = {}
        for out in self.links:
            out[2] = None
        self.links = []

    def info(self, s: State) -> Info:
        if not self.on:
            return Info()
        got = self.table.get(s)
        if got is not None:
            self.hits += 1
            return got
        self.misses += 1
        if self.misses + self.hits >= LOOKUPS and self.hits * MISSES < self.misses + self.hits:
            self.on = False  # hardly any state met twice: stop hashing them
            self.drop()
            return Info()
        if len(self.table) >= self.limit:
            self.drop()
        got = self.table[s] = Info()
        return got
