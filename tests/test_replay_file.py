"""`checker replay` on an edited, garbled or hostile result file (issue 8, item 7).

Never a traceback, never exit 1 ("reproduced") unless the file's schedule really reaches its
violation: every corruption exits 2 with `FILE: error: ...` and a hint (or `replay diverged`
when a well-formed schedule does not fit the model).
"""
from __future__ import annotations

import copy
import io
import json

import pytest

from checker.commands import run_replay, run_verify
from checker.verify import Options

LOST_UPDATE = "models/lost_update.yaml"

DRAW = """model: draw
threads:
  t:
    - v = any 0..3
    - assert v < 3
"""


def saved(path: str) -> dict:
    out, err = io.StringIO(), io.StringIO()
    assert run_verify([path], Options(), True, out, err) == 1
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def good() -> dict:
    return saved(LOST_UPDATE)


def replay_text(model: str, result, tmp_path, raw: str | None = None) -> tuple[int, str, str]:
    f = tmp_path / "r.json"
    f.write_text(raw if raw is not None else json.dumps(result))
    out, err = io.StringIO(), io.StringIO()
    code = run_replay(model, str(f), out, err)
    return code, out.getvalue(), err.getvalue().replace(str(f), "r.json")


def edited(doc: dict, change) -> dict:
    doc = copy.deepcopy(doc)
    change(doc)
    return doc


def test_the_unchanged_file_replays(good, tmp_path):
    code, out, err = replay_text(LOST_UPDATE, good, tmp_path)
    assert (code, err) == (1, "")
    assert out == "models/lost_update.yaml: replayed 4 steps: final: final property 'w == g1 + g2' is false (line 22)\n"


def test_fields_the_replay_does_not_use_may_be_added(good, tmp_path):
    doc = edited(good, lambda d: d.update(reviewer="ana", stats="gone"))
    assert replay_text(LOST_UPDATE, doc, tmp_path)[0] == 1


def set_in(path: list, value):
    def change(d):
        for k in path[:-1]:
            d = d[k]
        d[path[-1]] = value
    return change


HINT = "  hint: save a counterexample with 'checker verify MODEL --json > RESULT' and replay that file unchanged\n"
SAME_MODEL = "  hint: replay the file against the model it was made from\n"

CORRUPTIONS = {
    "a list, not an object": (None, "[1, 2]",
                              "r.json: error: not a result of 'checker verify --json': the file holds a list, "
                              "not an object\n" + HINT),
    "truncated JSON": (None, '{"schema": "checker.result/1", "trace": {"inp',
                       "r.json: error: not valid JSON (Unterminated string starting at: line 1 column 42 "
                       "(char 41))\n" + HINT),
    "another schema version": (set_in(["schema"], "checker.result/9"), None,
                               "r.json: error: schema is the string \"checker.result/9\"; this checker replays "
                               "'checker.result/1' or 'checker.result/2'\n" + HINT),
    "a model that holds": (set_in(["verdict"], "holds"), None,
                           "r.json: error: the verdict is the string \"holds\": there is no counterexample to "
                           "replay\n  hint: only a violated result has a trace\n"),
    "the schedule is a string": (set_in(["trace", "schedule"], "0,1,0,1"), None,
                                 "r.json: error: 'trace.schedule' must be an object, not the string "
                                 "\"0,1,0,1\"\n" + HINT),
    "a thread number as a string": (set_in(["trace", "schedule", "steps", 1], ["1", []]), None,
                                    "r.json: error: 'trace.schedule.steps[1]': the thread must be a thread "
                                    "number, not the string \"1\"\n" + HINT),
    "an unknown thread": (set_in(["trace", "schedule", "steps", 2], [7, []]), None,
                          "r.json: error: 'trace.schedule.steps[2]': there is no thread 7; the model has "
                          "threads 0..1\n" + SAME_MODEL),
    "a negative thread": (set_in(["trace", "schedule", "steps", 0], [-1, []]), None,
                          "r.json: error: 'trace.schedule.steps[0]': there is no thread -1; the model has "
                          "threads 0..1\n" + SAME_MODEL),
    "a step that is not a pair": (set_in(["trace", "schedule", "steps", 0], 0), None,
                                  "r.json: error: 'trace.schedule.steps[0]' must be [thread, choices], not the "
                                  "number 0\n" + HINT),
    "choices that are not integers": (set_in(["trace", "schedule", "steps", 0], [0, [None]]), None,
                                      "r.json: error: 'trace.schedule.steps[0][1]' must be a list of integer "
                                      "choices, not a list\n" + HINT),
    "start-up choices for three threads": (set_in(["trace", "schedule", "start"], [[], [], []]), None,
                                           "r.json: error: 'trace.schedule.start' has 3 entries; the model has "
                                           "2 threads\n" + SAME_MODEL),
    "an input out of its range": (set_in(["trace", "inputs", "g1"], 500), None,
                                  "r.json: error: 'trace.inputs.g1' is 500, outside the declared range "
                                  "-100..100\n  hint: a counterexample's inputs are always in range: the file "
                                  "was edited\n"),
    "an input of the wrong type": (set_in(["trace", "inputs", "g1"], "-1"), None,
                                   "r.json: error: 'trace.inputs.g1' must be an integer, not the string "
                                   "\"-1\"\n" + HINT),
    "a bool for an int input": (set_in(["trace", "inputs", "g2"], True), None,
                                "r.json: error: 'trace.inputs.g2' must be an integer, not true\n" + HINT),
    "a missing input": (lambda d: d["trace"]["inputs"].pop("g2"), None,
                        "r.json: error: 'trace.inputs' has no value for the input 'g2'\n" + HINT),
    "an extra input": (set_in(["trace", "inputs", "g3"], 1), None,
                       "r.json: error: 'trace.inputs.g3': the model has no input 'g3'\n" + SAME_MODEL),
    "no violation": (set_in(["violation"], None), None,
                     "r.json: error: 'violation' must be an object, not null\n" + HINT),
    "a violation kind that is a number": (set_in(["violation", "kind"], 3), None,
                                          "r.json: error: 'violation.kind' must be a string, not the number "
                                          "3\n" + HINT),
    "options of the wrong type": (set_in(["options", "spurious_wakeups"], "yes"), None,
                                  "r.json: error: 'options.spurious_wakeups' must be true or false, not the "
                                  "string \"yes\"\n" + HINT),
    "a run of several models": (lambda d: d.update(schema="checker.run/1"), None,
                                "r.json: error: this is the result of several models (checker.run/1); replay "
                                "takes one model's result\n  hint: run 'checker verify MODEL --json' with one "
                                "model and replay that file\n"),
}


@pytest.mark.parametrize("name", CORRUPTIONS)
def test_a_corrupt_file_is_refused_with_exit_2(name, good, tmp_path):
    change, raw, message = CORRUPTIONS[name]
    doc = edited(good, change) if change else None
    code, out, err = replay_text(LOST_UPDATE, doc, tmp_path, raw)
    assert (code, out, err) == (2, "", message)


def test_a_missing_file_is_refused(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    assert run_replay(LOST_UPDATE, str(tmp_path / "none.json"), out, err) == 2
    assert err.getvalue().startswith(f"{tmp_path / 'none.json'}: error: cannot read the file (FileNotFoundError: ")


def test_a_schedule_of_another_kind_of_violation_is_not_reproduced(good, tmp_path):
    doc = edited(good, set_in(["violation", "kind"], "deadlock"))
    code, out, err = replay_text(LOST_UPDATE, doc, tmp_path)
    assert (code, out) == (2, "")
    assert err == "models/lost_update.yaml: replay diverged: the schedule replays without reaching a violation\n"


def test_a_reordered_schedule_that_reaches_no_violation_diverges(good, tmp_path):
    doc = edited(good, set_in(["trace", "schedule", "steps"], [[0, []], [0, []], [1, []], [1, []]]))
    code, out, err = replay_text(LOST_UPDATE, doc, tmp_path)
    assert (code, err) == (2, "models/lost_update.yaml: replay diverged: the schedule replays without reaching "
                              "a violation\n")


def test_a_drawn_value_out_of_its_range_diverges(tmp_path):
    model = tmp_path / "draw.yaml"
    model.write_text(DRAW)
    doc = saved(str(model))
    assert doc["trace"]["inputs"] == {"t.any0": 3}
    assert replay_text(str(model), doc, tmp_path)[0] == 1
    code, out, err = replay_text(str(model), edited(doc, set_in(["trace", "inputs", "t.any0"], 9)), tmp_path)
    assert (code, out) == (2, "")
    assert err == f"{model}: replay diverged: step 1 (t): the value 9 drawn at line 4 is outside 0..3\n"
    code, out, err = replay_text(str(model), edited(doc, set_in(["trace", "inputs", "u.any0"], 1)), tmp_path)
    assert (code, err) == (2, "r.json: error: 'trace.inputs.u.any0': the model has no input 'u.any0'\n" + SAME_MODEL)


def test_a_step_given_choices_it_does_not_make_diverges(good, tmp_path):
    # found by a reviewer: extra choices on a step that makes none were ignored
    doc = edited(good, set_in(["trace", "schedule", "steps", 0], [0, [5, 6, 7]]))
    code, out, err = replay_text(LOST_UPDATE, doc, tmp_path)
    assert (code, out) == (2, "")
    assert err == ("models/lost_update.yaml: replay diverged: step 1 (worker_a): the schedule gives it "
                   "3 choices; it makes 0\n")


def test_a_file_that_is_not_utf8_is_refused_with_exit_2(tmp_path):
    bad = tmp_path / "e.json"
    bad.write_bytes(b"\xff\xfe\x00")
    out, err = io.StringIO(), io.StringIO()
    assert run_replay(LOST_UPDATE, str(bad), out, err) == 2
    assert "cannot read the file (not UTF-8 text)" in err.getvalue() and "Traceback" not in err.getvalue()


def test_start_up_choices_the_threads_do_not_make_diverge(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    run_verify([LOST_UPDATE], Options(), "json", out, err)
    doc = json.loads(out.getvalue())
    doc["trace"]["schedule"]["start"] = [[1], [2, 3]]
    edited = tmp_path / "r.json"
    edited.write_text(json.dumps(doc))
    out, err = io.StringIO(), io.StringIO()
    assert run_replay(LOST_UPDATE, str(edited), out, err) == 2
    assert err.getvalue() == ("models/lost_update.yaml: replay diverged: start-up work of worker_a: the schedule gives "
                              "it 1 choice; it makes 0\n")


LEAK = """model: l01
inputs: {s: int in 0..3 secret}
shared: {x: 0}
threads:
  A: [x = s]
  B: [r = x]
check:
  - no_leak: {secret: s, to: B}
"""


def test_a_leak_replays_only_where_the_observer_sees_what_the_file_records(tmp_path):
    model = tmp_path / "l01.yaml"
    model.write_text(LEAK)
    out, err = io.StringIO(), io.StringIO()
    assert run_verify([str(model)], Options(), "json", out, err) == 1
    saved = tmp_path / "r.json"
    saved.write_text(out.getvalue())
    out, err = io.StringIO(), io.StringIO()
    assert run_replay(str(model), str(saved), out, err) == 1  # the same model: B sees what the file says
    other = tmp_path / "l03b.yaml"  # A now writes a constant: no leak, and B sees [7]
    other.write_text(LEAK.replace("x = s", "x = 7"))
    out, err = io.StringIO(), io.StringIO()
    assert run_replay(str(other), str(saved), out, err) == 2
    seen = json.loads(saved.read_text())["violation"]["detail"]["seen"]
    assert err.getvalue() == (f"{other}: replay diverged: the observers see [7] along this schedule; "
                              f"the file records [{', '.join(map(str, seen[0]))}]\n")
