"""checker against SPIN on the same programs, end to end.

    python bench/spin_compare.py                 # every program (~1 min)
    python bench/spin_compare.py peterson readers8   # only these

Each program is written twice, by hand: in Promela (bench/spin/NAME.pml) and in checker's
YAML (models/NAME.yaml for the sample models, bench/spin/NAME.yaml for the others). For each
one the script times, as wall-clock time of whole commands (subprocesses):

* SPIN: `spin -a NAME.pml`, `gcc -O2 -DSAFETY -o pan pan.c`, `./pan -m100000` in a scratch
  directory. Partial-order reduction is pan's default (it is on unless compiled with
  -DNOREDUCE; pan's banner says `+ Partial Order Reduction`, checked below). -DSAFETY is
  right for every property here: assertions (the `final:` and `always:` properties become
  assertions) and invalid end states (deadlocks). -m100000 raises the depth limit so that
  no search is truncated; a truncated one would print `bounded`.
* checker: `checker verify MODEL` (the console script next to this interpreter), verdict
  from its exit code (0 holds, 1 violated, 3 bounded/unknown, 2 invalid).

and prints one row per program. pan stops at its first error; checker decides every
property of the model, so on a violated model it may go on exploring to prove the others
(seed_sum_unlocked: all 576 executions, for `no deadlock` and `no runtime error`). If `spin` (or a C
compiler) is not installed the script says so and exits 0. Nothing here asserts anything:
a disagreement is printed in the `agree` column, and no time is checked.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SPIN_DIR = os.path.join(HERE, "spin")
TIMEOUT = 600  # seconds per command

# (name, Promela file in bench/spin, checker model relative to ROOT)
PROGRAMS = [
    ("lost_update", "lost_update.pml", "models/lost_update.yaml"),
    ("lost_update_locked", "lost_update_locked.pml", "models/lost_update_locked.yaml"),
    ("seed_sum_locked", "seed_sum_locked.pml", "models/seed_sum_locked.yaml"),
    ("seed_sum_unlocked", "seed_sum_unlocked.pml", "models/seed_sum_unlocked.yaml"),
    ("seed_sum_locked_loop", "seed_sum_locked_loop.pml", "bench/spin/seed_sum_locked_loop.yaml"),
    ("peterson", "peterson.pml", "models/peterson.yaml"),
    ("philosophers5", "philosophers5.pml", "models/philosophers5.yaml"),
    ("philosophers5_ordered", "philosophers5_ordered.pml", "models/philosophers5_ordered.yaml"),
    ("readers8", "readers8.pml", "bench/spin/readers8.yaml"),
    ("lastzero5", "lastzero5.pml", "bench/spin/lastzero5.yaml"),
    ("nondet_sum", "nondet_sum.pml", "bench/spin/nondet_sum.yaml"),
]

COLUMNS = ["program", "SPIN verdict", "SPIN s", "pan s", "SPIN states", "checker verdict", "checker s",
           "search s", "checker/SPIN", "agree"]


def _run(cmd: list[str], cwd: str) -> tuple[subprocess.CompletedProcess | None, float]:
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, time.perf_counter() - t0
    return p, time.perf_counter() - t0


def spin(pml: str) -> dict:
    """spin -a, gcc, ./pan in a scratch directory; the verdict from pan's report."""
    with tempfile.TemporaryDirectory(prefix="spin_") as tmp:
        shutil.copy(pml, os.path.join(tmp, "model.pml"))
        total = 0.0
        for cmd in (["spin", "-a", "model.pml"], [os.environ.get("CC", "gcc"), "-O2", "-DSAFETY", "-o", "pan", "pan.c"]):
            p, secs = _run(cmd, tmp)
            total += secs
            if p is None or p.returncode != 0:
                why = "timeout" if p is None else (p.stderr or p.stdout).strip().splitlines()[-1:]
                return {"verdict": f"error ({cmd[0]}: {why})", "seconds": total}
        p, pan_secs = _run(["./pan", "-m100000"], tmp)
        total += pan_secs
    if p is None:
        return {"verdict": "timeout", "seconds": total}
    out = p.stdout
    m = re.search(r"errors: (\d+)", out)
    if m is None:
        return {"verdict": "error (no 'errors:' in pan output)", "seconds": total}
    states = re.search(r"(\d+) states, stored", out)
    res = {"seconds": total, "pan": pan_secs, "states": int(states.group(1)) if states else None,
           "por": "+ Partial Order Reduction" in out}
    if int(m.group(1)) > 0:
        first = re.search(r"pan:\d+: (assertion violated|invalid end state)", out)  # the error line
        kind = {"assertion violated": "assert", "invalid end state": "deadlock"}.get(
            first.group(1) if first else "", "other")
        res["verdict"] = f"violated ({kind})"
    elif "max search depth too small" in out:
        res["verdict"] = "bounded"
    else:
        res["verdict"] = "holds"
    return res


def checker_cmd() -> list[str]:
    exe = os.path.join(os.path.dirname(sys.executable), "checker")
    if os.path.exists(exe):
        return [exe]
    found = shutil.which("checker")
    return [found] if found else [sys.executable, "-c", "from checker.cli import app; app()"]


def checker(model: str) -> dict:
    p, secs = _run(checker_cmd() + ["verify", model], ROOT)
    if p is None:
        return {"verdict": "timeout", "seconds": secs}
    first = p.stdout.splitlines()[0] if p.stdout else ""
    violated = re.search(r"VIOLATED(?: \(([^)]*)\))?", first)
    if p.returncode == 0 and "HOLDS" in first:
        verdict = "holds"
    elif p.returncode == 1 and violated:  # exit code 1 without VIOLATED: a crash (a Python traceback)
        verdict = f"violated ({violated.group(1)})" if violated.group(1) else "violated"
    elif p.returncode == 3 and first:
        verdict = "bounded" if "BOUNDED" in first else "unknown"
    else:
        lines = (p.stderr or p.stdout).strip().splitlines()
        verdict = f"error ({lines[-1][:80] if lines else p.returncode})"
    m = re.search(r"explored: .*?([0-9.]+) s \[", p.stdout)  # verify's own search time
    return {"verdict": verdict, "seconds": secs, "search": float(m.group(1)) if m else None}


def same(a: str, b: str) -> str:
    word = lambda v: v.split(" ")[0]  # noqa: E731  (holds / violated / bounded / ...)
    return "yes" if word(a) == word(b) and word(a) in ("holds", "violated") else "NO"


def main(argv: list[str]) -> int:
    missing = [t for t in ("spin", os.environ.get("CC", "gcc")) if shutil.which(t) is None]
    if missing:
        print(f"spin_compare: skipped: {' and '.join(missing)} not installed "
              f"(Debian/Ubuntu: apt-get install -y spin gcc).")
        return 0
    chosen = [p for p in PROGRAMS if not argv or p[0] in argv]
    unknown = [a for a in argv if a not in {p[0] for p in PROGRAMS}]
    if unknown:
        print(f"unknown program {', '.join(unknown)}; choose from {', '.join(p[0] for p in PROGRAMS)}")
        return 2
    version = subprocess.run(["spin", "-V"], capture_output=True, text=True).stdout.strip()
    rows, no_por = [], []
    t0 = time.perf_counter()
    for name, pml, model in chosen:
        s = spin(os.path.join(SPIN_DIR, pml))
        c = checker(model)
        if s.get("por") is False:
            no_por.append(name)
        ratio = f"{c['seconds'] / s['seconds']:.1f}" if s["seconds"] > 0 else "-"
        row = [name, s["verdict"], f"{s['seconds']:.2f}", f"{s['pan']:.2f}" if "pan" in s else "-",
               f"{s['states']:,}" if s.get("states") is not None else "-", c["verdict"], f"{c['seconds']:.2f}",
               f"{c['search']:.2f}" if c.get("search") is not None else "-", ratio, same(s["verdict"], c["verdict"])]
        rows.append(row)
        print("  " + " | ".join(row), file=sys.stderr, flush=True)  # progress
    print("| " + " | ".join(COLUMNS) + " |")
    print("|---|---|---:|---:|---:|---|---:|---:|---:|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print()
    print(f"{version}; SPIN s = wall time of spin -a + gcc -O2 -DSAFETY + ./pan -m100000 (pan s: ./pan alone; "
          f"SPIN states: states stored by pan, with partial-order reduction on).")
    print("checker s = wall time of `checker verify MODEL` (interpreter start-up included); search s: the search "
          "time it reports ('explored: ... s'); checker/SPIN = checker s / SPIN s. agree: same verdict (holds/violated).")
    if no_por:
        print("warning: pan ran without partial-order reduction for: " + ", ".join(no_por))
    print(f"total wall time {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
