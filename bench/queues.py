"""Queues: a producer-consumer over a bounded queue, with reduction on and off.

    python bench/queues.py                 # every program, both modes (~10 s)
    python bench/queues.py --only pc_loop  # one program
    python bench/queues.py --no-count      # skip the brute-force trace count (~4 s of it)
    python bench/queues.py --only event_loop_4   # the event loop of 4 tasks

The program: 3 producers each put 2 items (1..6) into `q: queue 2`; 2 consumers each get 3
and add them up; `final:` checks that the two sums make 21. It comes in two forms:

* `pc_loop`: as a user writes it, each thread a bounded `while` loop;
* `pc_unrolled`: the same events without a loop. Without reduction, the stateful search
  counts the interleavings of a loop-free model exactly (by summing paths over its state
  graph), so the `off` row of this form gives the number of interleavings; with loops it
  counts terminal states instead.

Each (program, mode) runs in a fresh subprocess (`--one NAME on|off`), as bench/run.py does:
it verifies a trivial warm-up model first (so that the interpreter, the imports and the first
Z3 context are in the baseline), reads the RSS high-water mark, then runs
`verify(load_text(text, name), Options(reduction=..., timeout=BUDGET))` and prints its figures
as one JSON line. The parent kills a child that outlives the budget by GRACE seconds.

`expected` is the number of Mazurkiewicz traces, counted here by brute force without any
checker code (`count_traces`): every interleaving is enumerated, and two are the same trace
when every location sees its accesses in the same order, with the dependence that
docs/semantics.md ("Queues") documents: the n-th put writes ring position n mod R and the put
end, the n-th get writes position n mod R and the get end (R = the capacity). DPOR (`on`)
should explore exactly that many executions; `interleavings` is the count an `off` run of the
loop-free form should report. Nothing here asserts anything: these are figures, not tests.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

from child import maxrss_mib, run_child, table

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUDGET = 120.0  # seconds of search per run
GRACE = 60.0  # seconds the parent waits beyond the budget before it kills a child

WARMUP = """
model: warmup
inputs: {a: int in 0..1}
shared: {x: 0}
threads: {t: [x = a]}
check: [{final: x == a}]
"""

# 3 producers x 2 puts, 2 consumers x 3 gets, capacity 2
PRODUCERS, PUTS, CONSUMERS, GETS, CAPACITY = 3, 2, 2, 3, 2
TOTAL = sum(range(1, PRODUCERS * PUTS + 1))  # items are 1..6: tid * 2 + k + 1

PC_LOOP = f"""
model: pc_loop
about: 3 producers put 2 items each into a queue of 2; 2 consumers take 3 each and add them up.
shared:
  q: queue {CAPACITY}
  got: int[{CONSUMERS}]
threads:
  producer:
    count: {PRODUCERS}
    locals: {{k: 0}}
    do:
      - while: k < {PUTS}
        do:
          - put q tid * {PUTS} + k + 1
          - k = k + 1
  consumer:
    count: {CONSUMERS}
    locals: {{k: 0, acc: 0}}
    do:
      - while: k < {GETS}
        do:
          - v = get q
          - acc = acc + v
          - k = k + 1
      - got[tid] = acc
check:
  - final: got[0] + got[1] == {TOTAL}
expect: holds
"""

PC_UNROLLED = f"""
model: pc_unrolled
about: pc_loop without loops.
shared:
  q: queue {CAPACITY}
  got: int[{CONSUMERS}]
threads:
  producer:
    count: {PRODUCERS}
    do:
      - put q tid * {PUTS} + 1
      - put q tid * {PUTS} + 2
  consumer:
    count: {CONSUMERS}
    do:
      - a = get q
      - b = get q
      - c = get q
      - got[tid] = a + b + c
check:
  - final: got[0] + got[1] == {TOTAL}
expect: holds
"""

# An event loop of 4 tasks (asyncio style): two producers and two consumers of one loop that
# exchange items through a queue of 1, each awaiting between its items; a put on a full queue
# or a get on an empty one parks the task and frees the loop.
EVENT_LOOP_4 = """\
model: event_loop_4
shared:
  q: queue 1
  got: [0, 0]
threads:
  producer:
    loop: main
    count: 2
    do:
      - put q tid * 2 + 1
      - await
      - put q tid * 2 + 2
  consumer:
    loop: main
    count: 2
    do:
      - a = get q
      - await
      - b = get q
      - got[tid] = a + b
check:
  - final: got[0] + got[1] == 10
expect: holds
"""

# name -> (YAML text, counted by count_traces: True when the program is the producer-consumer)
PROGRAMS = {
    "pc_loop": (PC_LOOP, True),
    "pc_unrolled": (PC_UNROLLED, True),
    "event_loop_4": (EVENT_LOOP_4, False),
}

COLUMNS = ["program", "mode", "verdict", "search", "executions", "expected", "states", "steps", "exec/s",
           "states/s", "seconds", "peak MiB"]


# ---- the brute-force count (no checker code) ------------------------------------------------

def count_traces() -> tuple[int, int]:
    """(interleavings, Mazurkiewicz traces) of the producer-consumer: every interleaving is
    run; its trace is, for each location (each ring position, the put end, the get end),
    the sequence of events that accessed it (all accesses write). A consumer's final write
    to its own cell of `got` conflicts with nothing and is left out of the key."""
    progs = [["put"] * PUTS for _ in range(PRODUCERS)] + [["get"] * GETS + ["local"] for _ in range(CONSUMERS)]
    traces: set = set()
    count = 0

    def dfs(pcs: tuple, items: int, puts: int, gets: int, seen: dict) -> None:
        nonlocal count
        moved = False
        for t, prog in enumerate(progs):
            pc = pcs[t]
            if pc == len(prog):
                continue
            op, ev, nxt = prog[pc], (t, pc), pcs[:t] + (pc + 1,) + pcs[t + 1:]
            if op == "put" and items < CAPACITY:
                moved = True
                acc = dict(seen)
                for loc in (("pos", puts % CAPACITY), "put end"):
                    acc[loc] = acc.get(loc, ()) + (ev,)
                dfs(nxt, items + 1, puts + 1, gets, acc)
            elif op == "get" and items > 0:
                moved = True
                acc = dict(seen)
                for loc in (("pos", gets % CAPACITY), "get end"):
                    acc[loc] = acc.get(loc, ()) + (ev,)
                dfs(nxt, items - 1, puts, gets + 1, acc)
            elif op == "local":
                moved = True
                dfs(nxt, items, puts, gets, seen)
        if not moved:  # every thread has finished (the program cannot deadlock)
            count += 1
            traces.add(tuple(sorted(seen.items(), key=repr)))

    dfs((0,) * len(progs), 0, 0, 0, {})
    return count, len(traces)


# ---- the measured runs ------------------------------------------------------------------------

def one(name: str, mode: str) -> None:
    """Child: verify one program in one mode and print its figures as one JSON line."""
    from checker.verify import Options, load_text, verify

    reduction = mode == "on"
    verify(load_text(WARMUP, "warmup"), Options(reduction=reduction))
    base = maxrss_mib()
    r = verify(load_text(PROGRAMS[name][0], name), Options(reduction=reduction, timeout=BUDGET))
    peak = maxrss_mib()
    print(json.dumps({"verdict": r.verdict.value, "strategy": r.strategy, "expect_met": r.expect_met,
                      "stats": r.stats, "base_mib": base, "peak_mib": peak}, default=str))


def run(name: str, mode: str) -> dict:
    return run_child(__file__, ["--one", name, mode], BUDGET + GRACE)


def row(name: str, mode: str, res: dict, expected: str) -> list[str]:
    if "stats" not in res:
        verdict = res["verdict"] + (f" ({res['error']})" if "error" in res else "")
        return [name, mode, verdict] + ["-"] * (len(COLUMNS) - 3)
    s = res["stats"]
    ex, states, secs = s["executions"], s["states"], s["seconds"]
    stateful = states > 0  # DPOR stores no state
    # a stateful search does not run its executions one by one (it counts them, or they are
    # terminal states): executions per second would mean nothing there, states per second does
    rate = f"{ex / secs:,.0f}" if secs > 0 and not stateful else "-"
    srate = f"{states / secs:,.0f}" if secs > 0 and stateful else "-"
    verdict = res["verdict"] + ("" if res.get("expect_met", True) else " (expect NOT met)")
    return [name, mode, verdict, res["strategy"], f"{ex:,}", expected, f"{states:,}", f"{s['steps']:,}",
            rate, srate, f"{secs:.3f}", f"{res['peak_mib']:.1f}"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="+", metavar="NAME", choices=sorted(PROGRAMS), help="programs to run")
    ap.add_argument("--no-count", action="store_true", help="skip the brute-force count of traces")
    ap.add_argument("--one", nargs=2, metavar=("NAME", "MODE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        one(*args.one)
        return
    t0 = time.perf_counter()
    interleavings = traces = None
    if not args.no_count:
        c0 = time.perf_counter()
        interleavings, traces = count_traces()
        count_s = time.perf_counter() - c0
    rows, bases = [], []
    for name in args.only or list(PROGRAMS):
        counted = PROGRAMS[name][1] and traces is not None
        for mode in ("on", "off"):
            res = run(name, mode)
            if "base_mib" in res:
                bases.append(res["base_mib"])
            if not counted:
                expected = "-"
            elif mode == "on":
                expected = f"{traces:,}"
            else:  # only a loop-free model's 'off' run counts interleavings
                expected = f"{interleavings:,}" if name == "pc_unrolled" else "-"
            r = row(name, mode, res, expected)
            rows.append(r)
            print("  " + " | ".join(r), file=sys.stderr, flush=True)  # progress
    print(table(COLUMNS, rows, {"program", "mode", "verdict", "search"}))
    print()
    print(f"program: {PRODUCERS} producers x {PUTS} puts, {CONSUMERS} consumers x {GETS} gets, "
          f"q: queue {CAPACITY}, final: got[0] + got[1] == {TOTAL}.")
    print("mode: on = Options(reduction=True), off = Options(reduction=False). search: r.strategy.")
    print("executions = stats['executions']: DPOR, complete executions (one per Mazurkiewicz trace); stateful "
          "search, the interleavings of a loop-free model (counted over the state graph), else terminal states.")
    if traces is not None:
        print(f"expected: brute force without checker code ({count_s:.1f} s): {traces:,} Mazurkiewicz traces under "
              f"the documented queue dependence (the 'on' rows), {interleavings:,} interleavings (the 'off' row "
              f"of the loop-free form).")
    print("exec/s = executions / seconds (DPOR rows); states/s = states / seconds (stateful rows, which do not run "
          "their executions one by one); seconds = stats['seconds'] (search only, no start-up or parsing).")
    if bases:
        print(f"peak MiB = peak RSS of the child (resource.getrusage); its baseline before the measured verify "
              f"(interpreter + checker + z3, one trivial model verified) was {min(bases):.1f}..{max(bases):.1f} MiB.")
    print(f"total wall time {time.perf_counter() - t0:.0f} s, {len(rows)} runs, each in its own subprocess "
          f"(budget {BUDGET:.0f} s).")


if __name__ == "__main__":
    main()
