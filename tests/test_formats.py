"""Machine formats (issue 8, item 6): `--format itf|sarif|junit|markdown`, each checked for its
real content on the lost update (violated), its locked variant (holds), a model with two
violated properties, an unknown result, an invalid model, and a hostile model's text."""
from __future__ import annotations

import io
import json
import pathlib
import xml.etree.ElementTree as ET

import jsonschema
import pytest
from typer.testing import CliRunner

from checker.cli import app
from checker.commands import run_verify
from checker.render import FORMATS
from checker.render.safe import markdown, xml_text
from checker.result import PropertyKind
from checker.verify import Options

ROOT = pathlib.Path(__file__).resolve().parent.parent
SARIF_SCHEMA = json.loads((ROOT / "tests/schemas/sarif-schema-2.1.0.json").read_text())
LOST = "models/lost_update.yaml"
LOCKED = "models/lost_update_locked.yaml"
# two properties violated: the final condition (line 7) and the assertion (line 5)
TWO = """model: two_faults
shared: {x: 0}
threads:
  a: [x = 1]
  b: [assert x == 0]
check:
  - final: x == 2
"""
BAD = "model: bad\nshared: {x: 0}\nthreads:\n  a: [lok m]\n"  # line 4, column 7: unknown statement
HOSTILE = """model: "evil\\e[31m<b>|[x](y)\\a\\uFFFE&amp;"
shared: {x: 0}
threads:
  a: ["x = 1"]
  b: ["assert x == 0"]
"""


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)  # paths as a user gives them: models/lost_update.yaml


def run(paths, fmt, **opts):
    out, err = io.StringIO(), io.StringIO()
    code = run_verify([str(p) for p in paths], Options(**opts), fmt, out, err)
    return code, out.getvalue(), err.getvalue()


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def sarif_valid(doc: dict) -> None:
    cls = jsonschema.validators.validator_for(SARIF_SCHEMA)
    cls.check_schema(SARIF_SCHEMA)
    cls(SARIF_SCHEMA).validate(doc)


# -- the table and the command line ---------------------------------------------------------------

def test_formats_table_names_every_format_and_the_cli_picks_from_it():
    assert list(FORMATS) == ["text", "json", "itf", "sarif", "junit", "markdown"]
    r = CliRunner().invoke(app, ["verify", LOST, "--format", "sarif"])
    assert r.exit_code == 1 and json.loads(r.stdout)["version"] == "2.1.0"
    r = CliRunner().invoke(app, ["verify", LOST, "--format", "yaml"])
    assert r.exit_code == 2 and "not a format" in r.output
    r = CliRunner().invoke(app, ["verify", LOST, "--json", "--format", "junit"])
    assert r.exit_code == 2


def test_json_flag_is_an_alias_of_format_json():
    a = CliRunner().invoke(app, ["verify", LOST, "--json"])
    b = CliRunner().invoke(app, ["verify", LOST, "--format", "json"])
    strip = lambda s: {k: v for k, v in json.loads(s).items() if k != "stats"}  # noqa: E731 (seconds differ)
    assert a.exit_code == b.exit_code == 1 and strip(a.stdout) == strip(b.stdout)


@pytest.mark.parametrize("fmt, in_document", [("text", False), ("json", True), ("itf", False), ("sarif", True),
                                               ("junit", True), ("markdown", True)])
def test_an_invalid_model_exits_2_in_every_format_with_its_error_in_one_place(tmp_path, fmt, in_document):
    code, out, err = run([write(tmp_path, "bad.yaml", BAD)], fmt)
    assert code == 2
    assert ("unknown statement 'lok'" in out) is in_document
    assert (err == "") is in_document


# -- ITF -------------------------------------------------------------------------------------------

def test_itf_lost_update_has_every_state_of_the_trace():
    code, out, err = run([LOST], "itf")
    assert (code, err) == (1, "")
    doc = json.loads(out)
    assert doc["#meta"]["format"] == "ITF" and doc["#meta"]["source"] == LOST
    assert doc["#meta"]["property"] == {"kind": "final", "text": "w == g1 + g2", "line": 22, "column": 5}
    assert doc["params"] == ["g1", "g2"]
    assert doc["vars"] == ["w", "checker::threads", "checker::locks", "checker::action"]
    states = doc["states"]
    assert [s["#meta"]["index"] for s in states] == [0, 1, 2, 3, 4]
    assert [s["w"] for s in states] == [0, 0, 0, -1, -1]
    assert all((s["g1"], s["g2"]) == (-1, -1) for s in states)
    assert [s["checker::action"] for s in states] == [
        "init", "worker_a: tmp = w (line 16)", "worker_b: tmp = w (line 19)",
        "worker_b: w = tmp + g2 (line 20)", "worker_a: w = tmp + g1 (line 17)"]
    assert states[0]["checker::threads"] == {"worker_a": "at line 16: tmp = w", "worker_b": "at line 19: tmp = w"}
    assert states[-1]["checker::threads"] == {"worker_a": "finished", "worker_b": "finished"}
    assert states[3]["#meta"] == {"index": 3, "step": 3, "thread": "worker_b", "effects": ["write w = -1"]}
    assert all(set(doc["vars"]) | set(doc["params"]) <= set(s) for s in states)


def test_itf_writes_big_integers_as_bigint_and_arrays_and_locks(tmp_path):
    p = write(tmp_path, "big.yaml", "model: big\nshared: {x: 0, d: [1, 2], m: mutex}\nthreads:\n"
                                    "  a: [lock m, x = 9007199254740993, 'd[1] = -5', unlock m]\n"
                                    "check:\n  - final: x == 0\n")
    code, out, _ = run([p], "itf")
    states = json.loads(out)["states"]
    assert code == 1 and len(states) == 5
    assert [s["x"] for s in states] == [0, 0, {"#bigint": "9007199254740993"}, {"#bigint": "9007199254740993"},
                                        {"#bigint": "9007199254740993"}]
    assert states[0]["d"] == [1, 2] and states[-1]["d"] == [1, -5]
    assert [s["checker::locks"]["m"] for s in states] == ["free", "a", "a", "a", "free"]


@pytest.mark.parametrize("model", ["philosophers3", "queue_if", "unlock_not_held", "weights_rwlock_torn"])
def test_itf_last_state_is_the_state_at_the_violation(model):
    from checker.render.words import show_value
    code, out, _ = run([f"models/{model}.yaml"], "itf")
    doc = json.loads(out)
    j = json.loads(run([f"models/{model}.yaml"], "json")[1])["properties"]
    trace = next(p["trace"] for p in j if p["verdict"] == "violated")
    assert code == 1 and len(doc["states"]) == 1 + len(trace["steps"])
    last = doc["states"][-1]
    shown = {name: [show_value(c) for c in last[name]] if isinstance(last[name], list) else show_value(last[name])
             for name in trace["state"]["shared"]}
    assert shown == trace["state"]["shared"]
    assert last["checker::threads"] == trace["state"]["threads"]


def test_itf_several_traces_make_an_array_and_none_an_empty_one(tmp_path):
    code, out, _ = run([write(tmp_path, "two.yaml", TWO), LOST], "itf")
    docs = json.loads(out)
    assert code == 1 and isinstance(docs, list)
    assert [(d["#meta"]["model"], d["#meta"]["property"]["kind"]) for d in docs] == [
        ("two_faults", "final"), ("two_faults", "assert"), ("lost_update", "final")]
    assert [d["#meta"]["violation"]["line"] for d in docs] == [7, 5, 22]
    assert run([LOCKED], "itf")[:2] == (0, "[]\n")


def test_itf_reports_an_invalid_model_on_stderr(tmp_path):
    code, out, err = run([write(tmp_path, "bad.yaml", BAD)], "itf")
    assert (code, out) == (2, "[]\n")
    assert err.startswith(f"{tmp_path}/bad.yaml:4:7: error: unknown statement 'lok'")


# -- SARIF -----------------------------------------------------------------------------------------

def test_sarif_lost_update_validates_and_locates_the_violation():
    code, out, _ = run([LOST], "sarif")
    doc = json.loads(out)
    sarif_valid(doc)
    run_ = doc["runs"][0]
    assert code == 1 and doc["version"] == "2.1.0"
    assert [r["id"] for r in run_["tool"]["driver"]["rules"]] == [k.value for k in PropertyKind]
    assert run_["invocations"] == [{"executionSuccessful": True, "exitCode": 1,
                                    "exitCodeDescription": "some model is violated"}]
    (res,) = run_["results"]
    assert (res["ruleId"], res["ruleIndex"], res["kind"], res["level"]) == ("final", 0, "fail", "error")
    assert res["message"]["text"] == "final property 'w == g1 + g2' can be false"
    assert res["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": LOST},
                                                       "region": {"startLine": 22, "startColumn": 5}}
    (flow,) = res["codeFlows"]
    assert flow["message"]["text"] == "4 steps, 1 preemption; inputs: g1 = -1, g2 = -1"
    threads = {tf["id"]: tf["locations"] for tf in flow["threadFlows"]}
    assert list(threads) == ["worker_a", "worker_b"]
    assert [loc["executionOrder"] for loc in threads["worker_a"]] == [1, 4]
    assert [loc["executionOrder"] for loc in threads["worker_b"]] == [2, 3]
    assert [loc["location"]["physicalLocation"]["region"]["startLine"] for loc in threads["worker_b"]] == [19, 20]
    assert threads["worker_a"][1]["location"]["message"]["text"] == "w = tmp + g1: write w = -1"
    assert [loc["importance"] for loc in threads["worker_a"]] == ["important", "essential"]
    verdicts = [(p["kind"], p["verdict"]) for p in run_["properties"]["models"][0]["properties"]]
    assert verdicts == [("final", "violated"), ("deadlock", "holds"), ("runtime", "holds")]


def test_sarif_two_faults_an_assertion_at_its_statement_and_a_holding_model(tmp_path):
    code, out, _ = run([write(tmp_path, "two.yaml", TWO), LOCKED], "sarif")
    doc = json.loads(out)
    sarif_valid(doc)
    everything = doc["runs"][0]["results"]
    results = [r for r in everything if r.get("kind") != "open"]
    assert code == 1 and [r["ruleId"] for r in results] == ["final", "assert"]
    # the assertion ended executions: what might have followed it is undecided, an open result
    opened = [r for r in everything if r.get("kind") == "open"]
    assert opened and all("not decided past the assertion violation at line 5" in r["message"]["text"] for r in opened)
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in results]
    assert regions == [{"startLine": 7, "startColumn": 5}, {"startLine": 5, "startColumn": 7}]
    assert [m["verdict"] for m in doc["runs"][0]["properties"]["models"]] == ["violated", "holds"]


def test_sarif_unknown_properties_are_open_results(tmp_path):
    code, out, _ = run([LOCKED], "sarif", max_executions=1)
    doc = json.loads(out)
    sarif_valid(doc)
    results = doc["runs"][0]["results"]
    assert code == 3 and len(results) == 4
    assert {(r["kind"], r["level"]) for r in results} == {("open", "none")}
    assert results[0]["message"]["text"].startswith("final at line 25: w == g1 + g2: unknown: execution budget")


def test_sarif_invalid_model_is_a_notification(tmp_path):
    code, out, err = run([write(tmp_path, "bad.yaml", BAD)], "sarif")
    doc = json.loads(out)
    sarif_valid(doc)
    inv = doc["runs"][0]["invocations"][0]
    assert (code, err, doc["runs"][0]["results"]) == (2, "", [])
    assert inv["executionSuccessful"] is False and inv["exitCode"] == 2
    (note,) = inv["toolExecutionNotifications"]
    assert note["level"] == "error" and note["message"]["text"] == "error: unknown statement 'lok' (hint: did you mean 'lock'?)"
    assert note["locations"][0]["physicalLocation"]["region"] == {"startLine": 4, "startColumn": 7}


# -- JUnit -----------------------------------------------------------------------------------------

def test_junit_lost_update_one_case_per_property_with_the_trace():
    code, out, _ = run([LOST], "junit")
    root = ET.fromstring(out)
    assert code == 1 and root.tag == "testsuites"
    assert {k: root.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "3", "failures": "1", "errors": "0", "skipped": "0"}
    (suite,) = root
    assert suite.get("name") == "lost_update" and suite.get("file") == LOST
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["final at line 22: w == g1 + g2", "no deadlock", "no runtime error"]
    assert cases[0].get("line") == "22" and cases[0].get("classname") == "lost_update"
    failure = cases[0].find("failure")
    assert failure.get("type") == "final" and failure.get("message") == "final property 'w == g1 + g2' can be false"
    assert "inputs: g1 = -1, g2 = -1" in failure.text and "trace (4 steps, 1 preemption):" in failure.text
    assert "write w = -1" in failure.text
    assert all(list(c) == [] for c in cases[1:])


def test_junit_holds_unknown_two_faults_and_invalid(tmp_path):
    root = ET.fromstring(run([LOCKED], "junit")[1])
    assert root.get("failures") == "0" and root.find(".//failure") is None and root.get("tests") == "4"
    root = ET.fromstring(run([LOCKED], "junit", max_executions=1)[1])
    assert root.get("skipped") == "4" and root.find(".//skipped").get("message").startswith("unknown: execution budget")
    code, out, _ = run([write(tmp_path, "two.yaml", TWO), write(tmp_path, "bad.yaml", BAD)], "junit")
    root = ET.fromstring(out)
    assert code == 2 and [s.get("name") for s in root] == ["two_faults", f"{tmp_path}/bad.yaml"]
    assert [f.get("type") for f in root[0].iter("failure")] == ["final", "assert"]
    error = root[1].find("testcase/error")
    assert error.get("type") == "invalid model"
    assert error.text.startswith(f"{tmp_path}/bad.yaml:4:7: error: unknown statement 'lok'")
    assert (root.get("failures"), root.get("errors")) == ("2", "1")


def test_junit_escapes_markup_and_drops_what_xml_forbids(tmp_path):
    code, out, _ = run([write(tmp_path, "evil.yaml", HOSTILE)], "junit")
    assert code == 1 and "\x1b" not in out and "\x07" not in out and "\ufffe" not in out
    root = ET.fromstring(out)
    assert root[0].get("name") == "evil\\x1b[31m<b>|[x](y)\\x07&amp;"


# -- Markdown --------------------------------------------------------------------------------------

def test_markdown_lost_update_property_and_step_tables():
    code, out, _ = run([LOST], "markdown")
    lines = out.splitlines()
    assert code == 1 and lines[0] == "## lost\\_update: violated"
    assert lines[4:9] == ["| kind | property | line | verdict |", "|---|---|---|---|",
                          "| final | w == g1 + g2 | 22 | **violated** |", "| deadlock | no deadlock |  | holds |",
                          "| runtime | no runtime error |  | holds |"]
    assert "### Counterexample: final at line 22" in lines
    assert "Inputs: g1 = -1, g2 = -1" in lines
    start = lines.index("| # | thread | statement | line | effect |")
    assert lines[start + 2:start + 6] == ["| 1 | worker\\_a | tmp = w | 16 | read w = 0; tmp = 0 |",
                                          "| 2 | worker\\_b | tmp = w | 19 | read w = 0; tmp = 0 |",
                                          "| 3 | worker\\_b | w = tmp + g2 | 20 | write w = -1 |",
                                          "| 4 | worker\\_a | w = tmp + g1 | 17 | write w = -1 |"]


def test_markdown_escapes_model_text_and_shows_errors(tmp_path):
    _, out, _ = run([write(tmp_path, "evil.yaml", HOSTILE)], "markdown")
    assert out.splitlines()[0] == "## evil\\\\x1b\\[31m\\<b\\>\\|\\[x\\](y)\\\\x07\ufffe\\&amp;: violated"
    assert "\x1b" not in out and "<b>" not in out
    code, out, err = run([write(tmp_path, "two.yaml", TWO), write(tmp_path, "bad.yaml", BAD)], "markdown")
    assert code == 2 and err == "" and out.count("### Counterexample") == 2
    bad = str(tmp_path / "bad.yaml").replace("_", "\\_")
    assert f"## {bad}: invalid" in out
    assert f"{bad}:4:7: error: unknown statement 'lok'" in out


@pytest.mark.parametrize("raw, shown", [
    ("w = tmp + g1", "w = tmp + g1"),
    ("<img src=x>", "\\<img src=x\\>"),
    ("[a](javascript:x) | `c` *e* _u_ ~s~ $m$ #h &amp;", "\\[a\\](javascript:x) \\| \\`c\\` \\*e\\* \\_u\\_ \\~s\\~ \\$m\\$ \\#h \\&amp;"),
    ("two\nlines\x1b[2J", "two\\\\nlines\\\\x1b\\[2J"),
])
def test_markdown_escaper(raw, shown):
    assert markdown(raw) == shown


def test_xml_text_keeps_newlines_escapes_controls_and_drops_what_xml_forbids():
    assert xml_text("a\nb\x1b\x00\ufffe\uffffc\u202e") == "a\nb\\x1b\\x00c\\u202e"
