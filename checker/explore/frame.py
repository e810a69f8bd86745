"""The working copy of a state while one thread takes a step, and the handlers' shared words.

A handler (local work in `local.py`, a primitive's operation in `checker.primitives`) gets the
`Engine`, the `Frame` and the list of outcomes; it advances `f.pc` and returns None to go on,
or appends outcomes itself and returns `STOP`. Contract: a handler never mutates the `State` it
started from (the frame holds copies).
"""
from __future__ import annotations

from checker.explore.state import DONE, WAIT, State, Thread
from checker.primitives.base import STOP  # noqa: F401  (the handlers' answer, defined with the primitives)

LOCAL_BUDGET = 100_000  # local instructions one step may run before it is cut (a local spin)


class Frame:
    """The mutable working copy of a state during one step of thread `t`."""

    __slots__ = ("M", "Y", "T", "t", "L", "pc", "status", "loops", "anys", "path", "ob", "choices",
                 "forks", "log", "budget", "replay", "atomic", "terms", "seen", "loop")

    def __init__(self, s: State, t: int, log: bool, replay, terms=None, watch: bool = False):
        ts = s.T[t]
        self.M = list(s.M)
        self.Y = list(s.Y)
        self.T = list(s.T)
        self.t = t
        self.L = list(ts.L)
        self.pc, self.status, self.loops, self.anys = ts.pc, ts.status, ts.loops, ts.anys
        self.path = s.pc
        self.ob: list = []
        self.choices: list = []
        self.forks: list = []  # the directions of symbolic branches taken (with choices: the outcome's identity)
        self.log = [] if log else None
        self.budget = LOCAL_BUDGET
        self.replay = replay
        self.atomic = False  # inside an atomic block: visible instructions do not end the step
        self.terms = terms  # the run's array terms at symbolic indices (terms.Terms)
        self.seen = [] if watch else None  # observations for `no_leak`: [(channel, value)] (model.Leak)
        self.loop = None  # the sync id of the event loop thread t is a task of (`Engine.frame`)

    def clone(self) -> "Frame":
        f = object.__new__(Frame)
        f.M, f.Y, f.T, f.L = list(self.M), list(self.Y), list(self.T), list(self.L)
        f.t, f.pc, f.status, f.loops, f.anys = self.t, self.pc, self.status, self.loops, self.anys
        f.path, f.ob, f.choices, f.forks = self.path, [], list(self.choices), list(self.forks)
        f.log = list(self.log) if self.log is not None else None
        f.budget, f.replay, f.atomic, f.terms = self.budget, self.replay, self.atomic, self.terms
        f.seen = None if self.seen is None else list(self.seen)
        f.loop = self.loop
        return f

    def state(self, dead: tuple = ()) -> State:
        if self.loop is not None and (self.status == WAIT or self.status == DONE):
            y = self.Y[self.loop]  # a task that waits or ends gives its event loop back
            if y[0] == self.t:
                self.Y[self.loop] = (-1,) + y[1:]
        L = self.L
        for k in dead:  # values that will never be read again do not distinguish states
            L[k] = None
        T = self.T
        T[self.t] = Thread(self.pc, self.status, tuple(L), self.loops, self.anys)
        return State(tuple(self.M), tuple(self.Y), tuple(T), self.path)

    def observed(self) -> tuple:
        """The step's observations so far, for its `Outcome`."""
        return tuple(self.seen) if self.seen else ()

    def choose(self, options: list) -> list:
        """At a recorded fork: all options while exploring, the recorded one when replaying."""
        if self.replay is None:
            return options
        if not self.replay:
            raise ReplayDiverged("the schedule has fewer choices than the replay needs")
        want = self.replay.pop(0)
        if want not in options:
            raise ReplayDiverged(f"choice {want} is not possible here (options: {options})")
        return [want]

    def note(self, *entry) -> None:
        if self.log is not None:
            self.log.append((self.pc, entry))


class ReplayDiverged(Exception):
    """A recorded schedule does not fit the program (edited model, or a foreign schedule)."""
