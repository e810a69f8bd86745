"""The proof summary: what a verdict rests on, as (field, value) rows of plain text.

A reviewer should be able to tell from it what was explored (executions, states, steps, the
search and its reduction), what the solver did (calls: each decided a path condition or
discharged an obligation), which bounds and budgets applied, and exactly which model and
tools produced it (the model file's sha256, checker's and z3-solver's versions, the date).

`Provenance` is gathered by the caller, which reads the model file (renderers do no I/O):
`provenance(data, when)` with the file's bytes and the time of the run.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata

from checker import __version__
from checker.render.words import plural
from checker.result import Result, Verdict

CLAIM = {
    Verdict.HOLDS: "holds: a complete proof, for every schedule and every input in range",
    Verdict.VIOLATED: "violated: a counterexample with concrete inputs, replayed step by step",
    Verdict.BOUNDED: "bounded: no violation within the bound; not a proof",
    Verdict.UNKNOWN: "unknown: a budget ran out or the solver could not decide; not a proof",
}

SEARCH = {  # Exploration.strategy -> what its completeness claim rests on (docs/soundness.md)
    "optimal dpor": "Optimal DPOR: one execution per Mazurkiewicz trace (partial-order reduction)",
    "every interleaving": "every interleaving, stateless, no reduction (--no-reduction)",
    "stateful, persistent sets": "stateful search: state caching and persistent sets (partial-order reduction)",
    "stateful, every interleaving": "stateful search: state caching, every interleaving, no reduction (--no-reduction)",
}


@dataclass(frozen=True)
class Provenance:
    """Where a report's claims come from: the sha256 of the model file's bytes, the date of
    the run (UTC, ISO 8601), and the versions of checker and z3-solver."""

    sha256: str
    date: str
    checker: str
    z3: str


def version(distribution: str, fallback: str = "unknown") -> str:
    """An installed distribution's version ('4.13.0.0'), or `fallback` when it is not installed."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return fallback


def provenance(data: bytes, when: datetime | None = None) -> Provenance:
    """The provenance of a model file with contents `data`, run at `when` (default: now).
    The z3 version is read from the installed `z3-solver` distribution: only checker.symbolic
    imports z3."""
    when = (when or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    return Provenance(hashlib.sha256(data).hexdigest(), when.isoformat().replace("+00:00", "Z"),
                      version("checker", __version__), version("z3-solver"))


def search(r: Result) -> str:
    """The search that ran, in words ('Optimal DPOR: ...'); unknown names are shown as they are."""
    return SEARCH.get(r.strategy, r.strategy)


def explored(stats: dict) -> str:
    """'4 executions, 13 steps' (with states, and blocked, discarded or cut executions, when any)."""
    parts = [plural(stats.get("executions", 0), "execution")]
    if stats.get("states"):
        parts.append(plural(stats["states"], "state") + " stored")
    parts.append(plural(stats.get("steps", 0), "step"))
    for key, word in (("blocked", "sleep-set blocked"), ("assumed", "discarded by assume"),
                      ("cuts", "cut by a bound")):
        if stats.get(key):
            parts.append(f"{stats[key]} {word}")
    return ", ".join(parts)


def bounds(r: Result) -> str:
    """The bounds a verdict depends on: none for a complete search, the loop bound for a
    bounded one, the reason for an unknown one."""
    if r.verdict is Verdict.BOUNDED:
        return f"loop bound {r.options.get('loop_bound')} iterations per loop (--loop-bound): {r.reason or ''}".rstrip(": ")
    if r.verdict is Verdict.UNKNOWN:
        return r.reason or "undecided"
    return "none: the search explored everything"


def budgets(options: dict) -> str:
    """'600 s, 4096 MiB, 200000 states' (what would have stopped the run)."""
    t, m, n, e = (options.get(k) for k in ("timeout", "max_memory", "max_states", "max_executions"))
    parts = [f"{t:g} s" if t else "no time limit", f"{m} MiB" if m else "no memory limit",
             f"{n} stored states (--max-states)"]
    if e:
        parts.append(f"{e} executions (--max-executions)")
    return ", ".join(parts)


def inputs_line(program) -> str:
    """'g1 in -100..100, g2 in -100..100 (symbolic: every value in range)', or 'none'."""
    if program is None or not program.inputs:
        return "none"
    spans = [f"{i.name} in {i.lo}..{i.hi}" if i.lo is not None and i.hi is not None else f"{i.name}: {i.type}"
             for i in program.inputs]
    return ", ".join(spans) + " (symbolic: every value in range)"


def rows(r: Result, path: str, prov: Provenance, program=None) -> list[tuple[str, str]]:
    """The proof summary of one result, as (field, value) rows in a fixed order."""
    s = r.stats
    out = [("verdict", CLAIM[r.verdict]), ("search", search(r)), ("explored", explored(s)),
           ("solver calls", f"{s.get('solver_calls', 0)} queries that reached z3 ({s.get('solver_seconds', 0):.3f} s); "
                            "queries the path's integer ranges decide, and repeated ones, cost none"),
           ("inputs", inputs_line(program)), ("bounds", bounds(r)), ("budgets", budgets(r.options))]
    if r.options.get("spurious_wakeups"):
        out.append(("wake-ups", "spurious wake-ups allowed (--spurious-wakeups)"))
    out.append(("time", f"{s.get('seconds', 0):.3f} s"))
    out += [("model file", path), ("model sha256", prov.sha256)]
    if r.smt2:
        files = r.smt2.get("files") or 0
        out.append(("obligations discharged", f"{plural(files, 'distinct query', 'distinct queries')} written as "
                                              f"SMT-LIB 2 in {r.smt2.get('dir')} (manifest {r.smt2.get('manifest')}), "
                                              f"sha256 {r.smt2.get('sha256')}"))
    out += [("checker", prov.checker), ("z3-solver", prov.z3), ("date", prov.date)]
    if r.expect is not None:
        out.append(("expect", f"{r.expect}: {'met' if r.expect_met else 'NOT MET'}"))
    out += [("note", n) for n in r.notes]
    return out
