"""The oracle for `no_race`: every interleaving, with its own happens-before (no checker.explore).

`racing_pairs(text)` runs the brute-force interpreter (`interp.Oracle`, every interleaving of
every input) and, along each execution, computes happens-before from the spec's definition
directly (/work/shared/spec/model-language.md, "Happens-before"), by scanning every earlier
event for an edge, not with per-location tables:

* program order;
* an edge from a release to a later acquisition of the same object, exactly as the spec lists
  them: `unlock m` (or a `wait` that releases m) before a later `lock m`, successful
  `trylock m` or re-acquisition of m after a wake-up; a write unlock of an rwlock before a later
  read or write lock, a read unlock before a later write lock; `release s` before a later
  `acquire s`; a signal or broadcast before the re-acquisition of each thread it woke; a joined
  thread's end before the `join`; every arrival at a barrier before every departure of the
  same phase (the arrival that fills a phase departs in the same step); a put on a queue
  before the get that takes its item (the n-th put of the queue, the n-th get); a timed
  `acquire` that takes a permit is an acquire. (A failed trylock, a lost signal, a `wait` seen
  from a signal, a timeout, a failed `try_put`/`try_get`, `len(q)` make no edge.)
* an edge from an atomic write of a cell (`fetch_add`, `swap`, a `cas` that succeeds, a write
  to an `atomic` variable, a write inside an `atomic:` block) to a later atomic access of it;
then the transitive closure. A race is a pair of accesses to one cell of a non-atomic
variable (a read, a write, an `assume`'s in-place read), by different threads, at least one a
write, neither atomic (inside a block, on an atomic variable, `fetch_add`/`swap`/`cas`), with
neither event happening before the other. A step that ends in a violation is an event too (its
accesses were made before it failed); a step that `assume` discards is not.

Maps (docs/semantics.md, "Maps"): each entry `c[k]` is a location of its own, read by a get
and written by a put or a del; the map's key set is one location per key for `in` and the
writes (a put whose key is new, a del), and `len` reads all of it. Named `c[k]` and `the key
set of c`.

The result is the set of racing pairs: (cell name, frozenset of the two accesses as
(thread, line, col, "read" | "write"))."""
from __future__ import annotations

from oracle.interp import DEPENDENCE, Oracle, R, W

MEMORY = {"read", "write", "fetch_add", "swap", "cas", "assume_read"}
MAPS = {"map_get", "map_put", "map_del", "map_in", "map_len", "assume_map"}


def map_locations(kind: str, f: dict) -> list:
    """A map touch as (location, mode): ("entry", map, key) or ("keys", map, key or None: every key)."""
    name, k = f["map"], f.get("key")
    if kind == "map_get":
        return [(("entry", name, k), R)]
    if kind == "map_in":
        return [(("keys", name, k), R)]
    if kind == "map_len":
        return [(("keys", name, None), R)]
    if kind == "assume_map":
        return [(("keys", name, None), R)] + ([(("entry", name, None), R)] if f["entries"] else [])
    out = [(("entry", name, k), W)]
    return out + ([(("keys", name, k), W)] if kind == "map_del" or f["new"] else [])


def same(a, b) -> bool:
    """Do two locations meet? A cell, or a map location (a key None meets every key)."""
    if isinstance(a, tuple) or isinstance(b, tuple):
        return (isinstance(a, tuple) and isinstance(b, tuple) and a[:2] == b[:2]
                and (a[2] is None or b[2] is None or a[2] == b[2]))
    return a == b


def name_of(m, a, b) -> str:
    if not isinstance(a, tuple):
        return m.slots[a]
    k = a[2] if a[2] is not None else b[2]
    return f"{a[1]}[{k}]" if a[0] == "entry" else f"the key set of {a[1]}"
ATOMIC_OPS = {"fetch_add", "swap", "cas"}


class RaceOracle(Oracle):
    def __init__(self, text: str, budget: int = 200_000):
        super().__init__(text, budget)
        m = self.m
        self.atomic_slot = set()
        self.watched = set()
        for v in m.vars.values():
            cells = range(v.base, v.base + v.size)
            (self.atomic_slot if v.atomic else self.watched).update(cells)
        self.trace: list = []  # per event: (thread, (releases, acquisitions, [(slot, mode, atomic, pos)]), clock)
        self.racing: set = set()

    def accesses(self, t: int, o):
        """(what the event releases, what it acquires, its memory accesses)."""
        rel, acq, mem = set(), set(), []
        for kind, f, pos, in_block in o.ops:
            if kind in MAPS:
                mem += [(loc, mode, in_block, pos) for loc, mode in map_locations(kind, f)]
            elif kind in MEMORY:
                (loc, mode), = DEPENDENCE[kind](f)
                slot = loc[1]
                atomic = in_block or kind in ATOMIC_OPS or slot in self.atomic_slot
                mem.append((slot, mode, atomic, pos))
            elif kind in ("unlock", "wait"):
                rel.add(("mutex", f["m"]))
            elif kind == "lock" or (kind == "trylock" and f["ok"]):
                acq.add(("mutex", f["m"]))
            elif kind == "reacquire":
                acq.update({("mutex", f["m"]), ("woken", t)})
            elif kind == "rw_unlock":
                rel.add(("read unlock" if f["reader"] else "write unlock", f["rw"]))
            elif kind == "read_lock":
                acq.add(("write unlock", f["rw"]))
            elif kind == "write_lock":
                acq.update({("write unlock", f["rw"]), ("read unlock", f["rw"])})
            elif kind == "release":
                rel.add(("semaphore", f["s"]))
            elif kind == "acquire" or (kind == "tryacquire" and f["ok"]):
                acq.add(("semaphore", f["s"]))
            elif kind == "put" and f["ok"]:  # a put before the get that takes its item (the n-th)
                rel.add(("item", f["q"], f["n"]))
            elif kind == "get" and f["ok"]:
                acq.add(("item", f["q"], f["n"]))
            elif kind in ("signal", "broadcast"):
                rel.update(("woken", u) for u in f["woken"])
            elif kind == "exit":
                rel.add(("finished", f["thread"]))
            elif kind in ("task", "park"):  # each step of a task of a loop before every later one
                rel.add(("loop", f["loop"]))
                acq.add(("loop", f["loop"]))
            elif kind == "spawn" and f["thread"] is not None:  # the spawn before the new thread's steps
                rel.add(("spawned", f["thread"]))
            elif kind == "start":
                acq.add(("spawned", f["thread"]))
            elif kind == "join":
                acq.add(("finished", f["target"]))
            elif kind == "arrive":  # every arrival before every departure of its phase; the
                rel.add(("barrier", f["b"], f["phase"]))  # arrival that fills the phase departs at once
                if f["releases"]:
                    acq.add(("barrier", f["b"], f["phase"]))
            elif kind == "depart":
                acq.add(("barrier", f["b"], f["phase"]))
        return rel, acq, mem

    def edge(self, earlier, later) -> bool:
        """Is there a happens-before edge from event `earlier` to event `later` (of another thread)?"""
        _, (rel, _, mem1), _ = earlier
        _, (_, acq, mem2), _ = later
        if rel & acq:
            return True
        return any(a[2] and a[1] == W and b[2] and same(a[0], b[0]) for a in mem1 for b in mem2)

    def enter(self, t: int, o) -> None:
        acc = self.accesses(t, o)
        mem = acc[2]
        n = len(self.m.threads)
        me = (t, acc, None)
        clock = [0] * n
        for ev in self.trace:  # program order, and every edge into this event
            if ev[0] == t or self.edge(ev, me):
                clock = [max(a, b) for a, b in zip(clock, ev[2])]
        clock[t] = sum(1 for ev in self.trace if ev[0] == t) + 1
        for ev in self.trace:
            u = ev[0]
            seq = ev[2][u]
            if u == t or clock[u] >= seq:
                continue  # same thread, or happens before this event
            for a in ev[1][2]:
                for b in mem:
                    if (same(a[0], b[0]) and (isinstance(a[0], tuple) or a[0] in self.watched)
                            and not a[2] and not b[2] and (a[1] == W or b[1] == W)):
                        self.racing.add((name_of(self.m, a[0], b[0]), frozenset(
                            ((self.m.threads[u].name, a[3].line, a[3].col, "write" if a[1] == W else "read"),
                             (self.m.threads[t].name, b[3].line, b[3].col, "write" if b[1] == W else "read")))))
        self.trace.append((t, acc, tuple(clock)))

    def leave(self) -> None:
        self.trace.pop()


def racing_pairs(text: str, budget: int = 200_000) -> set:
    o = RaceOracle(text, budget)
    o.run()
    return o.racing
