"""Event loops: `loop: NAME`, `await`, blocking statements that yield, `cancel`, `finally:`.

(a) the semantics: one task runs at a time until an await point; a blocking statement parks
    the task and frees the loop; a spin-wait keeps the loop (a hang); cancellation at the next
    await point, before the first step, inside `finally:`; `finally:` at the end and at
    `return`; the trace's words;
(b) happens-before: tasks of one loop never race; a plain thread races with a task;
(c) against the oracle: the task family of tests/oracle/gen_queues.py (exact trace counts,
    what every search reaches, racing pairs);
(d) errors.
"""
from __future__ import annotations

import os
import random

import pytest

from checker.result import Verdict
from checker.explore.semantics import enabled
from checker.explore.start import initial
from checker.verify import Options, engine_for, load_text
from helpers import kinds, oracle_sample, racing_pairs_agree, result, search
from oracle import gen_queues
from oracle.interp import differences
from test_errors import expect_error, model_file

CI = bool(os.environ.get("CI"))
BOTH = pytest.mark.parametrize("reduction", [True, False], ids=["reduced", "full"])




def finals(text: str, strategy: str = "dpor") -> set:
    return search(text, strategy, keep_going=True).finals


COUNTER = """\
model: counter
shared:
  n: 0
threads:
  t:
    loop: main
    count: 2
    do:
      - v = n
      - n = v + 1
check:
  - final: n == 2
  - no_race
"""


@BOTH
def test_a_task_runs_until_an_await_point(reduction):
    """Without an await the read-modify-write cannot be interleaved on one loop: no lost update."""
    assert result(COUNTER, reduction).verdict is Verdict.HOLDS
    r = result(COUNTER.replace("      - n = v + 1", "      - await\n      - n = v + 1"), reduction)
    assert kinds(r) == {"final"}  # the await lets the other task read the old value
    r = result(COUNTER.replace("    loop: main\n", ""), reduction)  # plain threads: the lost update, and a race
    assert kinds(r) == {"final", "race"}


def test_two_loops_interleave_freely():
    text = ("model: two\nshared:\n  n: 0\nthreads:\n  t:\n    loop: main\n    do:\n      - v = n\n"
            "      - n = v + 1\n  u:\n    loop: other\n    do:\n      - v = n\n      - n = v + 1\n")
    assert finals(text) == {("1",), ("2",)}  # a lost update: the two tasks are on different loops


PARK = """\
model: park
shared:
  m: mutex
  q: queue 1
  log: 0
threads:
  holder:
    loop: main
    do:
      - lock m
      - await
      - log = log * 10 + 1
      - unlock m
  other:
    loop: main
    do:
      - lock m
      - log = log * 10 + 2
      - unlock m
check:
  - final: log == 12 or log == 21
"""


@BOTH
def test_a_blocked_task_yields_the_loop(reduction):
    r = result(PARK, reduction)
    assert r.verdict is Verdict.HOLDS, r.violation  # `other` parks on m; the holder resumes
    assert finals(PARK) == {("12",), ("21",)}


def test_a_blocked_task_parks_and_frees_the_loop():
    """A task that holds its loop and reaches a lock that is held takes a park step: it gives
    the loop back (so the holder can resume) and takes the lock later."""
    text = PARK.replace("      - lock m\n      - log = log * 10 + 2", "      - log = log + 0\n      - lock m\n"
                        "      - log = log * 10 + 2")
    e = engine_for(load_text(text, "m.yaml"), Options())
    e.record = True
    (s, _, _), = initial(e)
    for t in (0, 0, 1, 1):  # holder: lock m, await; other: the read and the write of log (it keeps the loop)
        s = e.step(s, t)[0].state
    loop, m = 2, 0
    assert s.Y[loop][0] == 1 and s.Y[m] == 0 and not enabled(e, s, 0)  # other runs; holder waits for the loop
    o, = e.step(s, 1)  # other's lock m is blocked: the park step
    assert o.log[-1][1] == ("task", "park") and o.state.Y[loop][0] == -1 and o.state.T[1].pc == s.T[1].pc
    assert enabled(e, o.state, 0) and not enabled(e, o.state, 1)  # the holder can resume
    assert kinds(result(text)) == set()


@BOTH
def test_a_spinning_task_keeps_the_loop(reduction):
    text = ("model: spin\nshared:\n  ready: false\nthreads:\n  waiter:\n    loop: main\n    do:\n"
            "      - {while: not ready, do: []}\n  setter:\n    loop: main\n    do:\n      - ready = true\n")
    r = result(text, reduction)
    assert kinds(r) == {"deadlock"}
    assert "setter waits for event loop main, which runs waiter" in r.violation.message


CANCEL = """\
model: cancel
shared:
  m: mutex
  done: 0
  cleaned: 0
threads:
  worker:
    loop: main
    do:
      - lock m
      - await
      - done = 1
      - unlock m
    finally:
      - cleaned = cleaned + 1
  canceller:
    - cancel worker
"""


@BOTH
def test_a_task_cancelled_at_an_await_still_holds_its_lock(reduction):
    r = result(CANCEL, reduction)
    assert kinds(r) == {"lock_misuse"}
    assert r.violation.message == "thread worker ends while holding m"


@BOTH
def test_finally_runs_once_at_the_end_or_at_the_cancellation(reduction):
    text = CANCEL.replace("      - cleaned = cleaned + 1", "      - cleaned = cleaned + 1\n      - \"if\": done == 0\n"
                          "        then: [unlock m]")
    r = result(text + "check:\n  - final: cleaned <= 1 and (cleaned == 1 or done == 0)\n", reduction)
    assert r.verdict is Verdict.HOLDS, r.violation
    # cancelled before its first step: it never runs, not even its finally
    assert ("0", "0") in finals(text.replace("  canceller:\n    - cancel worker",
                                             "  canceller:\n    loop: main\n    do:\n      - cancel worker"))


def test_return_goes_through_finally():
    text = ("model: ret\nshared:\n  x: 0\nthreads:\n  t:\n    do:\n      - return\n      - x = 5\n"
            "    finally:\n      - x = x + 1\ncheck:\n  - final: x == 1\n")
    assert result(text).verdict is Verdict.HOLDS


def test_a_cancelled_task_inside_its_finally_skips_the_rest():
    text = """\
model: inside
shared:
  x: 0
threads:
  t:
    loop: main
    do:
      - x = 1
    finally:
      - x = x + 10
      - await
      - x = x + 100
  c:
    - cancel t
"""
    # cancelled before it starts: 0; at the finally's await: 11; after it: 111; never: 111
    assert finals(text) == {("0",), ("11",), ("111",)}


# ---- (b) happens-before -----------------------------------------------------------------------------

@BOTH
def test_a_plain_thread_races_with_a_task(reduction):
    text = ("model: mixed\nshared:\n  n: 0\nthreads:\n  t:\n    loop: main\n    do:\n      - v = n\n"
            "  plain:\n    - n = 5\ncheck:\n  - no_race\n")
    assert kinds(result(text, reduction)) == {"race"}


# ---- (c) against the oracle -------------------------------------------------------------------------

SEED = 20_261_202 if CI else random.randrange(10**9)  # fixed in CI, fresh outside it


def sample(cfg, seed: int, count: int) -> list:
    return oracle_sample(gen_queues.random_task_model, cfg, seed, count)


def test_task_programs_have_one_execution_per_trace():
    programs = sample(gen_queues.TASK_COUNTS, SEED, 70)
    assert len(programs) >= 55
    assert any("cancel" in text for text, _ in programs) and any("finally" in text for text, _ in programs)
    for text, o in programs:
        x = search(text, "dpor", keep_going=True)
        assert not differences(x, o), text
        if o.count_safe and not o.step_violation:
            assert (x.stats.executions, x.stats.blocked) == (o.traces, 0), text
        y = search(text, "stateful-full", keep_going=True)
        assert not differences(y, o), text


def test_task_programs_reach_what_the_oracle_reaches():
    programs = sample(gen_queues.TASK_GENERAL, SEED + 1, 50)
    assert len(programs) >= 40
    for text, o in programs:
        for strategy in ("dpor", "stateful", "stateful-full"):
            problems = differences(search(text, strategy, keep_going=True), o)
            assert not problems, f"{strategy}: {problems}\n{text}"


def test_racing_pairs_equal_the_oracle():
    checked, with_races = racing_pairs_agree(gen_queues.random_task_model, gen_queues.TASK_COUNTS, 17 if CI else SEED, 50)
    # the agreement is asserted per program; the fixed CI seed also shows that racy programs
    # were among them (a fresh seed outside CI drew only 2 of 45 once)
    assert checked >= 40 and (with_races >= 3 or not CI)


# ---- (d) errors ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("old, new, first, hint", [
    ("  canceller:\n    - cancel worker", "  canceller:\n    - await",
     "17:7: error: 'await' outside a task: thread 'canceller' is not on an event loop",
     "give the thread 'loop: NAME' to run it as a task of event loop NAME"),
    ("    - cancel worker", "    - cancel canceller",
     "17:14: error: 'canceller' is not a task: only a task of an event loop can be cancelled",
     "give thread 'canceller' 'loop: NAME'"),
    ("      - await\n      - done = 1", "      - atomic: [await]\n      - done = 1",
     "11:18: error: 'await' cannot be inside an atomic block", "an atomic block never yields"),
    ("    loop: main\n", "    loop: [main]\n", "8:11: error: 'loop' must be a single value, found a list",
     "write 'loop: NAME', the name of the event loop"),
    ("      - await\n      - done = 1", "      - await x\n      - done = 1",
     "11:15: error: 'await' stands alone: it yields to the event loop",
     "write 'await' (like 'await asyncio.sleep(0)'); a blocking statement in a task yields by itself when it blocks"),
    ("    - cancel worker", "    - cancel", "17:13: error: expected the task to cancel after 'cancel', found the end of "
     "the text", "write 'cancel NAME' or 'cancel NAME[i]'"),
    ("    - cancel worker", "    - cancel nobody", "17:14: error: 'nobody' is not a thread",
     "threads: worker, canceller"),
    ("    loop: main\n", "    loops: main\n", "8:5: error: unknown key 'loops' in thread 'worker'", "did you mean 'loop'?"),
])
def test_errors(tmp_path, old, new, first, hint):
    assert old in CANCEL
    expect_error(model_file(tmp_path, CANCEL.replace(old, new, 1)), first, hint)


# ---- (e) regressions found by review ------------------------------------------------------------------

TIMED = """\
model: timed_in_task
shared: {m: mutex, held: 0, got: 0}
threads:
  a:
    loop: main
    do: [lock m, held = 1, await, held = 0, unlock m]
  b:
    loop: main
    do:
      - s = held
      - "if": s == 1
        then:
          - ok = lock m timeout
          - "if": ok
            then: [got = 1, unlock m]
check:
  - always: got == 0
"""


@BOTH
def test_a_timed_wait_in_a_task_yields_the_loop_while_it_waits(reduction):
    """b finds m held: it parks, a resumes and unlocks, and b's lock completes (or times out)."""
    r = result(TIMED, reduction)
    assert kinds(r) == {"always"}
    words = [(s.thread, e) for s in r.trace.steps for a in s.actions for e in a.effects]
    assert ("b", "blocks here: yields to the event loop") in words
    got = finals(TIMED.replace("  - always: got == 0\n", "  - final: true\n"), "dpor" if reduction else "stateful-full")
    assert got == {("0", "0"), ("0", "1")}  # b got m after a's unlock, or its timeout fired (or s was 0)


@BOTH
def test_one_cancel_strikes_once(reduction):
    """The finally's own await yields as usual: the cancellation does not strike there again."""
    text = """\
model: once
shared: {started: 0, done: 0, y: 0}
threads:
  t:
    loop: main
    do: [started = 1, await, done = 1]
    finally:
      - await
      - "if": done == 0
        then: [y = 1]
  killer:
    - {while: "started == 0", do: []}
    - cancel t
"""
    assert ("1", "0", "1") in finals(text, "dpor" if reduction else "stateful-full")  # cancelled: finally ran whole


@BOTH
def test_a_signal_skips_a_cancelled_waiter(reduction):
    text = """\
model: skip
shared: {m: mutex, cv: condition, woke: 0, n: 0}
threads:
  a:
    loop: main
    do: [lock m, n = n + 1, wait cv m, unlock m]
    finally: [unlock m]
  b:
    loop: main
    do: [lock m, n = n + 1, wait cv m, woke = 1, unlock m]
  c:
    loop: main
    do:
      - {while: "n < 2", do: [await]}
      - cancel a
      - lock m
      - signal cv
      - unlock m
check:
  - final: woke == 1
"""
    r = result(text, reduction)
    assert r.verdict is Verdict.HOLDS, r.violation  # the signal goes to b; a re-took m and released it in finally


def test_break_in_finally_is_an_error(tmp_path):
    text = "model: m\nthreads:\n  a:\n    do: [skip]\n    finally: [break]\n"
    expect_error(model_file(tmp_path, text), "5:15: error: 'break' outside a loop",
                 "'break' goes inside a 'while' ('do:' list); 'return' ends the thread")


@BOTH
def test_a_local_the_finally_reads_stays_live_at_every_await_point(reduction):
    text = """\
model: live
shared: {seen: 0, started: 0}
threads:
  t:
    loop: main
    locals: {flag: 0}
    do: [flag = 1, started = 1, await, flag = 2]
    finally: [seen = flag]
  k: [{while: started == 0, do: []}, cancel t]
check:
  - final: seen == 1 or seen == 2
"""
    assert result(text, reduction).verdict is Verdict.HOLDS  # not "local 'flag' is read before it has a value"


@BOTH
def test_a_cancel_strikes_a_task_parked_at_its_finallys_first_statement(reduction):
    """Parked at `lock m` inside its finally: the rest of the block is skipped (x stays 0)."""
    text = """\
model: parked_in_finally
shared: {m: mutex, x: 0, go: 0}
threads:
  t: {loop: main, do: [go = 1], finally: [lock m, x = 1, unlock m]}
  h: [lock m, {while: go == 0, do: []}, cancel t, unlock m]
check:
  - final: x == 1
"""
    assert kinds(result(text, reduction)) == {"final"}


@BOTH
def test_a_task_whose_first_statement_blocks_has_started(reduction):
    """`try: await lock.acquire() ... finally: lock.release()`: cancelled at the acquire, the
    finally runs and releases a lock the task does not hold."""
    text = """\
model: first_blocks
shared: {m: mutex}
threads:
  worker: {loop: main, do: [lock m], finally: [unlock m]}
  h: [lock m, cancel worker, unlock m]
"""
    r = result(text, reduction)
    assert kinds(r) == {"lock_misuse"} and r.violation.message.startswith("worker unlocks m, held by")


@BOTH
def test_a_cancelled_waiter_waits_for_its_mutex_in_a_deadlock_report(reduction):
    text = """\
model: cw
shared: {m: mutex, cv: condition, waiting: 0}
threads:
  a:
    loop: main
    do: [lock m, waiting = 1, wait cv m, unlock m]
    finally: [unlock m]
  h:
    - {while: waiting == 0, do: []}
    - lock m
    - cancel a
    - join a
    - unlock m
"""
    r = result(text, reduction)
    assert kinds(r) == {"deadlock"}
    assert r.violation.message == "deadlock: a cycle of waits: a waits for m held by h; h waits for a to finish"
    assert r.violation.detail["waits"][0]["waits_for"] == "m (cancelled: it takes it again before it ends)"
