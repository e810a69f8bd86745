"""Traces that read well (issue 8, item 2): each fault of the text and JSON trace, at its kind.

Traces are built by replaying a fixed schedule (`result_of`), so the exact output does not
depend on which counterexample a search finds first; the end-to-end checks through
`checker verify` assert only what every counterexample of the model shows.
"""
from __future__ import annotations

import io
import json
import re
from dataclasses import replace

from checker.commands import run_verify
from checker.explore.search import Schedule
from checker.render import json as jsonr
from checker.render.text import render
from checker.result import Result, Verdict
from checker.trace import replay
from checker.verify import Options, load_text, verify

STATS = {"executions": 1, "blocked": 0, "assumed": 0, "steps": 1, "states": 0, "transitions": 0, "cuts": 0,
         "solver_calls": 1, "solver_seconds": 0.0, "seconds": 0.0}



def after_header(out: str) -> str:
    """What follows the trace's header line ('trace (6 steps, 1 preemption):')."""
    return re.split(r"  trace \([^)]*\):\n", out, maxsplit=1)[1]

def result_of(text: str, steps: list[int], inputs: dict | None = None, kind: str | None = None,
              spurious: bool = False) -> Result:
    """Replay `steps` (thread numbers) on the model `text` into a violated Result."""
    program = load_text(text, "m.yaml")
    schedule = Schedule(tuple(() for _ in program.threads), tuple((t, ()) for t in steps))
    t = replay(program, schedule, inputs or {}, spurious=spurious, expect_kind=kind)
    return Result(program.name, "m.yaml", Verdict.VIOLATED, "dpor", STATS, t.violation, t,
                  about=program.about.strip())


def text(r: Result, width: int = 110) -> str:
    return render(r, width=width)


def steps_json(r: Result) -> list[dict]:
    return json.loads(json.dumps(jsonr.result_dict(r)))["trace"]["steps"]


def verify_text(tmp_path, model: str, **opts) -> tuple[int, str]:
    p = tmp_path / "m.yaml"
    p.write_text(model)
    out, err = io.StringIO(), io.StringIO()
    code = run_verify([str(p)], Options(**opts), False, out, err)
    return code, out.getvalue().replace(str(p), "m.yaml")


JOINED_END = """model: joined_end
shared: {x: 0}
threads:
  a: [x = 1]
  b: [join a, assert x == 2]
"""


def test_a_joined_thread_that_ends_says_so_in_text_and_json():
    r = result_of(JOINED_END, [0, 0, 1, 1])
    assert text(r) == """\
m.yaml: joined_end: VIOLATED (assert)
  property: assert at line 5, column 15: assert x == 2
  assertion 'assert x == 2' fails
  inputs: none
  trace (4 steps):

 #   a                 b
 ──────────────────────────────────────────────────────────────────
 1   x = 1  (line 4)
       write x = 1
 2   (thread ends)
 3                     join a  (line 5)
                         a has finished
 4                     assert x == 2  (line 5)
                         read x = 1
                         VIOLATION: assertion 'assert x == 2' fails

  state at the violation:
    shared: x = 1
    b: at line 5: assert x == 2
    finished: a
  explored: 1 execution, 1 step, 1 solver call, 0.000 s [dpor]
"""
    assert steps_json(r)[1] == {"number": 2, "thread": "a", "locks": {},
                                "actions": [{"text": "(thread ends)", "line": None, "effects": [], "continued": False}]}


PERMITS = """model: permits_everywhere
shared: {s1: semaphore 0, s2: semaphore 0, s3: semaphore 0, x: 0}
threads:
  t: [release s1, x = 1, release s2, x = 2, assert x == 3]
"""


def test_a_step_shows_only_the_semaphore_it_changed_with_the_right_plural():
    r = result_of(PERMITS, [0, 0, 0, 0, 0])
    assert after_header(text(r)).split("  explored")[0] == """
 #   t
 ────────────────────────────────────────────────
 1   release s1  (line 4)
       s1: 1 permit left
 2   x = 1  (line 4)
       write x = 1
 3   release s2  (line 4)
       s2: 1 permit left
 4   x = 2  (line 4)
       write x = 2
 5   assert x == 3  (line 4)
       read x = 2
       VIOLATION: assertion 'assert x == 3' fails

  state at the violation:
    shared: x = 2
    locks: s1: 1 permit left, s2: 1 permit left, s3: 0 permits left
    t: at line 4: assert x == 3
"""
    steps = steps_json(r)
    assert [a["effects"] for s in steps for a in s["actions"]][:3] == [["s1: 1 permit left"], ["write x = 1"],
                                                                      ["s2: 1 permit left"]]
    # `locks` stays the full state after each step, in the same words
    assert steps[2]["locks"] == {"s1": "1 permit left", "s2": "1 permit left", "s3": "0 permits left"}


def test_a_lock_step_says_who_holds_the_lock_and_unlock_that_it_is_free():
    model = """model: m
shared: {m: mutex, x: 0}
threads:
  t: [lock m, x = 1, unlock m, assert x == 0]
"""
    effects = [a.effects for s in result_of(model, [0, 0, 0, 0]).trace.steps for a in s.actions]
    assert effects == [("m: held by t",), ("write x = 1",), ("m: free",),
                       ("read x = 1", "VIOLATION: assertion 'assert x == 0' fails")]


def test_a_failed_trylock_says_who_holds_the_lock_and_a_read_lock_lists_its_readers():
    model = """model: m
shared: {m: mutex, rw: rwlock}
threads:
  a: [lock m, read_lock rw, unlock rw, unlock m]
  b:
    - read_lock rw
    - ok = trylock m
    - assert ok
"""
    effects = [a.effects for s in result_of(model, [0, 1, 0, 1]).trace.steps for a in s.actions]
    assert effects == [("m: held by a",), ("rw: held by b (read)",), ("rw: held by a, b (read)",),
                       ("m is held by a: not taken", "ok = false"), ("VIOLATION: assertion 'assert ok' fails",)]


CAS = """model: cas
shared: {f: 1, g: 0}
threads:
  t:
    - ok = cas(f, 0, 1)
    - won = cas(g, 0, 5)
    - same = cas(g, 5, 5)
    - assert ok
"""


def test_a_failed_cas_says_it_failed_and_wrote_nothing():
    r = result_of(CAS, [0, 0, 0])
    assert [s.actions[0].effects for s in r.trace.steps][:3] == [
        ("cas fails: f is 1, not 0; nothing written", "ok = false"),
        ("cas succeeds: g: 0 -> 5", "won = true"),
        ("cas succeeds: g: 5 -> 5", "same = true"),
    ]
    assert steps_json(r)[0]["actions"][0]["effects"][0] == "cas fails: f is 1, not 0; nothing written"


def test_fetch_add_and_swap_show_old_and_new_value():
    model = """model: m
shared: {x: 5}
threads:
  t:
    - old = fetch_add(x, 2)
    - was = swap(x, 0)
    - assert x == 7
"""
    effects = [s.actions[0].effects[0] for s in result_of(model, [0, 0, 0]).trace.steps]
    assert effects == ["x: 5 -> 7", "x: 7 -> 0", "read x = 0"]


NO_SIGNAL = """model: no_signal
shared: {m: mutex, cv: condition, ready: 0}
threads:
  w: [lock m, wait cv m, unlock m]
  l: [ready = 1]
"""


def test_a_deadlock_where_no_signal_was_sent_is_not_called_a_lost_wakeup(tmp_path):
    r = result_of(NO_SIGNAL, [0, 0, 1])
    assert text(r).split("\n")[1:4] == [
        "  property: deadlock at line 4, column 15: wait cv m",
        "  deadlock: missing signal",
        "    w waits for a signal on cv; no thread signals cv in this execution",
    ]
    v = jsonr.result_dict(r)["violation"]
    assert v["message"] == "deadlock: missing signal: w waits for a signal on cv; no thread signals cv in this execution"
    assert v["detail"]["summary"] == "missing signal"
    # whichever deadlocked execution the search reports, it has no signal in it
    code, out = verify_text(tmp_path, NO_SIGNAL)
    assert code == 1 and "lost wake-up" not in out and "  deadlock: missing signal\n" in out


def test_a_signal_sent_before_the_wait_is_a_lost_wakeup():
    model = """model: lost
shared: {m: mutex, cv: condition}
threads:
  w: [lock m, wait cv m, unlock m]
  s: [signal cv]
"""
    r = result_of(model, [1, 0, 0])
    out = text(r)
    assert "\n  deadlock: lost wake-up\n    w waits for a signal on cv; the signal at step 1 came before the wait\n" in out
    assert "\n 1   signal cv  (line 5)\n       nobody waits on cv: the signal is lost\n" in out
    assert jsonr.result_dict(r)["violation"]["detail"]["summary"] == "lost wake-up"


def test_a_deadlock_lists_each_wait_once(tmp_path):
    code, out = verify_text(tmp_path, open("models/lock_order_inversion.yaml").read())
    assert code == 1
    lines = out.splitlines()
    start = lines.index("  deadlock: a cycle of waits")
    assert lines[start + 1:start + 3] == ["    scheduler waits for session (held by evictor)",
                                          "    evictor waits for slot (held by scheduler)"]
    assert out.count("waits for session") == 1 and out.count("waits for slot") == 1


def test_a_deadlock_without_a_cycle_or_a_condition():
    model = """model: m
shared: {s: semaphore 1, m: mutex}
threads:
  a: [acquire s, lock m, acquire s, unlock m]
  b: [lock m, release s, unlock m]
"""
    out = text(result_of(model, [0, 0]))
    assert "\n  deadlock: no thread can move\n    a waits for a permit of s\n    b waits for m (held by a)\n  inputs" in out


def test_a_spurious_wakeup_and_the_reacquisition_are_two_different_rows():
    model = """model: m
shared: {m: mutex, cv: condition, ready: 0}
threads:
  w: [lock m, wait cv m, assert ready == 1, unlock m]
"""
    r = result_of(model, [0, 0, 0, 0, 0], spurious=True)
    rows = [(a.text, a.effects) for s in r.trace.steps for a in s.actions]
    assert rows[1:4] == [("wait cv m", ("releases m and sleeps on cv",)),
                         ("(spurious wake-up)", ("wakes on cv without a signal",)),
                         ("(wake up: take m again)", ("m: held by w",))]


THREE_READS = """model: three_reads
shared: {a: 0, b: 0, c: 0, w: 0}
threads:
  t:
    - if: a + b + c == 0
      then: [w = w + 1]
  u: [w = 5]
"""


def test_a_condition_with_three_shared_reads_is_one_row():
    r = result_of(THREE_READS + "check:\n  - final: w == 1\n", [0, 0, 0, 1, 0, 0], kind="final")
    out = text(r)
    assert after_header(out).split("\n  state")[0] == """
   #   t                             u
 ───────────────────────────────────────────────────
 1-3   if a + b + c == 0  (line 5)
         read a = 0
         read b = 0
         read c = 0
         condition is true
   4                                 w = 5  (line 7)
                                       write w = 5
 5-6   w = w + 1  (line 6)
         read w = 5
         write w = 6
"""
    steps = steps_json(r)
    assert [a["continued"] for s in steps for a in s["actions"]] == [False, True, True, False, False, True]


def test_a_statement_split_by_another_thread_says_continued():
    r = result_of(THREE_READS + "check:\n  - final: w == 6\n", [0, 0, 0, 0, 1, 0], kind="final")
    out = text(r)
    assert after_header(out).split("\n  state")[0].split("\n")[8:] == [
        "   4   w = w + 1  (line 6)",
        "         read w = 0",
        "   5                                    w = 5  (line 7)",
        "                                          write w = 5",
        "   6   w = w + 1  (line 6, continued)",
        "         write w = 1",
        "",
    ]


LOST_UPDATE = """model: lost_update
inputs: {g1: int in -100..100, g2: int in -100..100}
shared: {w: 0}
threads:
  a: [tmp = w, w = tmp + g1]
  b: [tmp = w, w = tmp + g2]
check:
  - final: w == g1 + g2
"""


def test_a_violated_final_shows_the_values_that_made_it_false():
    r = result_of(LOST_UPDATE, [0, 1, 0, 1], inputs={"g1": 3, "g2": 4}, kind="final")
    assert text(r).split("\n")[1] == "  property: final at line 8, column 5: w == g1 + g2  (4 == 3 + 4 is false)"


def test_an_array_in_a_final_property_is_shown_by_name():
    model = """model: m
shared: {d: [1, 2], k: 0}
threads:
  t:
    - d[0] = 5
    - k = 1
check:
  - final: sum(d) == 3 and k == 1
"""
    r = result_of(model, [0, 0], kind="final")
    assert text(r).split("\n")[1] == ("  property: final at line 8, column 5: sum(d) == 3 and k == 1"
                                      "  (false with d = [5, 2], k = 1)")


def test_counts_are_singular_and_plural():
    model = "model: one\nshared: {f: 1}\nthreads:\n  t:\n    - ok = cas(f, 0, 1)\n    - assert ok\n"
    r = result_of(model, [0])
    out = text(r)
    assert "  trace (1 step):\n" in out
    assert out.endswith("  explored: 1 execution, 1 step, 1 solver call, 0.000 s [dpor]\n")
    many = Result(r.model, r.file, Verdict.HOLDS, "dpor", dict(STATS, executions=2, steps=3, solver_calls=4))
    assert text(many).endswith("  explored: 2 executions, 3 steps, 4 solver calls, 0.000 s [dpor]\n")


def many_threads(n: int) -> str:
    return f"""model: many{n}
shared: {{hits: 0}}
threads:
  worker:
    count: {n}
    do:
      - tmp = hits
      - hits = tmp + 1
check:
  - final: hits == {n}
"""


def test_twelve_threads_switch_to_a_per_step_list():
    # worker[0] reads, then every other worker runs to its end, then worker[0] writes: a lost update
    steps = [0] + [t for k in range(1, 12) for t in (k, k)] + [0]
    out = text(result_of(many_threads(12), steps, kind="final"))
    table = after_header(out).split("\n  state")[0].split("\n")
    assert table[1:7] == [
        "  #   thread       statement                  effect",
        " ────────────────────────────────────────────────────────────",
        "  1   worker[0]    tmp = hits  (line 7)       read hits = 0",
        "                                              tmp = 0",
        "  2   worker[1]    tmp = hits  (line 7)       read hits = 0",
        "                                              tmp = 0",
    ]
    assert table[-2] == " 24   worker[0]    hits = tmp + 1  (line 8)   write hits = 1"
    assert all(len(line) <= 110 for line in out.split("\n"))


def test_thirty_two_threads_print_every_effect():
    steps = [t for k in range(32) for t in (k, k)]
    r = result_of(many_threads(32).replace("hits == 32", "hits == 0"), steps, kind="final")
    out = text(r)
    assert "  #   thread       statement                  effect\n" in out
    for k in range(32):
        assert re.search(rf"\n {2 * k + 2:>2}   worker\[{k}\] +hits = tmp \+ 1  \(line 8\) +write hits = {k + 1}\n", out)
    assert all(len(line) <= 110 for line in out.split("\n"))


def test_a_few_threads_keep_one_column_per_thread():
    out = text(result_of(LOST_UPDATE, [0, 1, 0, 1], inputs={"g1": 3, "g2": 4}, kind="final"))
    assert re.search(r"\n #   a +b\n", out)
    # a narrow terminal switches the same trace to the list
    assert "\n #   thread   statement" in text(result_of(LOST_UPDATE, [0, 1, 0, 1], inputs={"g1": 3, "g2": 4},
                                                          kind="final"), width=40)


COUNTER = """model: counter
shared: {requests: 0}
threads:
  handler:
    count: 3
    do: [requests = requests + 1]
check:
  - final: requests == 3
"""


def test_a_statement_never_breaks_and_its_line_number_moves_below_when_columns_are_narrow():
    r = result_of(COUNTER, [0, 0, 1, 2, 1, 2], kind="final")
    assert after_header(text(r)).split("\n  state")[0] == """
   #   handler[0]                handler[1]                handler[2]
 ─────────────────────────────────────────────────────────────────────────────────
 1-2   requests = requests + 1
       (line 6)
         read requests = 0
         write requests = 1
   3                             requests = requests + 1
                                 (line 6)
                                   read requests = 1
   4                                                       requests = requests + 1
                                                           (line 6)
                                                             read requests = 1
   5                             requests = requests + 1
                                 (line 6, continued)
                                   write requests = 2
   6                                                       requests = requests + 1
                                                           (line 6, continued)
                                                             write requests = 2
"""
    # with room for them, line numbers stand beside their statements
    assert "\n 1-2   requests = requests + 1  (line 6)\n" in text(r, width=160)


def test_a_violation_at_a_threads_end_is_shown_at_its_end():
    model = "model: m\nshared: {m: mutex, x: 0}\nthreads:\n  a: [lock m, x = 1]\n"
    r = result_of(model, [0, 0])
    assert [(a.text, a.line, a.effects) for a in r.trace.steps[-1].actions] == [
        ("x = 1", 4, ("write x = 1",)), ("(thread ends)", None, ("VIOLATION: thread a ends while holding m",))]
    joined = result_of(model + "  b: [join a]\n", [0, 0, 0])
    assert [(a.text, a.line, a.effects) for a in joined.trace.steps[-1].actions] == [
        ("(thread ends)", None, ("VIOLATION: thread a ends while holding m",))]
    assert "\n 3   (thread ends)\n       VIOLATION: thread a ends while holding m\n" in text(joined)


def test_long_statements_that_cannot_all_fit_switch_to_the_list_and_keep_every_thread():
    # found by a reviewer: two 71-character statements and four threads dropped t3's column
    from checker.render.text import render
    from checker.verify import load_text, verify
    long = "r0 * 1 + r0 * 100 + r0 * 10000 + r0 * 1000000 + r0 * 100000000"
    model = ("model: render4\nshared: {x: 0, y: 0, o1: 0, o2: 0}\nthreads:\n  t0: [x = 1]\n"
             f"  t1: [r0 = x, o1 = {long}]\n  t2: [r0 = y, o2 = {long}]\n  t3: [y = 1, y = 2]\n"
             "check:\n  - final: not (y == 2 and o1 == 101010101 and o2 == 0)\n")
    out = render(verify(load_text(model, "m.yaml")))
    table = after_header(out).split("\n  state")[0]
    assert " #   thread   statement" in table
    assert [line.split()[1] for line in table.splitlines() if line[:4].strip().isdigit()] == \
        ["t0", "t1", "t1", "t2", "t2", "t3", "t3"]


def test_a_long_thread_name_folds_and_leaves_room_for_the_statement_and_effect():
    name = "a" * 120
    text = f"""model: long
shared: {{w: 0}}
threads:
  {name}: [t = w, w = t + 1]
  b: [t = w, w = t + 1]
check:
  - final: w == 2
"""
    out = render(verify(load_text(text, "long.yaml"), Options()))
    rows = [line for line in out.splitlines() if "(line 4)" in line]
    assert rows and all("read w = 0" in line or "write w = 1" in line for line in rows)
    assert max(len(line) for line in out.splitlines()) <= 110


def test_a_trace_says_when_it_is_not_the_simplest():
    from checker.trace import header
    t = verify(load_text(LOST_UPDATE, "l.yaml"), Options()).trace
    assert header(t) == "4 steps, 1 preemption" and t.minimal is True
    assert header(replace(t, minimal=False)) == "4 steps, 1 preemption; not the simplest: its search gave up"


def test_the_explored_line_is_never_wrapped():
    from checker.verify import Options, load_text, verify
    text = "model: m\nshared: {x: 0}\nthreads:\n  a: [r = x, x = r + 1]\n  b: [r = x, x = r + 1]\ncheck:\n  - final: x == 2\n"
    lines = render(verify(load_text(text, "m.yaml"), Options()), width=40).splitlines()
    explored = [k for k, line in enumerate(lines) if line.startswith("  explored: ")]
    assert len(explored) == 1 and lines[explored[0]].endswith("[optimal dpor]"), lines
