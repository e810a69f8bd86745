"""The model a report describes, as rows of plain text: its inputs, threads, shared resources
and properties (with each property's verdict).

Input: the checked `program.model.Program` (an `Outcome`'s `program`) and the `Result`. Output:
lists of rows of unescaped strings; each document escapes them for its own destination
(`safe.markdown` for Markdown, `html.escape` for HTML). Nothing here reads a file.
"""
from __future__ import annotations

from dataclasses import dataclass

from checker.program.model import Program, SyncObj, ThreadCode, Var
from checker.result import Result


@dataclass(frozen=True)
class ThreadRow:
    """A thread, or a group of identical thread instances (`worker[0]` ... `worker[3]`), with
    its statements as written: (line, text), in line order."""

    name: str
    instances: tuple[str, ...]
    statements: tuple[tuple[int, str], ...]

    @property
    def title(self) -> str:
        """'worker_a', or 'worker (4 instances: worker[0] ... worker[3])'."""
        if len(self.instances) == 1:
            return self.instances[0]
        return f"{self.name} ({len(self.instances)} instances: {self.instances[0]} ... {self.instances[-1]})"


def threads(program: Program) -> list[ThreadRow]:
    """One row per thread group, in declaration order."""
    groups: dict[str, list[ThreadCode]] = {}
    for th in program.threads:
        groups.setdefault(th.group, []).append(th)
    return [ThreadRow(group, tuple(t.name for t in code), statements(code[0])) for group, code in groups.items()]


def statements(th: ThreadCode) -> tuple[tuple[int, str], ...]:
    """A thread's statements as written, once each, in line order; the checker's own
    instructions (`(wake up: take m again)`) are left out."""
    seen = {(i.src.pos.line, i.src.text) for i in th.code if not i.src.text.startswith("(")}
    return tuple(sorted(seen))


def inputs(program: Program) -> list[tuple[str, str, str]]:
    """(name, type, range): ('g1', 'int', '-100..100'); a `secret` input says so in its type."""
    out = []
    for i in program.inputs:
        span = f"{i.lo}..{i.hi}" if i.lo is not None and i.hi is not None else ("true, false" if i.type == "bool" else "any")
        out.append((i.name, f"secret {i.type}" if i.secret else i.type, span))
    return out


def resource_kind(r: Var | SyncObj) -> str:
    """'int variable', 'atomic int variable', 'int array of 10', 'mutex', 'semaphore (2 permits)'."""
    if isinstance(r, SyncObj):
        return f"semaphore ({r.permits} permits)" if r.kind == "semaphore" else r.kind
    atomic = "atomic " if r.atomic else ""
    return f"{atomic}{r.type} array of {r.size}" if r.array else f"{atomic}{r.type} variable"


def resources(program: Program) -> list[tuple[str, str]]:
    """(name, kind) for every shared variable, array and synchronisation object, in declaration
    order (variables first)."""
    return [(v.name, resource_kind(v)) for v in program.vars.values()] + \
           [(name, "map") for name in program.maps] + \
           [(o.name, resource_kind(o)) for o in program.syncs]


def properties(r: Result) -> list[tuple[str, str, str, str, str]]:
    """(kind, property, line, verdict, why) per property, in the result's table order."""
    return [(p.kind, p.text, "" if p.line is None else str(p.line), p.verdict.value, p.reason or "")
            for p in r.properties]
