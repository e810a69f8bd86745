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
    RACE = "race"
    LEAK = "leak"


ALWAYS_ON_NAMES = {"assert": "assertions", "deadlock": "no deadlock", "lock_misuse": "no lock misuse",
                   "runtime": "no runtime error"}  # the always-on checks, as the property table names them


@dataclass(frozen=True)
class PropertyResult:
    """One property's answer: a `check:` entry (its kind, text and position) or an always-on check
    (kind only: assertions, deadlock, lock misuse, runtime errors)."""

    kind: str  # a PropertyKind value
    text: str  # as written ('x == 2'), or the always-on check's name ('assertions')
    line: int | None
    col: int | None
    verdict: Verdict
    violation: object = None  # explore.state.Violation, when violated
    trace: object = None  # trace.Trace, when violated and replayed
    reason: str | None = None  # why unknown or bounded


def overall(verdicts) -> Verdict:
    """The model's verdict from its properties': violated if any is, else unknown if any is,
    else bounded if any is, else holds."""
    verdicts = set(verdicts)
    for v in (Verdict.VIOLATED, Verdict.UNKNOWN, Verdict.BOUNDED):
        if v in verdicts:
            return v
    return Verdict.HOLDS


class ExitCode(enum.IntEnum):
    HOLDS = 0
    VIOLATED = 1
    INVALID = 2
    UNKNOWN = 3


@dataclass(frozen=True)
class Result:
    model: str
    file: str
    verdict: Verdict  # `overall` of the properties' verdicts
    strategy: str
    stats: dict
    violation: object = None  # the first violated property's explore.state.Violation
    trace: object = None  # and its trace.Trace
    reason: str | None = None  # why unknown or bounded, in words
    expect: str | None = None  # 'holds', 'violated' or 'violated: KIND[, KIND...]'
    expect_met: bool | None = None
    notes: tuple = field(default_factory=tuple)
    options: dict = field(default_factory=dict)
    about: str = ""
    properties: tuple = ()  # PropertyResult per property, `check:` entries first, in order
    smt2: dict | None = None  # with --emit-smt2: {"dir", "manifest", "files", "sha256"} of the obligations written

    @property
    def violated(self) -> tuple:
        """The violated properties, in table order."""
        return tuple(p for p in self.properties if p.verdict is Verdict.VIOLATED)

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
    return expect.verdict if not expect.kinds else f"{expect.verdict}: {', '.join(expect.kinds)}"


def meets(expect, verdict: Verdict, violated_kinds) -> bool | None:
    """Does the outcome meet `expect:`? `violated: KINDS` asks that exactly those kinds of
    property are violated."""
    if expect is None:
        return None
    if expect.verdict == "holds":
        return verdict is Verdict.HOLDS
    return verdict is Verdict.VIOLATED and (not expect.kinds or set(expect.kinds) == set(violated_kinds))
