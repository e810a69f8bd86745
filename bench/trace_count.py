"""Count Mazurkiewicz traces by brute force, independently of checker, to confirm the
published counts that bench/ladder.py compares against.

    python bench/trace_count.py            # the small programs (~15-30 s)
    python bench/trace_count.py --all      # also lastzero(10) (~1-2 min)

Each ladder program is written again here as Python generators (one per thread) that yield
their visible events: ('r', loc), ('w', loc, value), ('cas', loc, expected, new), ('lock',
m), ('unlock', m); a read or a cas receives its result. The search is the textbook one:
full expansion (every enabled thread at every state) with sleep sets (Godefroid 1996), which
reaches exactly one complete execution per Mazurkiewicz trace; paths whose enabled threads
are all asleep are dropped. Two events are dependent when they touch the same location and
one of them writes (a cas counts as a write), or operate on the same mutex. Threads are
replayed from their history to branch (simple, slow, fine for these sizes). The events are
those of the YAML in bench/programs.py under checker's step semantics: one event per shared
read and per shared write, none for local work.

indexer and filesystem are not enumerated here: 12 or more threads are too many for full
expansion; their counts follow from the argument in bench/programs.py.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.setrecursionlimit(100_000)

import programs  # noqa: E402


def _next(gen, value):
    try:
        return gen.send(value)
    except StopIteration:
        return None


class Thread:
    """A thread: its generator function, the results it has received, its next event."""

    def __init__(self, fn, hist=()):
        self.fn, self.hist = fn, list(hist)
        g = fn()
        ev = _next(g, None)
        for v in self.hist:
            ev = _next(g, v)
        self.ev = ev

    def step(self, value) -> "Thread":
        return Thread(self.fn, self.hist + [value])


def dependent(a, b) -> bool:
    if a[0] in ("lock", "unlock") or b[0] in ("lock", "unlock"):
        return a[0] in ("lock", "unlock") and b[0] in ("lock", "unlock") and a[1] == b[1]
    return a[1] == b[1] and not (a[0] == "r" and b[0] == "r")


def execute(ev, mem: dict, locks: dict):
    mem, locks, kind = dict(mem), dict(locks), ev[0]
    value = None
    if kind == "r":
        value = mem.get(ev[1], 0)
    elif kind == "w":
        mem[ev[1]] = ev[2]
    elif kind == "cas":
        value = mem.get(ev[1], 0) == ev[2]
        if value:
            mem[ev[1]] = ev[3]
    elif kind == "lock":
        locks[ev[1]] = True
    elif kind == "unlock":
        locks[ev[1]] = False
    return value, mem, locks


def count(threads, init: dict | None = None) -> tuple[int, int]:
    """(traces, sleep-set-blocked paths)."""
    traces = blocked = 0

    def dfs(ths, mem, locks, sleep):
        nonlocal traces, blocked
        enabled = [i for i, t in enumerate(ths)
                   if t.ev is not None and not (t.ev[0] == "lock" and locks.get(t.ev[1]))]
        if not enabled:
            traces += 1  # every thread finished (or a deadlock: none in these programs)
            return
        awake = [i for i in enabled if i not in sleep]
        if not awake:
            blocked += 1
            return
        done: list[int] = []
        for i in awake:
            ev = ths[i].ev
            nsleep = {j for j in (set(sleep) | set(done)) if not dependent(ths[j].ev, ev)}
            value, mem2, locks2 = execute(ev, mem, locks)
            nths = list(ths)
            nths[i] = ths[i].step(value)
            dfs(nths, mem2, locks2, nsleep)
            done.append(i)

    dfs([Thread(f) for f in threads], dict(init or {}), {}, set())
    return traces, blocked


# -- the programs, as in bench/programs.py ------------------------------------------------------
def readers(n):
    def w():
        yield ("w", "x", 1)

    def r():
        yield ("r", "x")
    return [w] + [r] * n, {}


def lastzero(n):
    def scanner():
        i = n
        while (yield ("r", ("a", i))) != 0:
            i -= 1

    def writer(j):
        def f():
            t = yield ("r", ("a", j - 1))
            yield ("w", ("a", j), t + 1)
        return f
    return [scanner] + [writer(j) for j in range(1, n + 1)], {}


def fib_bench(num):
    def t1():
        for _ in range(num):
            a = yield ("r", "x")
            b = yield ("r", "y")
            yield ("w", "x", a + b)

    def t2():
        for _ in range(num):
            a = yield ("r", "x")
            b = yield ("r", "y")
            yield ("w", "y", a + b)

    def t3():
        yield ("r", "x")
        yield ("r", "y")
    return [t1, t2, t3], {"x": 1, "y": 1}


def straight(threads: dict[str, list[str]]):
    """Threads of `v = x` (read) and `x = 1` (write a constant) statements."""
    fns = []
    for stmts in threads.values():
        events = []
        for st in stmts:
            lhs, rhs = (s.strip() for s in st.split("="))
            events.append(("w", lhs, int(rhs)) if rhs.isdigit() else ("r", rhs))

        def f(events=events):
            for ev in events:
                yield ev
        fns.append(f)
    return fns, {}


BIG0 = {"t1": ["r1 = x", "r2 = y", "r3 = z", "r4 = w", "r5 = x", "r6 = y", "r7 = z"],
        "t2": ["r1 = x", "r2 = y", "r3 = z"],
        "t3": ["x = 1", "y = 1", "x = 2", "y = 2", "x = 3", "y = 3"],
        "t4": ["z = 1", "w = 1", "z = 2", "w = 2", "z = 3", "w = 3"]}


def cases(full: bool):
    for n in (2, 4, 8):
        yield f"readers({n})", readers(n), programs.readers_expected(n)
    for name, (threads, expected) in programs.LITMUS.items():
        yield f"litmus_{name}", straight(threads), expected
    for num in (1, 2, 3):
        yield f"fib_bench({num})", fib_bench(num), programs.fib_bench_expected(num)
    yield "lastzero(5)", lastzero(5), programs.lastzero_expected(5)
    yield "big0", straight(BIG0), programs.BIG0_EXPECTED
    if full:
        yield "lastzero(10)", lastzero(10), programs.lastzero_expected(10)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--all", action="store_true", help="also the slow ones (lastzero(10))")
    args = ap.parse_args()
    print("| program | published | enumerated | match | blocked paths | seconds |")
    print("|---|---:|---:|---|---:|---:|")
    for name, (threads, init), expected in cases(args.all):
        t0 = time.perf_counter()
        traces, blocked = count(threads, init)
        print(f"| {name} | {expected:,} | {traces:,} | {'yes' if traces == expected else 'NO'} | {blocked:,} | "
              f"{time.perf_counter() - t0:.1f} |", flush=True)


if __name__ == "__main__":
    main()
