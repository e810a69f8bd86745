"""A replayed step and state in words: what each step did (`Describe`), the locks, the state
at a violation (`describe_state`) and a deadlock's reason (`_name_deadlock`).

Each step's effects say what the step changed, in words: a read or write with its value, a
lock's new holder or a semaphore's permits (only for the object the step touched), a `cas`
that failed and wrote nothing, a signal nobody waited for, a thread's end. A step that runs
the same statement as the thread's previous step, further on in it (the second of three
shared reads of a condition, the write of `w = w + 1`), is marked `continued`.
"""
from __future__ import annotations

from dataclasses import dataclass

from checker.explore.start import View
from checker.explore.state import DONE, NEW, SPIN, WAIT, State, Violation
from checker.primitives import queue
from checker.program import ir
from checker.program.model import Program
from checker.symbolic.values import show


@dataclass(frozen=True)
class Action:
    """One statement executed within a step, with what it did. `line` is None for the end of a
    thread; `continued` is true when the thread's previous step ran the start of this statement."""

    text: str
    line: int | None
    effects: tuple[str, ...]
    continued: bool = False


def shown_src(src: ir.Src) -> str:
    """A statement as a trace shows it; inside an inlined procedure call, prefixed with the
    call(s) it runs in: `apply_grad(g1) at line 20: w = tmp + g`."""
    calls = " > ".join(f"{call} at line {line}" for call, line in src.via)
    return f"{calls}: {src.text}" if calls else src.text


class Describe:
    """One step's log in words: `actions(log)`, given the states before and after the step."""

    def __init__(self, program: Program, t: int | None, before: State, after: State, signals: dict,
                 number: int = 0, last: tuple | None = None):
        self.program, self.t, self.before, self.after = program, t, before, after
        self.th = program.threads[t] if t is not None else None
        self.signals, self.number, self.last = signals, number, last
        old, new = _lock_words(program, before), _lock_words(program, after)
        self.changed = {k: v for k, v in new.items() if old.get(k) != v}
        self.held = old

    def actions(self, log: list | None) -> tuple[Action, ...]:
        out: list[Action] = []
        th = self.th
        for k, (pc, entry) in enumerate(log or ()):
            src = th.code[pc].src if th is not None and pc < len(th.code) else None
            text, line = (shown_src(src), src.pos.line) if src else ("(thread ends)", None) if th else ("", 0)
            if entry[0] == "wake":  # not yet the re-acquisition that follows it
                text = "(timeout)" if entry[1] == "timeout" else "(spurious wake-up)"
            if entry[0] == "task" and entry[1] == "cancelled":
                text, line = "(cancelled)", None
            eff = self.effect(pc, entry, first=k == 0)
            if out and out[-1].text == text and out[-1].line == line:
                out[-1] = Action(text, line, out[-1].effects + ((eff,) if eff else ()), out[-1].continued)
            else:
                cont = (not out and self.last is not None and src is not None
                        and self.last[0] == (text, line) and pc > self.last[1])
                out.append(Action(text, line, (eff,) if eff else (), cont))
            if src is not None:
                self.last = ((text, line), pc)
        if not out and th is not None:  # a step that ran no statement: a thread's end, a loop's turn
            i = th.code[self.before.T[self.t].pc]
            ends = isinstance(i, ir.Exit) or self.after.T[self.t].status == DONE
            out.append(Action("(thread ends)" if ends else shown_src(i.src), None if ends else i.src.pos.line, ()))
            self.last = None
        return tuple(out)

    def effect(self, pc: int, entry: tuple, first: bool) -> str | None:
        kind, th = entry[0], self.th
        local = (lambda k: th.local_names[k]) if th else (lambda k: f"#{k}")
        if kind == "read":
            return f"read {entry[1]} = {show(entry[2])}"
        if kind == "write":
            return f"write {entry[1]} = {show(entry[2])}"
        if kind == "del":  # a map entry removed (explore/maps.py)
            return f"delete {entry[1]}"
        if kind == "rmw":
            return self.rmw(th.code[pc] if th else None, entry, first)
        if kind in ("local", "any"):
            name = local(entry[1])
            if name.startswith("%") or entry[2] is None:  # a temp, or a call's local made fresh
                return f"draw {show(entry[2])}" if kind == "any" else None
            return f"{name} = {show(entry[2])}" + (" (drawn)" if kind == "any" else "")
        if kind == "branch":
            return f"condition is {'true' if entry[1] else 'false'}"
        if kind == "assert":
            return "holds"
        if kind == "assume":
            return "assumed"
        if kind == "sync":
            return self.sync(th.code[pc] if th else None, entry[1], entry[2], first)
        if kind == "task":  # an event loop's task: an await point, or its cancellation
            return {"await": "yields to the event loop", "park": "blocks here: yields to the event loop",
                    "timeout": "its timeout fired: ok = false",
                    "cancelled": "cancelled: it ends", "cancelled at await": "cancelled at this await: it ends"}[entry[1]]
        if kind == "wake":
            i = th.code[pc]
            if entry[1] == "timeout":
                return f"its timeout fires: stops waiting on {i.cv.name} (ok = false)"
            return f"wakes on {i.cv.name} without a signal" if isinstance(i, ir.Reacquire) else "wakes without a signal"
        if kind == "violation":
            return f"VIOLATION: {entry[1]}"
        return None

    def rmw(self, i, entry: tuple, first: bool) -> str:
        name, old, new = entry[1], entry[2], entry[3]
        if not isinstance(i, ir.Rmw) or i.op != "cas":
            return f"{name}: {show(old)} -> {show(new)}"
        expected = old if old != new else self.evaluate(i.args[0], first)
        if expected is None:
            return f"{name} stays {show(old)}"
        if expected == old:
            return f"cas succeeds: {name}: {show(old)} -> {show(new)}"
        return f"cas fails: {name} is {show(old)}, not {show(expected)}; nothing written"

    def evaluate(self, fn, first: bool):
        """cas's expected value, as the step saw it; None when it cannot be known from the
        states (inside an atomic block, locals may have changed before the cas)."""
        if not first:
            return None
        try:
            return fn(View(self.before.M, self.before.T, self.before.T[self.t].L))
        except Exception:  # a fault here is the step's own violation, reported by it
            return None

    def sync(self, i, op: str, arg, first: bool) -> str | None:
        if op in ("signal", "broadcast"):
            cv = self.object_name(i, first) if isinstance(i, ir.SyncOp) else "?"
            self.signals.setdefault(cv, []).append((self.number, list(arg)))
            return f"wakes {', '.join(arg)}" if arg else f"nobody waits on {cv}: the {op} is lost"
        if op == "wait":
            m = i.mutex.name if isinstance(i, ir.Wait) and i.mutex.local is None else "the mutex"
            return f"releases {m} and sleeps on {arg}"
        if op == "reacquire":
            return f"{arg}: {self.changed.get(arg, 'held again')}"
        if op == "join":
            return f"{arg} has finished"
        if op == "arrive_and_wait":  # (barrier, arrived, N, the threads the arrival released)
            name, count, n, woken = arg
            if count < n:
                return f"{name}: {count} of {n} arrived; waits"
            return f"{name}: {count} of {n} arrived: releases " + (", ".join(woken) + " and moves on" if woken
                                                                   else "its phase")
        if op == "leave":
            return f"phase of {arg} released"
        if op == "queue":  # the queue's own words: 'puts 3: q = [1, 3]'
            return arg
        if op == "spawn":
            return f"starts {arg}"
        if op == "cancel":
            return f"cancels {arg}"
        if op == "start":
            return None
        timed = isinstance(i, ir.SyncOp) and i.timed
        if arg in self.changed:
            return f"{arg}: {self.changed[arg]}"
        if op == "trylock":
            return f"{arg} is {self.held.get(arg, 'busy')}: " + ("times out" if timed else "not taken")
        if op == "tryacquire":
            return f"{arg} has no permit: times out"
        return f"{op} {arg}"

    def object_name(self, i: ir.SyncOp, first: bool) -> str:
        if i.obj.local is None or not first:
            return i.obj.name
        return self.program.syncs[i.obj.id(self.before.T[self.t].L)].name


def _lock_words(program: Program, s: State) -> dict:
    """Every mutex, rwlock, semaphore and queue -> its state in words ('held by a', 'free',
    '1 permit left', '[3] (1 of 4)')."""
    held = _locks(program, s)
    return {o.name: held[o.name] if o.kind in ("semaphore", "queue") else f"held by {held[o.name]}"
            if o.name in held else "free"
            for o in program.syncs if o.kind in ("mutex", "rwlock", "semaphore", "queue")}


def _locks(program: Program, s: State) -> dict:
    names = [t.name for t in program.threads]
    held = {}
    for k, obj in enumerate(program.syncs):
        y = s.Y[k]
        if obj.kind == "mutex" and y >= 0:
            held[obj.name] = names[y]
        elif obj.kind == "rwlock" and (y[0] >= 0 or y[1]):
            held[obj.name] = f"{names[y[0]]} (write)" if y[0] >= 0 else ", ".join(names[r] for r in y[1]) + " (read)"
        elif obj.kind == "semaphore":
            held[obj.name] = f"{y} permit{'' if y == 1 else 's'} left"
        elif obj.kind == "queue":
            held[obj.name] = queue.describe(obj, y, names)
    return held


def _name_deadlock(program: Program, s: State, v: Violation, signals: dict) -> Violation:
    """Say why sleepers sleep: a signal that came before the wait (a lost wake-up), or no signal
    at all; and give the deadlock a `summary` for a one-line heading."""
    waits = [dict(w) for w in v.detail["waits"]]
    if any(w.get("kind") not in ("lock", "semaphore", "join", "condition") for w in waits):
        return v  # a kind of wait this wording does not know: keep the search's words
    causes = set()
    for w in waits:
        if w["kind"] != "condition":
            continue
        t = [th.name for th in program.threads].index(w["thread"])
        ref = program.threads[t].code[s.T[t].pc].cv  # asleep: at the re-acquisition after its wait
        cv = program.syncs[ref.id(s.T[t].L)].name
        sent = signals.get(cv, []) + (signals.get(ref.name, []) if ref.name != cv else [])
        lost = [n for n, woken in sent if not woken]
        if lost:
            causes.add("lost")
            many = "s" * (len(lost) > 1)
            w["why"] = f"the signal{many} at step{many} {', '.join(map(str, lost))} came before the wait"
        elif not sent:
            causes.add("none")
            w["why"] = f"no thread signals {cv} in this execution"
        else:
            causes.add("used")
            w["why"] = "no thread is left to signal it"
    if v.detail.get("cycle"):
        summary = "a cycle of waits"
    elif "lost" in causes:
        summary = "lost wake-up"
    elif causes:
        summary = "missing signal" if causes == {"none"} else "no thread left to signal"
    else:
        summary = "no thread can move"
    message = v.message if v.detail.get("cycle") else f"deadlock: {summary}: " + "; ".join(map(wait_line, waits))
    return v._replace(message=message, detail=dict(v.detail, waits=waits, summary=summary))


def wait_line(w: dict) -> str:
    """One thread of a deadlock in words: 'b waits for m (held by a)'."""
    held = f" (held by {', '.join(w['held_by'])})" if w.get("held_by") and w.get("kind") not in ("join", "loop") else ""
    why = f"; {w['why']}" if w.get("why") else ""
    return f"{w['thread']} waits for {w['waits_for']}{held}{why}"


def describe_state(program: Program, s: State) -> dict:
    shared = {}
    for name, var in program.vars.items():
        cells = [show(v) for v in s.M[var.base:var.base + var.size]]
        shared[name] = cells if var.array else cells[0]
    for name, mv in program.maps.items():  # `cache = {1: 5, 3: 0}`
        shared[name] = show(s.M[mv.slot])
    threads = {}
    for t, th in enumerate(program.threads):
        ts = s.T[t]
        if ts.status == DONE or ts.status == NEW:
            where = "finished" if ts.status == DONE else "never spawned"
        else:
            src = th.code[ts.pc].src
            status = {WAIT: " (asleep)", SPIN: " (spinning)"}.get(ts.status, "")
            if ts.status == WAIT and isinstance(th.code[ts.pc], ir.Depart):
                status = " (waiting)"
            where = f"at line {src.pos.line}: {shown_src(src)}" + status
        threads[th.name] = where
    return {"shared": shared, "locks": _locks(program, s), "threads": threads}
