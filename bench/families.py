"""Parameterised families of models: how the search scales with the number of threads.

    python bench/families.py               # every family
    python bench/families.py readers seed  # only these (names: readers, locked, adders,
                                           #   ranges, philosophers, seed)

Each model is generated as YAML text in memory and run through load_text + verify in this
process. Every run has a budget (Options(timeout=BUDGET)), so a run that is too slow ends
as 'unknown' instead of hanging the table. Where the number of executions is known in
closed form it is printed next to the measured one; these are figures, not tests: nothing
here asserts anything, and in particular never a wall-clock time.

mode 'on' is Options(reduction=True) (DPOR for these loop-free models), 'off' is
Options(reduction=False) (stateful search; its 'executions' is the exact number of
interleavings, counted by summing paths over the state graph, not by running them).
"""
from __future__ import annotations

import math
import sys
import time

from checker.verify import Options, load_text, verify

BUDGET = 60.0  # seconds per verify call


def run(text: str, reduction: bool) -> dict:
    t0 = time.perf_counter()
    r = verify(load_text(text), Options(reduction=reduction, timeout=BUDGET))
    s = dict(r.stats)
    s["verdict"] = r.verdict.value
    s["wall"] = time.perf_counter() - t0
    return s


def table(title: str, columns: list[str], rows: list[list]) -> None:
    print(f"### {title}\n")
    print("| " + " | ".join(columns) + " |")
    print("|" + "|".join("---:" if i else "---" for i in range(len(columns))) + "|")
    for r in rows:
        print("| " + " | ".join(_fmt(x) for x in r) + " |")
    print(flush=True)


def _fmt(x) -> str:
    if x is None:
        return "-"
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int):
        return f"{x:,}"
    if isinstance(x, float):
        return f"{x:.3f}"
    return str(x)


def _same(measured: dict, expected: int | None) -> str:
    if expected is None or measured["verdict"] == "unknown":
        return "-"
    return "yes" if measured["executions"] == expected else "NO"


# -- (a) readers(N): one writer `x = 1`, N readers `r = x` -----------------------------------
def readers_model(n: int) -> str:
    return f"""
model: readers{n}
shared: {{x: 0}}
threads:
  writer: [x = 1]
  reader: {{count: {n}, do: [r = x]}}
"""


def family_readers() -> None:
    rows = []
    for n in range(1, 11):
        on = run(readers_model(n), True)
        row = [n, on["verdict"], on["executions"], 2 ** n, _same(on, 2 ** n), on["seconds"]]
        if n <= 7:
            off = run(readers_model(n), False)
            exp = math.factorial(n + 1)
            row += [off["executions"], exp, _same(off, exp), off["states"], off["seconds"]]
        else:
            row += [None] * 5
        rows.append(row)
    table("(a) readers(N): one thread `x = 1`, N threads `r = x`",
          ["N", "verdict", "executions on", "expected 2^N", "match", "seconds on",
           "executions off", "expected (N+1)!", "match", "states off", "seconds off"], rows)


# -- (b) N threads `lock m; r = x; x = r + 1; unlock m` -------------------------------------
def locked_model(n: int) -> str:
    return f"""
model: locked{n}
shared: {{x: 0, m: mutex}}
threads:
  t:
    count: {n}
    do: [lock m, r = x, x = r + 1, unlock m]
check:
  - final: x == {n}
"""


def family_locked() -> None:
    rows = []
    for n in range(1, 7):
        exp = math.factorial(n)
        on, off = run(locked_model(n), True), run(locked_model(n), False)
        rows.append([n, on["verdict"], on["executions"], off["executions"], exp, _same(on, exp), _same(off, exp),
                     on["steps"], on["seconds"], off["states"], off["seconds"]])
    table("(b) N threads `lock m; r = x; x = r + 1; unlock m`, final x == N",
          ["N", "verdict", "executions on", "executions off", "expected N!", "match on", "match off",
           "steps on", "seconds on", "states off", "seconds off"], rows)


# -- (c) N threads `r = x; x = r + K_i`, K_i = 2^i ------------------------------------------
def adders_model(n: int) -> str:
    threads = "\n".join(f"  t{i}: [r = x, x = r + {2 ** i}]" for i in range(n))
    return f"""
model: adders{n}
shared: {{x: 0}}
threads:
{threads}
check:
  - final: x >= 0
"""


def family_adders() -> None:
    rows = []
    for n in range(1, 5):
        exp = math.factorial(n) ** 2
        on, off = run(adders_model(n), True), run(adders_model(n), False)
        inter = math.factorial(2 * n) // 2 ** n
        rows.append([n, on["verdict"], on["executions"], exp, _same(on, exp), on["blocked"], on["steps"],
                     on["seconds"], off["executions"], inter, _same(off, inter), off["seconds"]])
    table("(c) N threads `r = x; x = r + K_i` with K_i = 1, 2, 4, 8 (final x >= 0 holds)",
          ["N", "verdict", "executions on", "expected (N!)^2", "match", "blocked on", "steps on", "seconds on",
           "executions off", "expected (2N)!/2^N", "match", "seconds off"], rows)


# -- (d) the lost update with narrow and wide input ranges ----------------------------------
def lost_update_model(decl: str, locked: bool) -> str:
    lock, unlock = ("    - lock m\n", "    - unlock m\n") if locked else ("", "")
    body = f"{lock}    - tmp = w\n    - w = tmp + {{g}}\n{unlock}"
    return f"""
model: lost-update{'-locked' if locked else ''}
inputs:
  g1: {decl}
  g2: {decl}
shared:
  w: 0
  m: mutex
threads:
  worker_a:
{body.format(g='g1')}
  worker_b:
{body.format(g='g2')}
check:
  - final: w == g1 + g2
"""


RANGES = ("int in 0..1", "int in -100..100", "int in -1000000..1000000",
          "int in -1000000000000..1000000000000", "int")


def family_ranges() -> None:
    rows = []
    for locked in (False, True):
        for decl in RANGES:
            for red in (True, False):
                s = run(lost_update_model(decl, locked), red)
                rows.append(["locked" if locked else "unlocked", decl, "on" if red else "off", s["verdict"],
                             s["executions"], s["steps"], s["solver_calls"], s["seconds"]])
    table("(d) lost update of two workers (the spec's first model; 'locked' adds lock m / unlock m around "
          "each read-modify-write), inputs g1, g2 declared as INPUT",
          ["variant", "INPUT", "mode", "verdict", "executions", "steps", "solver calls", "seconds"], rows)


# -- (e) dining philosophers -----------------------------------------------------------------
def philosophers_model(n: int, ordered: bool) -> str:
    if ordered:
        body = f"""    locals: {{first: 0, second: 0}}
    do:
      - if: tid == {n - 1}
        then: [first = 0, second = {n - 1}]
        else: [first = tid, second = tid + 1]
      - lock forks[first]
      - lock forks[second]
      - {{atomic: [meals = meals + 1]}}
      - unlock forks[second]
      - unlock forks[first]"""
    else:
        body = f"""    do:
      - lock forks[tid]
      - lock forks[(tid + 1) % {n}]
      - {{atomic: [meals = meals + 1]}}
      - unlock forks[(tid + 1) % {n}]
      - unlock forks[tid]"""
    return f"""
model: philosophers{n}{'_ordered' if ordered else ''}
shared:
  forks: mutex[{n}]
  meals: 0
threads:
  phil:
    count: {n}
{body}
check:
  - final: meals == {n}
"""


def family_philosophers() -> None:
    rows = []
    for n in range(3, 8):
        for ordered in (False, True):
            on = run(philosophers_model(n, ordered), True)
            off = run(philosophers_model(n, ordered), False)
            rows.append([n, "ordered" if ordered else "left first", on["verdict"], on["executions"], on["blocked"],
                         on["steps"], on["seconds"], off["verdict"], off["executions"], off["states"],
                         off["seconds"]])
    table("(e) dining philosophers: left fork first (deadlocks) / lower-numbered fork first (holds)",
          ["N", "forks", "verdict on", "executions on", "blocked on", "steps on", "seconds on",
           "verdict off", "executions off", "states off", "seconds off"], rows)


# -- (f) the seed program --------------------------------------------------------------------
def seed_model(k: int) -> str:
    return f"""
model: seed{k}
shared:
  d: int[10]
  m: mutex
threads:
  worker:
    count: {k}
    do:
      - lock m
      - i = any 0..9
      - d[i] = d[i] + tid
      - unlock m
check:
  - final: sum(d) == {k * (k - 1) // 2}
"""


def family_seed() -> None:
    rows = []
    for k in range(2, 5):
        for red in (True, False):
            s = run(seed_model(k), red)
            exp = math.factorial(k)  # one execution per order of the K critical sections; `any` is symbolic
            rows.append([k, k * (k - 1) // 2, "on" if red else "off", s["verdict"], s["executions"], exp,
                         _same(s, exp), s["steps"], s["solver_calls"], s["seconds"]])
    table("(f) seed: K workers add tid into d[any 0..9] under one mutex, final sum(d) == K*(K-1)/2",
          ["K", "sum", "mode", "verdict", "executions", "expected K!", "match", "steps", "solver calls",
           "seconds"], rows)


FAMILIES = {"readers": family_readers, "locked": family_locked, "adders": family_adders,
            "ranges": family_ranges, "philosophers": family_philosophers, "seed": family_seed}


def main(argv: list[str]) -> None:
    names = argv or list(FAMILIES)
    unknown = [n for n in names if n not in FAMILIES]
    if unknown:
        sys.exit(f"unknown family {', '.join(unknown)}; choose from {', '.join(FAMILIES)}")
    t0 = time.perf_counter()
    for name in names:
        FAMILIES[name]()
    print(f"total wall time {time.perf_counter() - t0:.0f} s; 'seconds' is the search time reported by "
          f"verify (stats['seconds']); budget {BUDGET:.0f} s per run.")


if __name__ == "__main__":
    main(sys.argv[1:])
