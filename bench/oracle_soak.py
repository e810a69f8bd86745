"""Soak the explorer against the independent oracle (tests/oracle) on random programs.

    python bench/oracle_soak.py                          # 5 minutes, a random seed, every config
    python bench/oracle_soak.py --seed 7 --count 500     # reproducible: 500 programs from seed 7
    python bench/oracle_soak.py --config count-safe --threads 2 6 --units 1 4 --max-interleavings 50000
    python bench/oracle_soak.py --strategies dpor --no-nested-atomics --minutes 30
    python bench/oracle_soak.py --config spin --minutes 10        # spin-waits ({while: "flag == 0", do: []})
    python bench/oracle_soak.py --config tasks-count --minutes 5  # event-loop tasks (also: queues, spawn, *-count)

The same comparisons as tests/test_oracle.py, with random seeds and larger programs, outside
CI. Per program: the oracle explores every interleaving (skipped past --budget steps); then
each strategy must reach the same violations, final states and deadlocks (`differences`), and
on count-safe loop-free programs that cannot fail, DPOR must explore exactly one execution per
Mazurkiewicz trace with no sleep-set-blocked exploration; without reduction ('stateful-full'),
a loop-free program without violations must have as many executions as interleavings (counts
are never compared on programs with loops, spin-waits included: `Result.count_safe`). Prints
each failure with its model text, and at the end the counts. Exit code 1 if anything failed.
Nothing here is timed against a threshold.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import time
import traceback
from dataclasses import replace

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

from helpers import search  # noqa: E402
from oracle import gen, gen_queues  # noqa: E402
from oracle.interp import TooBig, Unsupported, differences, run  # noqa: E402

CONFIGS = {"general": gen.GENERAL, "count-safe": gen.COUNT_SAFE, "inputs": gen.WITH_INPUTS, "spin": gen.SPIN}
# the families of tests/oracle/gen_queues.py: queues and timed waits, spawned threads, event-loop
# tasks; a "-count" family draws only programs whose traces are counted exactly
FAMILIES = {
    "queues": (gen_queues.random_queue_model, gen_queues.QUEUE_GENERAL),
    "queues-count": (gen_queues.random_queue_model, gen_queues.QUEUE_COUNTS),
    "spawn": (gen_queues.random_queue_model, gen_queues.SPAWN_GENERAL),
    "spawn-count": (gen_queues.random_queue_model, gen_queues.SPAWN_COUNTS),
    "tasks": (gen_queues.random_task_model, gen_queues.TASK_GENERAL),
    "tasks-count": (gen_queues.random_task_model, gen_queues.TASK_COUNTS),
}
STRATEGIES = ["dpor", "stateful", "stateful-full"]


def check(text: str, cfg_name: str, strategies: list[str], budget: int) -> tuple[str, list[str]]:
    """('skipped' | 'checked', problems) for one program."""
    try:
        o = run(text, budget)
    except TooBig:
        return "skipped", []
    except Unsupported as e:  # a form the oracle does not implement: not the checker's fault
        print(f"  (oracle: unsupported: {e})")
        return "unsupported", []
    except Exception:  # a bug in the oracle (or in the parser): report it with the program
        return "checked", [f"[oracle] crashed:\n{traceback.format_exc()}"]
    problems = []
    for strategy in strategies:
        try:
            x = search(text, strategy, keep_going=True)
        except Exception:  # a crash of the checker is a failure too
            problems.append(f"[{strategy}] crashed:\n{traceback.format_exc()}")
            continue
        problems += [f"[{strategy}] {p}" for p in differences(x, o)]
        exact = o.count_safe and not (cfg_name in FAMILIES and o.step_violation)
        if strategy == "dpor" and (cfg_name == "count-safe" or cfg_name.endswith("-count")) and exact:
            if x.stats.executions != o.traces:
                problems.append(f"[dpor] {x.stats.executions} executions for {o.traces} Mazurkiewicz traces")
            if x.stats.blocked:
                problems.append(f"[dpor] {x.stats.blocked} sleep-set blocked explorations")
        if strategy == "stateful-full" and exact and not o.symbolic() and not o.violations:
            if x.stats.executions != o.executions:
                problems.append(f"[stateful-full] {x.stats.executions} executions for {o.executions} interleavings")
    return "checked", problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=None, help="random seed (default: a fresh one, printed)")
    ap.add_argument("--count", type=int, default=None, help="programs to generate (default: until --minutes)")
    ap.add_argument("--minutes", type=float, default=5.0)
    ap.add_argument("--config", choices=[*CONFIGS, *FAMILIES, "all"], default="all")
    ap.add_argument("--strategies", nargs="+", default=STRATEGIES, choices=STRATEGIES)
    ap.add_argument("--threads", nargs=2, type=int, default=[2, 6], metavar=("MIN", "MAX"))
    ap.add_argument("--units", nargs=2, type=int, default=[1, 4], metavar=("MIN", "MAX"),
                    help="statements (or small groups) per thread")
    ap.add_argument("--max-interleavings", type=int, default=30_000,
                    help="the generator trims programs whose estimated plain interleavings exceed this")
    ap.add_argument("--budget", type=int, default=300_000, help="oracle steps per program; bigger ones are skipped")
    ap.add_argument("--no-nested-atomics", action="store_true", help="leave out atomic blocks inside atomic blocks")
    ap.add_argument("--max-failures", type=int, default=20, help="stop after this many failing programs")
    args = ap.parse_args()

    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 32)
    rng = random.Random(seed)
    names = [*CONFIGS, *FAMILIES] if args.config == "all" else [args.config]
    configs = {n: replace(CONFIGS[n], threads=tuple(args.threads), units=tuple(args.units),
                          max_interleavings=args.max_interleavings,
                          nested_atomics=not args.no_nested_atomics) for n in names if n in CONFIGS}
    print(f"oracle soak: seed {seed}, configs {', '.join(names)}, strategies {', '.join(args.strategies)}", flush=True)
    started = time.monotonic()
    deadline = started + args.minutes * 60
    counts = {"generated": 0, "checked": 0, "skipped": 0, "unsupported": 0, "failed": 0}
    k = 0
    while (args.count is None or k < args.count) and (args.count is not None or time.monotonic() < deadline):
        name = names[k % len(names)]
        if name in FAMILIES:
            draw, cfg = FAMILIES[name]
            text = draw(rng, cfg)
        else:
            text = gen.random_model(rng, configs[name])
        k += 1
        counts["generated"] += 1
        status, problems = check(text, name, args.strategies, args.budget)
        counts[status] += 1
        if problems:
            counts["failed"] += 1
            print(f"--- FAILED: program {k} (seed {seed}, config {name})", flush=True)
            for p in problems:
                print(f"  {p}")
            print(text, flush=True)
            if counts["failed"] >= args.max_failures:
                break
        if k % 10 == 0:
            print(f"  ... {k} programs, {counts['failed']} failed, {time.monotonic() - started:.0f} s", flush=True)
    print("programs: " + ", ".join(f"{v} {n}" for n, v in counts.items()) + f" (seed {seed})")
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
