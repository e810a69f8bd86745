"""A counterexample as a sequence diagram, before any syntax: lifelines (a thread each, then
each shared variable, array or synchronisation object the trace touches) and arrows (a step's
effect, from its thread to what it touched), with the steps that make the violation marked.

`lanes(trace, program, prop)` is what both diagrams draw (Mermaid in Markdown, SVG in HTML).
Which lifeline an effect reaches is read from the trace's effect words (`checker.describe`:
`read w = 0`, `write d[7] = 4`, `m: held by a`, `releases m and sleeps on c`, ...), checked
against the program's resource names; an effect that touches nothing shared (`tmp = 0`,
`condition is true`) joins the label of its statement's arrow, or makes an arrow from the
thread to itself.

The marked steps: a race's two accesses; a lost update's stale read, the write it loses and
the write that loses it (for a violated `final` or `always`); the step that reached a failing
assertion, runtime error or lock misuse; a deadlock's lock acquisitions; a leak's first
telling observation. When none of these applies, the last step.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from checker.render.words import property_values, shown_violation

INDEX = re.compile(r"\[\d+\]$")
# effect words that name the object a step touched (checker.describe.Describe), first match wins
TOUCH = [re.compile(p) for p in (
    r"^(?:read|write) (?P<r>\S+) = ",
    r"^cas (?:succeeds|fails): (?P<r>[^\s:]+)",
    r"^releases (?P<r>\S+) and sleeps on (?P<r2>\S+)$",
    r"^nobody waits on (?P<r>[^\s:]+):",
    r"^wakes on (?P<r>\S+) without a signal$",
    r"^(?P<r>\S+) has finished$",
    r"^(?P<r>[^\s:]+): ",
    r"^(?P<r>\S+) stays ",
    r"^(?P<r>\S+) is .*: not taken$",
    r"^\w+ (?P<r>\S+)$",
)]


@dataclass(frozen=True)
class Arrow:
    """One effect (or a statement's effects on one object) of step `step` by `thread`:
    `target` is a lifeline (a resource, or a thread it joined), None for the thread's own work."""

    step: int
    thread: str
    target: str | None
    label: str
    statement: str
    line: int | None


@dataclass(frozen=True)
class Lanes:
    """A diagram: lifelines left to right, arrows top to bottom, the marked steps with why,
    and the violation in words (`ending`)."""

    threads: tuple[str, ...]
    resources: tuple[str, ...]
    arrows: tuple[Arrow, ...]
    marked: dict = field(default_factory=dict)  # step -> why it is marked ('' when the step speaks for itself)
    ending: str = ""

    @property
    def steps(self) -> list[int]:
        """The step numbers in order, once each."""
        return list(dict.fromkeys(a.step for a in self.arrows))


def names(program) -> dict[str, str]:
    """Every name an effect may touch -> its lifeline: variables and arrays (a cell `d[3]` goes
    to `d`), synchronisation objects (each element of a lock array is its own), threads."""
    out = {t.name: t.name for t in program.threads}
    out.update({o.name: o.name for o in program.syncs})
    out.update({v: v for v in program.vars})
    return out


def touched(effect: str, known: dict[str, str], statement_objects: tuple[str, ...] = ()) -> list[str]:
    """The lifelines an effect reaches: [] for local work. `statement_objects` stands in for
    an effect that does not name its object (`wakes b`: the condition its statement signals)."""
    if effect.startswith("wakes ") and not effect.startswith("wakes on "):
        return list(statement_objects[:1])
    for pattern in TOUCH:
        m = pattern.match(effect)
        if m:
            found = [lane(n, known) for n in m.groupdict().values() if n]
            if all(found):
                return found
    return []


def lane(name: str, known: dict[str, str]) -> str | None:
    """The lifeline of a name as an effect writes it ('d[3]' -> 'd'); None if it is not one."""
    if name in known:
        return known[name]
    base = INDEX.sub("", name)
    return known.get(base) if base != name else None


def signalled(program, thread: str, line: int | None, text: str) -> tuple[str, ...]:
    """The synchronisation objects the statement (thread, line, text) names in its code."""
    for th in program.threads:
        if th.name == thread:
            return tuple(i.obj.name for i in th.code if type(i).__name__ == "SyncOp" and i.src.pos.line == line
                         and i.src.text == text)
    return ()


def arrows(trace, program) -> list[Arrow]:
    """Every step's effects as arrows, in trace order."""
    known, out = names(program), []
    for s in trace.steps:
        for a in s.actions:
            pending: list[str] = []  # local effects before the statement's first shared one
            mine: list[Arrow] = []
            for e in a.effects:
                targets = touched(e, known, signalled(program, s.thread, a.line, a.text))
                if not targets:
                    if mine:
                        last = mine[-1]
                        mine[-1] = Arrow(last.step, last.thread, last.target, f"{last.label}, {e}", a.text, a.line)
                    else:
                        pending.append(e)
                    continue
                for t in targets:
                    mine.append(Arrow(s.number, s.thread, t, ", ".join([*pending, e]), a.text, a.line))
                    pending = []
            if pending or not mine:
                words = f"{a.text}: {', '.join(pending)}" if pending else a.text
                mine.append(Arrow(s.number, s.thread, None, words, a.text, a.line))
            out.extend(mine)
    return out


def lanes(trace, program, prop) -> Lanes:
    """The diagram of a violated property's trace (`prop`: a `PropertyResult` or `Result`)."""
    all_arrows = [a for a in arrows(trace, program) if a.step]  # start-up work: in the step table only
    threads = tuple(dict.fromkeys(s.thread for s in trace.steps if s.number))
    order = [*program.vars, *(o.name for o in program.syncs)]
    used = {a.target for a in all_arrows if a.target is not None and a.target not in threads}
    resources = tuple(r for r in dict.fromkeys(order) if r in used and r not in threads)
    v = shown_violation(prop)
    values = property_values(prop)
    ending = f"{v.kind} violated: {v.message}" + (f" ({values})" if values else "")
    return Lanes(threads, resources, tuple(all_arrows), marks(trace, all_arrows, v, program), ending)


def marks(trace, all_arrows: list[Arrow], v, program) -> dict[int, str]:
    """The steps that make the violation, each with why (see the module docstring)."""
    numbered = [s.number for s in trace.steps if s.number]
    found: dict[int, str] = {}
    if v.kind == "race" and v.detail:
        found = racing(trace, v.detail)
    elif v.kind in ("final", "always"):
        found = lost_updates(all_arrows, [n for n in program.vars if re.search(rf"\b{re.escape(n)}\b", v.text)])
    elif v.kind == "deadlock" and v.detail:
        for w in v.detail.get("waits", ()):
            for holder in w.get("held_by") or ():
                took = [a.step for a in all_arrows if a.thread == holder and a.target == w.get("waits_for")]
                if took:
                    found[took[-1]] = f"{holder} takes {w['waits_for']}, which {w['thread']} waits for"
    elif v.kind == "leak" and v.detail and v.detail.get("step"):
        found[v.detail["step"]] = "the first observation that tells the secrets apart"
    else:
        bad = [s.number for s in trace.steps if any(e.startswith("VIOLATION") for a in s.actions for e in a.effects)]
        found = {bad[-1]: ""} if bad else {}
    if not found and numbered:
        found = {numbered[-1]: ""}
    return found


def racing(trace, detail: dict) -> dict[int, str]:
    """A race's two accesses: each thread's last step at the access's line."""
    out = {}
    for a in detail.get("accesses", ()):
        steps = [s.number for s in trace.steps if s.thread == a["thread"] and any(x.line == a["line"] for x in s.actions)]
        if steps:
            out[steps[-1]] = f"{a['thread']} {a['access']}s {detail.get('location')}: the race"
    return out


def lost_updates(all_arrows: list[Arrow], watched: list[str]) -> dict[int, str]:
    """Writes that lose another thread's write: thread T read cell c at step r, another thread
    wrote c at step w > r, and T then writes c at step n > w from its stale read. Marks r, w
    and n. Only cells of the `watched` variables count (all, when the list is empty)."""
    reads: dict = {}  # (thread, cell) -> step of its last read
    writes: dict = {}  # cell -> [(step, thread)]
    out: dict[int, str] = {}
    for a in all_arrows:
        for e in a.label.split(", "):
            m = re.match(r"^(read|write) (\S+) = ", e)
            if not m or (watched and INDEX.sub("", m.group(2)) not in watched):
                continue
            cell = m.group(2)
            if m.group(1) == "read":
                reads[(a.thread, cell)] = a.step
                continue
            r = reads.get((a.thread, cell))
            lost = [(w, t) for w, t in writes.get(cell, ()) if t != a.thread and r is not None and w > r]
            for w, t in lost:
                out.setdefault(r, f"{a.thread} reads {cell}: a value about to be stale")
                out[w] = f"{t} writes {cell}: this update is lost"
                out[a.step] = f"{a.thread} writes {cell} from its read at step {r}, overwriting {t}'s write at step {w}"
            writes.setdefault(cell, []).append((a.step, a.thread))
    return out
