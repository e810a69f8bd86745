"""Benchmark every sample model, with reduction on and off.

    python bench/run.py            # all models in models/*.yaml
    python bench/run.py --quick    # skip the few slow ones (SLOW below)

Prints a Markdown table, one row per model and mode. Each (model, mode) pair runs in a
fresh subprocess of this script (`--one MODEL on|off`), for two reasons: one slow model
cannot hang the table (the parent kills it after TIMEOUT seconds and prints 'timeout'),
and the peak memory of one run is not mixed up with any other run.

Peak memory: we report the subprocess's peak resident set size (resource.getrusage
ru_maxrss) after the verify call, not tracemalloc. tracemalloc sees only allocations made
through Python's allocator; the Z3 solver's native heap (its terms, its SAT state) is
invisible to it, so it would under-report exactly the models that use the solver. The
RSS high-water mark counts everything, at the price of including the fixed cost of the
interpreter with checker and z3 imported and a Z3 solver created (about 20 MiB of it is
the first solver). So each subprocess first verifies a trivial model (WARMUP), reads the
RSS high-water mark (the baseline), then verifies the real model; the baseline range is
printed under the table, and the part due to the search itself is peak minus baseline.
Linux reports ru_maxrss in KiB (macOS in bytes).
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import time

from child import maxrss_mib, run_child, table

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TIMEOUT = 120  # seconds per (model, mode) subprocess

# Models that take more than a few seconds (measured; see bench/README.md). --quick skips them.
SLOW = {"seed_sum_loop2"}  # 2,520 executions under DPOR, ~10 s

# Verified once in each subprocess before the measured run, so that the fixed cost (lazy
# imports, the first Z3 context) is in the baseline and not charged to the first model.
WARMUP = """
model: warmup
inputs: {a: int in 0..1}
shared: {x: 0}
threads: {t: [x = a]}
check: [{final: x == a}]
"""

COLUMNS = ["model", "mode", "verdict", "executions", "states", "steps", "solver calls", "seconds", "peak MiB"]


def one(path: str, mode: str) -> None:
    """Child: verify one model in one mode and print the figures as one JSON line."""
    from checker.verify import Options, load, load_text, verify

    verify(load_text(WARMUP, "warmup"), Options(reduction=(mode == "on")))
    program = load(path)
    base = maxrss_mib()
    r = verify(program, Options(reduction=(mode == "on")))
    peak = maxrss_mib()
    print(json.dumps({"verdict": r.verdict.value, "strategy": r.strategy, "stats": r.stats,
                      "base_mib": base, "peak_mib": peak}))


def run(path: str, mode: str) -> dict:
    return run_child(__file__, ["--one", path, mode], TIMEOUT, width=80)


def row(name: str, mode: str, res: dict) -> list[str]:
    if "stats" not in res:
        verdict = res["verdict"] + (f" ({res['error']})" if "error" in res else "")
        return [name, mode, verdict] + ["-"] * (len(COLUMNS) - 3)
    s = res["stats"]
    return [name, mode, res["verdict"], f"{s['executions']:,}", f"{s['states']:,}", f"{s['steps']:,}",
            f"{s['solver_calls']:,}", f"{s['seconds']:.3f}", f"{res['peak_mib']:.1f}"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="skip the slow models: " + ", ".join(sorted(SLOW)))
    ap.add_argument("--one", nargs=2, metavar=("MODEL", "MODE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        one(*args.one)
        return
    paths = sorted(glob.glob(os.path.join(ROOT, "models", "*.yaml")))
    rows, bases, skipped = [], [], []
    t0 = time.perf_counter()
    for path in paths:
        name = os.path.splitext(os.path.basename(path))[0]
        if args.quick and name in SLOW:
            skipped.append(name)
            continue
        for mode in ("on", "off"):
            res = run(os.path.relpath(path, ROOT), mode)
            if "base_mib" in res:
                bases.append(res["base_mib"])
            rows.append(row(name, mode, res))
    print(table(COLUMNS, rows, set(COLUMNS[:3])))
    print()
    print("mode: on = Options(reduction=True) (DPOR for loop-free models, stateful search with sleep sets")
    print("for models with loops); off = Options(reduction=False) (stateful search, every interleaving).")
    if bases:
        print(f"peak MiB = peak RSS of the subprocess (resource.getrusage); its baseline before the "
              f"measured verify (interpreter + checker + z3, one trivial model verified) was {min(bases):.1f}..{max(bases):.1f} MiB.")
    if skipped:
        print("skipped (--quick): " + ", ".join(skipped))
    print(f"total wall time {time.perf_counter() - t0:.0f} s, {len(rows)} runs, "
          f"each in its own subprocess (timeout {TIMEOUT} s).")


if __name__ == "__main__":
    main()
