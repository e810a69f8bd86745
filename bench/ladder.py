"""The field's DPOR benchmark ladder: published programs, published trace counts.

    python bench/ladder.py                          # every program (~8 min, see bench/README.md)
    python bench/ladder.py --quick                  # the small sizes only (~30 s)
    python bench/ladder.py --only readers lastzero(5) litmus   # families or single programs
    python bench/ladder.py --timeout 60             # budget per program (default 120 s)
    python bench/ladder.py --only big0 --repeat 5   # the fastest of 5 runs (a shared machine's noise)

The programs (readers, lastzero, indexer, filesystem, fib_bench, litmus tests, big0) are
generated as checker YAML by bench/programs.py, whose docstrings cite the source of each
program and its published number of Mazurkiewicz traces. Each program runs in a fresh
subprocess (`--one NAME`): it verifies a trivial warm-up model (so that the interpreter, the
imports and the first Z3 context are in the baseline), then
`verify(load_text(text, name), Options(timeout=S))` (the default options, plus the budget,
so that a run over budget ends `unknown` with the executions it reached), and prints its
figures as one JSON line. The parent kills a child that outlives the budget by GRACE
seconds (`timeout` in the table, no figures).

An optimal DPOR explores exactly one complete execution per Mazurkiewicz trace, and none
blocked by its sleep sets: `executions == expected` and `blocked == 0`. The mark column
flags a complete run where that is not so. Nothing here asserts anything: these are figures.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import programs  # noqa: E402  (bench/programs.py, next to this file)
from child import maxrss_mib, run_child, table  # noqa: E402

DEFAULT_TIMEOUT = 120.0  # seconds of search per program
GRACE = 60.0  # seconds the parent waits beyond the budget before it kills a child

WARMUP = """
model: warmup
inputs: {a: int in 0..1}
shared: {x: 0}
threads: {t: [x = a]}
check: [{final: x == a}]
"""

COLUMNS = ["program", "expected", "executions", "blocked", "verdict", "search", "exec/s", "seconds",
           "peak MiB", "mark"]


def entries() -> dict[str, tuple]:
    return {e[0]: e for e in programs.ladder()}


def one(name: str, timeout: float) -> None:
    """Child: verify one ladder program and print its figures as one JSON line."""
    from checker.verify import Options, load_text, verify

    _, _, text, _, _ = entries()[name]
    verify(load_text(WARMUP, "warmup"), Options())
    base = maxrss_mib()
    r = verify(load_text(text, name), Options(timeout=timeout))
    peak = maxrss_mib()
    print(json.dumps({"verdict": r.verdict.value, "strategy": r.strategy, "reason": r.reason,
                      "stats": r.stats, "base_mib": base, "peak_mib": peak}, default=str))


def run(name: str, timeout: float) -> dict:
    return run_child(__file__, ["--one", name, "--timeout", str(timeout)], timeout + GRACE)


def row(name: str, expected: int, res: dict) -> list[str]:
    if "stats" not in res:
        verdict = res["verdict"] + (f" ({res['error']})" if "error" in res else "")
        return [name, f"{expected:,}", "-", "-", verdict, "-", "-", "-", "-", res["verdict"]]
    s = res["stats"]
    ex, blocked, secs = s["executions"], s.get("blocked"), s["seconds"]
    rate = f"{ex / secs:,.0f}" if secs > 0 else "-"
    marks = []
    if res["verdict"] == "unknown":
        marks.append("budget")  # the search stopped early: executions is a lower bound
    elif ex != expected:
        marks.append("≠ expected")
    if blocked:
        marks.append("blocked > 0")
    return [name, f"{expected:,}", f"{ex:,}", "-" if blocked is None else f"{blocked:,}", res["verdict"],
            res["strategy"], rate, f"{secs:.3f}", f"{res['peak_mib']:.1f}", ", ".join(marks)]


def fastest(results: list[dict]) -> dict:
    """The run with the fewest seconds of search among those that gave figures (else the first)."""
    timed = [r for r in results if "stats" in r]
    return min(timed, key=lambda r: r["stats"]["seconds"]) if timed else results[0]


def select(only: list[str] | None, quick: bool) -> list[tuple]:
    chosen = []
    for e in programs.ladder():
        name, family = e[0], e[1]
        if only and name not in only and family not in only:
            continue
        if quick and not e[4]:
            continue
        chosen.append(e)
    return chosen


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="+", metavar="NAME",
                    help="families (readers, lastzero, lastzero_unrolled, indexer, indexer_unrolled, filesystem, "
                         "filesystem_unrolled, fib_bench, fib_bench_loop, litmus, big0) or programs (readers(8), "
                         "litmus_SB, ...)")
    ap.add_argument("--quick", action="store_true", help="the small sizes only")
    ap.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="search budget per program, seconds")
    ap.add_argument("--repeat", type=int, default=1, metavar="N",
                    help="run each program N times (each in its own subprocess) and report the fastest run")
    ap.add_argument("--one", metavar="NAME", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        one(args.one, args.timeout)
        return
    chosen = select(args.only, args.quick)
    if not chosen:
        known = sorted({e[1] for e in programs.ladder()})
        sys.exit(f"nothing selected; families: {', '.join(known)}")
    rows, bases = [], []
    t0 = time.perf_counter()
    for name, _, _, expected, _ in chosen:
        res = fastest([run(name, args.timeout) for _ in range(max(1, args.repeat))])
        if "base_mib" in res:
            bases.append(res["base_mib"])
        r = row(name, expected, res)
        rows.append(r)
        print("  " + " | ".join(r), file=sys.stderr, flush=True)  # progress
    print(table(COLUMNS, rows, {"program", "verdict", "search", "mark"}))
    print()
    print("expected: published number of Mazurkiewicz traces (bench/programs.py cites each source). "
          "executions, blocked: stats['executions'], stats['blocked'].")
    print("search: r.strategy, the search that ran; for a stateful search 'executions' counts terminal states, "
          "not traces, so it cannot be compared with 'expected'.")
    print("exec/s = executions / seconds; seconds = stats['seconds'] (search only)"
          + (f", the fastest of {args.repeat} runs (--repeat). " if args.repeat > 1 else ". ") +
          "mark: '≠ expected' on a complete run whose count differs, 'budget' when the search budget ran out "
          "(executions is then a lower bound), 'blocked > 0' when sleep sets blocked executions.")
    if bases:
        print(f"peak MiB = peak RSS of the child (resource.getrusage); its baseline before the measured verify "
              f"was {min(bases):.1f}..{max(bases):.1f} MiB.")
    print(f"total wall time {time.perf_counter() - t0:.0f} s, {len(rows)} programs, each in its own subprocess "
          f"(budget {args.timeout:.0f} s).")


if __name__ == "__main__":
    main()
