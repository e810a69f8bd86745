"""Tasks of an event loop: when a task may step, and its steps that are not its instruction's.

A task (a thread with `loop: NAME`, `checker.primitives.eventloop`) steps only while its loop is
free or its own, and every step takes the loop. Besides its instructions it has two steps:

* the *park* step: it holds the loop and its next instruction is blocked (a lock held, an empty
  queue, ...): it gives the loop back and waits, as an await point ("blocks: yields the loop");
* the *cancelled* step: it has been cancelled and does not hold the loop: it ends, through its
  `finally:` block if it has one and has started ("(cancelled)").

`Await` gives the loop back (or, cancelled, ends the task); `Cancel` marks a task. A task that
waits (a condition `wait`, a barrier) or ends gives its loop back (`Frame.state`).
"""
from __future__ import annotations

from checker.explore.frame import STOP
from checker.explore.state import DONE, NEW, RUN, Outcome, State
from checker.primitives import SYNC, condition, eventloop, thread
from checker.program import ir
from checker.program.model import Program


def loops(program: Program) -> list:
    """Per thread: the sync id of its event loop, or None."""
    return [th.loop for th in program.threads]


UNTIMED = {"trylock": "lock", "tryacquire": "acquire", "try_get": "get"}  # a timed wait's blocking form


def blocked(program: Program, code: tuple, s: State, t: int) -> bool:
    """Is thread t (status RUN) at an instruction that may block, and is it disabled in s? (A
    timed wait is, when its resource is taken and it does not wait yet: a task parks there.)"""
    ts = s.T[t]
    if ts.status != RUN or ts.pc >= len(code):
        return False
    i = code[ts.pc]
    kind = type(i)
    if kind is ir.SyncOp and i.timed:
        loop = program.threads[t].loop
        return not eventloop.waiting(s.Y[loop], t) and not available(program, s, i, ts)
    if kind is ir.SyncOp:
        k = i.obj.id(ts.L)
        obj = program.syncs[k]
        return not SYNC[obj.kind].enabled(obj, s.Y[k], i.op, t)
    if kind is ir.Reacquire:
        return not condition.reacquire_enabled(s, i, ts)
    if kind is ir.Join:
        return not thread.join_enabled(s, i, ts)
    return False


def available(program: Program, s: State, i: ir.SyncOp, ts) -> bool:
    """Could timed wait i complete now (its blocking form is enabled)?"""
    k = i.obj.id(ts.L)
    obj = program.syncs[k]
    return SYNC[obj.kind].enabled(obj, s.Y[k], UNTIMED[i.op], -1)


def ending(e, s: State, t: int) -> bool:
    """Is thread t a cancelled task that its next step ends?"""
    k = e.loops[t]
    return k is not None and eventloop.cancelled(s.Y[k], t) and s.Y[k][0] != t


def may_step(e, s: State, t: int, plain: bool) -> bool:
    """Is task t enabled in s, given whether its instruction is (`plain`)?"""
    y = s.Y[e.loops[t]]
    if not eventloop.free_for(y, t):
        return False
    ts = s.T[t]
    if ts.status == DONE or ts.status == NEW:
        return False
    if eventloop.cancelled(y, t) and y[0] != t:  # it ends at this step (after re-taking a wait's mutex)
        i = e.code[t][ts.pc] if ts.pc < len(e.code[t]) else None
        return type(i) is not ir.Reacquire or condition.reacquire_enabled(s, i, ts)
    if plain:
        return True
    return eventloop.may_park(y, t) and blocked(e.program, e.code[t], s, t)


def step(e, f, s: State, out: list) -> bool:
    """Task f.t's step if it is one of its own (cancelled, park): True when done (outcomes in out)."""
    t, k = f.t, f.loop
    y = s.Y[k]
    if eventloop.cancelled(y, t) and y[0] != t:
        f.Y[k] = eventloop.struck(eventloop.take(y, t), t)
        f.note("task", "cancelled")
        f.status = RUN
        i = e.code[t][f.pc] if f.pc < len(e.code[t]) else None
        if type(i) is ir.Reacquire:  # cancelled in a `wait`: it takes the mutex again first
            f.Y[i.mutex.id(f.L)] = t
        final = e.program.threads[t].final
        src = suspended_at(e.code[t], f.pc) or e.last_src(t)
        # inside its finally: past its start, or parked at its first statement (not after an await)
        inside = final is not None and (f.pc > final or f.pc == final and not after_await(e.code[t], f.pc))
        f.pc = unwind(e, t, eventloop.started(y, t), inside)
        if not ends_holding(e, f, src, out):
            e.run(f, out, first=False)
        return True
    i = e.code[t][f.pc] if f.pc < len(e.code[t]) else None
    timed = type(i) is ir.SyncOp and i.timed
    if eventloop.may_park(y, t) and blocked(e.program, e.code[t], s, t):
        f.Y[k] = eventloop.park(y, t, timed)
        f.note("task", "park")
        out.append(Outcome(f.state(), tuple(f.choices), None, None, f.log))
        return True
    f.Y[k] = eventloop.take(y, t)
    if timed and eventloop.waiting(y, t) and available(e.program, s, i, s.T[t]):
        # it waited: it completes, or its timeout fired first (each is explored)
        ways = f.choose([0, 1])
        if 1 in ways:
            g = f.clone() if len(ways) > 1 else f
            g.choices.append(1)
            g.L[i.dst] = False
            g.note("task", "timeout")
            g.pc += 1
            e.run(g, out, first=False)
        if 0 not in ways:
            return True
        f.choices.append(0)
    return False


def unwind(e, t: int, started: bool, inside: bool) -> int:
    """Where a cancelled task at pc goes: its `finally:` block, unless it has none, has not started
    (it ends before its first statement) or is inside the block already (the rest is skipped:
    the cancellation strikes at the await point inside it); else its end (its `Exit`, if joined)."""
    th = e.program.threads[t]
    code = e.code[t]
    end = len(code) - 1 if code and type(code[-1]) is ir.Exit else len(code)
    if th.final is None or not started or inside:
        return end
    return th.final


def after_await(code: tuple, pc: int) -> ir.Await | None:
    """The `await` a task at pc took last, when only local work lies between them."""
    k = pc - 1
    while k >= 0 and not code[k].visible:
        k -= 1
    return code[k] if k >= 0 and type(code[k]) is ir.Await else None


def suspended_at(code: tuple, pc: int) -> ir.Src | None:
    """Where a task that does not run is suspended: the `await` it last took (its local work
    since then moved pc past it), or the statement it is blocked at."""
    a = after_await(code, pc)
    return a.src if a is not None else code[pc].src if pc < len(code) else None


def ends_holding(e, f, src: ir.Src, out: list) -> bool:
    """A cancelled task that goes to its end (no `finally:` to run) while it holds a lock: lock
    misuse, reported where the cancellation struck. True if so (the violation is in out)."""
    code = e.code[f.t]
    if f.pc < len(code) and type(code[f.pc]) is not ir.Exit:
        return False
    held = e.held_by(f.Y, f.t)
    if held:
        f.status = DONE  # it ends (as `Engine.finish` has it)
        e.violate(f, "lock_misuse", f"{e.program.threads[f.t].name} is cancelled here while holding "
                  f"{', '.join(held)}", src, out)
    return bool(held)


def await_(e, f, i: ir.Await, out):
    """An await point: give the loop back; a cancelled task ends here instead."""
    y = f.Y[f.loop]
    if eventloop.cancelled(y, f.t):
        f.Y[f.loop] = eventloop.struck(y, f.t)
        f.note("task", "cancelled at await")
        final = e.program.threads[f.t].final
        f.pc = unwind(e, f.t, True, final is not None and f.pc >= final)
        return STOP if ends_holding(e, f, i.src, out) else None
    f.Y[f.loop] = eventloop.give_back(y, f.t)
    f.note("task", "await")
    f.pc += 1
    return None


def cancel(e, f, i: ir.Cancel, out):
    u = i.target(f.L)
    k = e.loops[u]
    if f.T[u].status != NEW:  # a task not spawned yet does not exist: nothing to cancel
        f.Y[k] = eventloop.cancel(f.Y[k], u)
    f.note("sync", "cancel", e.program.threads[u].name)
    f.pc += 1
    return None


HANDLERS = {ir.Await: await_, ir.Cancel: cancel}
