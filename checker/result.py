"""Verdicts, property kinds and exit codes: the outcome vocabulary, decided in one place."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Verdict(enum.Enum):
    HOLDS = "holds"  # a complete proof: every schedule, every input in range
    VIOLATED = "violated"  # a counterexample
    BOUNDED = "bounded"  # no violation within a bound; not a proof
    UNKNOWN = "unknown"  # a budget ran out, or the solver could not decide


class PropertyKind(enum.Enum):
    FINAL = "final"
    ALWAYS = "always"
    ASSERT = "assert"
    DEADLOCK = "deadlock"
    LOCK_MISUSE = "lock_misuse"
    RUNTIME = "runtime"


class ExitCode(enum.IntEnum):
    HOLDS = 0
    VIOLATED = 1
    INVALID = 2
    UNKNOWN = 3


@dataclass(frozen=True)
class Result:
    model: str
    file: str
    verdict: Verdict
    strategy: str
    stats: dict
    violation: object = None  # explore.state.Violation
    trace: object = None  # trace.Trace
    reason: str | None = None  # why unknown or bounded, in words
    expect: str | None = None  # 'holds', 'violated' or 'violated: KIND'
    expect_met: bool | None = None
    notes: tuple = field(default_factory=tuple)
    options: dict = field(default_factory=dict)
    about: str = ""

    @property
    def exit_code(self) -> ExitCode:
        return {Verdict.HOLDS: ExitCode.HOLDS, Verdict.VIOLATED: ExitCode.VIOLATED}.get(self.verdict, ExitCode.UNKNOWN)


def exit_code(codes: list[ExitCode]) -> ExitCode:
    """One code for a run over several models: invalid, then violated, then unknown."""
    for c in (ExitCode.INVALID, ExitCode.VIOLATED, ExitCode.UNKNOWN):
        if c in codes:
            return c
    return ExitCode.HOLDS


def expectation(expect) -> str | None:
    if expect is None:
        return None
    return expect.verdict if expect.kind is None else f"{expect.verdict}: {expect.kind}"


def meets(expect, verdict: Verdict, violation) -> bool | None:
    if expect is None:
        return None
    if expect.verdict == "holds":
        return verdict is Verdict.HOLDS
    return verdict is Verdict.VIOLATED and (expect.kind is None or violation.kind == expect.kind)
