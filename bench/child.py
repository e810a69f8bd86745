"""What the bench scripts share: each measured run in a child process of its own, and the
Markdown table they print. A child prints one JSON line as its last line of stdout."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def maxrss_mib() -> float:
    """This process's peak resident set size, MiB (`resource.getrusage`)."""
    import resource

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def run_child(script: str, args: list[str], timeout: float, width: int = 100) -> dict:
    """Run `python script ARGS` from the repository root, killed after `timeout` seconds. The
    child's last stdout line, parsed as JSON, plus `wall` (seconds); or {"verdict": "timeout"},
    or {"verdict": "error", "error": the last unindented stderr line, cut to `width`}."""
    cmd = [sys.executable, os.path.abspath(script)] + args
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"verdict": "timeout", "wall": time.perf_counter() - t0}
    if p.returncode != 0 or not p.stdout.strip():
        lines = [ln for ln in p.stderr.splitlines() if ln.strip() and not ln[0].isspace()]
        err = (lines or [f"exit code {p.returncode}, no output"])[-1]
        return {"verdict": "error", "error": err[:width], "wall": time.perf_counter() - t0}
    out = json.loads(p.stdout.strip().splitlines()[-1])
    out["wall"] = time.perf_counter() - t0
    return out


def table(columns: tuple, rows: list[list[str]], left: set) -> str:
    """A Markdown table: the columns named in `left` aligned left, the others right."""
    lines = ["| " + " | ".join(columns) + " |",
             "|" + "|".join("---" if c in left else "---:" for c in columns) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)
