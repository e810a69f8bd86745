"""The `no_leak` monitor: what each explored execution let the observers see, and the verdict.

A step reports what `no_leak` observers saw in it (`Outcome.seen`: (channel, value) pairs, in
program order; `model.Leak` names the channels). The search keeps one entry per event of the
current execution (`push` with the event, `pop` when it is undone) and, when an execution ends
(every thread finished, or a deadlock), hands its path condition and observations to `end`.
After the search, `decide` asks the query of `checker/symbolic/leaks.py` for each `no_leak`
entry and returns a `Violation` per leak, or records why it cannot answer.

Only complete executions are compared. An execution that a violation of a step ends (an
assertion, a runtime error, lock misuse) was not explored past it for the inputs where the check
holds, and one a bound cut stopped early; after either, `no_leak` is unknown (never holds).
Deadlocked executions are complete: the program hangs there, and its observers have seen what
they saw. The argument that the reduced search shows every observation is in docs/soundness.md.
"""
from __future__ import annotations

from checker.explore.state import Violation
from checker.program import ir
from checker.program.model import Leak, Program
from checker.symbolic.leaks import Input, find_leak
from checker.symbolic.values import key, show


class Observations:
    """The observations along the current execution, and those of every execution ended."""

    def __init__(self, program: Program):
        self.program = program
        self.start: tuple = ()  # what observers saw in start-up work: ((channel, value), ...)
        self.stack: list = []  # per event of the current execution: its outcome's `seen`
        self.runs: dict = {}  # (path key, observations key) -> (pc, observations, schedule steps)
        self.broken: str | None = None  # why executions are incomplete (no answer then)

    def push(self, seen: tuple) -> None:
        self.stack.append(seen)

    def pop(self) -> None:
        self.stack.pop()

    def end(self, pc: tuple, steps) -> None:
        """An execution ended (finished or deadlocked): keep its path and observations, once per
        distinct pair. `steps` builds the schedule (called only for a new pair)."""
        seen = [(channel, v, 0) for channel, v in self.start]
        for k, entries in enumerate(self.stack, 1):
            seen.extend((channel, v, k) for channel, v in entries)
        seen = tuple(seen)
        k = (tuple(sorted(c.get_id() for c in pc)), tuple((c, key(v)) for c, v, _ in seen))
        if k not in self.runs:
            self.runs[k] = (pc, seen, steps())

    def truncated(self, why: str) -> None:
        """An execution ended early (a violation of a step, a cut): the set is incomplete."""
        self.broken = self.broken or why

    def decide(self, solver, symbols: dict, undecided: dict) -> list[tuple[Violation, tuple]]:
        """Ask each `no_leak` entry's query; returns (violation, schedule steps) per leak found
        and records in `undecided` (property id -> reason) each entry that cannot be answered."""
        found = []
        for leak in self.program.leaks:
            why = self.broken or self.spins(leak)
            if why:
                undecided[("leak", leak.pos.line, leak.pos.col)] = f"{leak.text} (line {leak.pos.line}) is not decided: {why}"
                continue
            runs = list(self.runs.values())
            projected = [(pc, tuple(tuple(v for c, v, _ in seen if c == channel) for channel in leak.channels))
                         for pc, seen, _ in runs]
            inputs = [Input(i.name, symbols[i.name], i.lo, i.hi, i.slot in leak.secret) for i in self.program.inputs]
            w = find_leak(solver, inputs, projected, symbols)
            if isinstance(w, str):
                undecided[("leak", leak.pos.line, leak.pos.col)] = f"{leak.text} (line {leak.pos.line}) is not decided: {w}"
            elif w is not None:
                found.append((self.violation(leak, w, runs[w.run][1]), runs[w.run][2]))
        return found

    def spins(self, leak: Leak) -> str | None:
        """An observer thread with a spin-wait: the search skips the tests that would fail again
        (stuttering), which an observer of reads could count."""
        for kind, t in leak.channels:
            if kind == "thread" and any(type(i) is ir.Spin for i in self.program.threads[t].code):
                return (f"observer {self.program.threads[t].name} has a spin-wait, whose repeated reads "
                        "the search leaves out")
        return None

    def violation(self, leak: Leak, w, seen: tuple) -> Violation:
        p = self.program
        names = [self.channel_name(c) for c in leak.channels]
        secret = {i.name: [w.values[i.name], w.secret2[i.name]] for i in p.inputs if i.slot in leak.secret}
        # the first observation (in step order) past the longest prefix that some observation
        # possible under the second valuation shares: where the observer can tell
        relevant = [(channel, k) for channel, _, k in seen if channel in leak.channels]
        first = max((_agreeing(relevant, leak.channels, w.seen, alt) for alt in w.instead), default=0)
        step = relevant[first][1] if first < len(relevant) else (relevant[-1][1] if relevant else 0)
        one = " and ".join(f"{n} = {show(a)}" for n, (a, _) in secret.items())
        two = " and ".join(f"{n} = {show(b)}" for n, (_, b) in secret.items())
        what = "; ".join(f"{name} sees {_seq(s)}" for name, s in zip(names, w.seen))
        message = (f"{', '.join(names)} can tell {one} from {two}: with {one} {what}"
                   f"{f' (differs at step {step})' if first < len(relevant) else ''}, "
                   f"which no execution with {two} shows (there: "
                   f"{' or '.join('; '.join(_seq(c) for c in alt) for alt in w.instead) or 'no observation'})")
        detail = {
            "secret": secret,
            "observers": names,
            "seen": [list(s) for s in w.seen],
            "instead": [[list(s) for s in alt] for alt in w.instead],
            "observation": first,  # index in the execution's observations, in step order
            "step": step,  # the step of that observation (0: start-up work); the end when all agree
        }
        return Violation("leak", message, leak.text, leak.pos.line, leak.pos.col, w.values, detail)

    def channel_name(self, channel: tuple) -> str:
        kind, x = channel
        if kind == "thread":
            return self.program.threads[x].name
        return self.program.slots[x].name


def _agreeing(relevant: list, channels: tuple, mine: tuple, alt: tuple) -> int:
    """How many of the observations `relevant` ((channel, step) in step order, values in `mine`
    per channel) agree with `alt` before the first that does not."""
    pos = dict.fromkeys(channels, 0)
    for n, (channel, _) in enumerate(relevant):
        c, k = channels.index(channel), pos[channel]
        if k >= len(alt[c]) or alt[c][k] != mine[c][k]:
            return n
        pos[channel] += 1
    return len(relevant)


def _seq(values) -> str:
    return "[" + ", ".join(show(v) for v in values) + "]"
