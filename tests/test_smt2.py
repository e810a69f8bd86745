"""`--emit-smt2`: every solver query of a run, as SMT-LIB 2 files that z3 re-checks on its own.

(a) every emitted script, run through z3 as a separate process, gives the manifest's expected
    answer: for a holding model (unsat obligations from z3 and from the intervals, sat path
    feasibility), a violated one, and a `no_leak` model (quantified scripts, quoted names);
(b) the manifest accounts for every query: the z3 answers it counts are the `solver_calls`
    statistic exactly, and every reference names its asker (no "a query from ..." fallback);
(c) the directory: created when missing, refused (exit 2) when it holds anything the checker did
    not write, re-used when it holds an earlier emission, one subdirectory per model;
(d) per run: two models verified in one process do not share obligations;
(e) the sha256 of the result is the one docs/soundness.md defines, recomputed from the files;
(f) bounded (the cap is said in the manifest) and off by default;
(g) the example of docs/soundness.md is a real run.
"""
from __future__ import annotations

import hashlib
import importlib
import io
import json
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

from checker.commands import run_verify
from checker.symbolic.emit import FORMAT
from checker.symbolic.smt2 import Recorder
from checker.verify import Options, load, verify, verify_file

verify_module = importlib.import_module("checker.verify")  # the attribute checker.verify is the function

ROOT = pathlib.Path(__file__).resolve().parent.parent
Z3 = pathlib.Path(sys.executable).parent / "z3"

SECTION = (ROOT / "docs/soundness.md").read_text().split("## Re-checking a proof: `--emit-smt2`")[1]

# the model of docs/soundness.md: inputs and assertions over them, so obligations for z3 (a
# relational branch) and for the intervals (the properties over the ranges, a product)
HOLDING = SECTION.split("```yaml\n")[1].split("```")[0]

LEAKING = """\
model: leak_copy
inputs:
  prompt_a: int in 0..255 secret
  x: int in 0..3
shared:
  out: 0
threads:
  a:
    - n = any 0..3
    - out = prompt_a * x + n
  b:
    - r = out
check:
  - no_leak: {secret: prompt_a, to: b}
"""


def z3_answer(path: pathlib.Path) -> list[str]:
    """z3's output lines for one script, from a process of its own."""
    if Z3.is_file():
        cmd = [str(Z3), str(path)]
    else:
        cmd = [sys.executable, "-c", "import z3, sys; s = z3.Solver(); s.from_file(sys.argv[1]); print(s.check())",
               str(path)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    return done.stdout.split()


def emitted(model: pathlib.Path | str, directory: pathlib.Path, fmt: str = "json") -> tuple[int, dict, dict, str]:
    """Run `checker verify --emit-smt2 DIR MODEL`: (exit code, JSON result, manifest, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = run_verify([str(model)], Options(), fmt, out, err, emit_smt2=str(directory))
    doc = {"text": out.getvalue()} if fmt != "json" else json.loads(out.getvalue()) if out.getvalue() else {}
    manifest = json.loads((directory / "manifest.json").read_text()) if (directory / "manifest.json").exists() else {}
    return code, doc, manifest, err.getvalue()


def recheck(directory: pathlib.Path, manifest: dict) -> None:
    """Every obligation that the checker concluded something from gets the same answer again."""
    for ob in manifest["obligations"]:
        assert ob["expected"] in ("sat", "unsat"), ob  # no unknown in these small models
        assert z3_answer(directory / ob["file"]) == [ob["expected"]], ob["file"]


def accounted(doc: dict, manifest: dict) -> None:
    """The manifest counts every query of the search (see docs/soundness.md)."""
    obs = manifest["obligations"]
    assert manifest["files"] == len(obs) == doc["smt2"]["files"]
    assert manifest["asked"]["z3"] + manifest["unrecorded"]["z3"] == doc["stats"]["solver_calls"]
    for ob in obs:
        assert ob["asked"] == {h: sum(r["asked"][h] for r in ob["references"]) for h in ("z3", "memo", "intervals")}
        for r in ob["references"]:
            assert not r["meaning"].startswith("a query from"), r  # origin.ASKERS knows every asker
    assert len({ob["sha256"] for ob in obs}) == len(obs)  # the same script is written once


# ---- (a) and (b) --------------------------------------------------------------------------------

def test_a_holding_model_rechecks_in_a_separate_z3_process(tmp_path):
    model = tmp_path / "bounded_sum.yaml"
    model.write_text(HOLDING)
    code, doc, manifest, _ = emitted(model, tmp_path / "proof")
    assert code == 0 and doc["verdict"] == "holds" and manifest["verdict"] == "holds"
    recheck(tmp_path / "proof", manifest)
    accounted(doc, manifest)
    obs = manifest["obligations"]
    by = {(ob["expected"], ob["decided_by"]) for ob in obs}
    assert {("unsat", "z3"), ("unsat", "intervals"), ("sat", "z3")} <= by
    # every assertion's proof is there, each line with a z3 unsat
    proofs = {r["line"] for ob in obs if ob["expected"] == "unsat" for r in ob["references"]
              if r["property"] == {"kind": "assert", "text": "assertions"}}
    assert proofs == {17, 18}
    assert {ob["logic"] for ob in obs} <= {"QF_LIA", "QF_NIA"}
    first = (tmp_path / "proof" / obs[0]["file"]).read_text()
    assert first.startswith("; checker proof obligation q00001.smt2 of model 'bounded_sum'")
    assert "(check-sat)" in first and f"(set-info :status {obs[0]['expected']})" in first


def test_a_violated_model_rests_on_sat_obligations(tmp_path):
    code, doc, manifest, _ = emitted(ROOT / "models/lost_update.yaml", tmp_path / "p")
    assert code == 1 and manifest["verdict"] == "violated"
    recheck(tmp_path / "p", manifest)
    accounted(doc, manifest)
    final = [ob for ob in manifest["obligations"]
             if any(r["property"] == {"kind": "final", "text": "w == g1 + g2"} for r in ob["references"])]
    assert final and all(ob["expected"] == "sat" for ob in final)
    assert all(r["line"] == 22 for ob in final for r in ob["references"])


def test_a_no_leak_query_is_quantified_and_its_primed_names_quoted(tmp_path):
    model = tmp_path / "leak_copy.yaml"
    model.write_text(LEAKING)
    code, doc, manifest, _ = emitted(model, tmp_path / "p")
    assert code == 1
    recheck(tmp_path / "p", manifest)
    accounted(doc, manifest)
    query = next(ob for ob in manifest["obligations"] if ob["references"][0]["meaning"].startswith("execution 1"))
    text = (tmp_path / "p" / query["file"]).read_text()
    assert "forall" in text and "|prompt_a'|" in text and query["logic"] == "NIA"


@pytest.mark.parametrize("name", ["seed_sum_locked", "grad_accum", "kv_block_reuse", "index_out_of_range"])
def test_sample_models_recheck(tmp_path, name):
    code, doc, manifest, _ = emitted(ROOT / f"models/{name}.yaml", tmp_path / name)
    assert manifest["files"] > 0
    recheck(tmp_path / name, manifest)
    accounted(doc, manifest)


# ---- (c) the directory --------------------------------------------------------------------------

def test_a_foreign_directory_is_refused_and_left_alone(tmp_path):
    d = tmp_path / "mine"
    d.mkdir()
    (d / "notes.txt").write_text("mine")
    code, doc, manifest, err = emitted(ROOT / "models/lost_update.yaml", d, fmt="text")
    assert code == 2 and doc["text"] == "" and manifest == {}
    assert "is not empty and is not an earlier --emit-smt2 output" in err
    assert sorted(p.name for p in d.iterdir()) == ["notes.txt"] and (d / "notes.txt").read_text() == "mine"
    # a manifest.json that is not ours, or a stray file in an emission, is foreign too
    (d / "notes.txt").unlink()
    (d / "manifest.json").write_text('{"format": "something else", "obligations": []}')
    assert emitted(ROOT / "models/lost_update.yaml", d)[0] == 2
    emitted(ROOT / "models/lost_update.yaml", tmp_path / "ours")
    (tmp_path / "ours" / "extra.smt2").write_text("(check-sat)")
    assert emitted(ROOT / "models/lost_update.yaml", tmp_path / "ours")[0] == 2
    assert (tmp_path / "ours" / "extra.smt2").exists()


def test_a_file_is_refused(tmp_path):
    f = tmp_path / "proof"
    f.write_text("x")
    assert emitted(ROOT / "models/lost_update.yaml", f)[0] == 2 and f.read_text() == "x"


def test_an_earlier_emission_is_replaced(tmp_path):
    model = tmp_path / "bounded_sum.yaml"
    model.write_text(HOLDING)
    d = tmp_path / "p"
    emitted(model, d)
    code, doc, manifest, _ = emitted(ROOT / "models/lost_update.yaml", d)  # fewer files than before
    assert code == 1 and manifest["model"] == "lost_update"
    assert sorted(p.name for p in d.iterdir()) == sorted(["manifest.json"] + [o["file"] for o in manifest["obligations"]])


def test_several_models_one_subdirectory_each(tmp_path):
    d = tmp_path / "p"
    paths = [str(ROOT / "models/lost_update.yaml"), str(ROOT / "models/grad_accum.yaml"),
             str(ROOT / "models/lost_update.yaml")]
    out, err = io.StringIO(), io.StringIO()
    assert run_verify(paths, Options(), "json", out, err, emit_smt2=str(d)) == 1
    results = json.loads(out.getvalue())["results"]
    assert sorted(p.name for p in d.iterdir()) == ["grad_accum", "lost_update", "lost_update-2"]
    for r, sub in zip(results, ["lost_update", "grad_accum", "lost_update-2"]):
        assert r["smt2"]["dir"] == str(d / sub)
        manifest = json.loads((d / sub / "manifest.json").read_text())
        assert manifest["model"] == r["model"] and manifest["format"] == FORMAT
        accounted(r, manifest)
    # a directory of emissions is an earlier emission too: one model may go there again
    code, doc, manifest, _ = emitted(ROOT / "models/grad_accum.yaml", d)
    assert code == 1 and sorted(p.name for p in d.iterdir())[0] == "manifest.json"


# ---- (d) per run --------------------------------------------------------------------------------

def test_two_models_in_one_process_keep_separate_obligations(tmp_path):
    (tmp_path / "bounded_sum.yaml").write_text(HOLDING)
    a = verify(load(str(tmp_path / "bounded_sum.yaml")), Options(), str(tmp_path / "a1"))
    b = verify(load(str(ROOT / "models/lost_update.yaml")), Options(), str(tmp_path / "b"))
    a2 = verify(load(str(tmp_path / "bounded_sum.yaml")), Options(), str(tmp_path / "a2"))
    ma, mb = (json.loads(pathlib.Path(r.smt2["manifest"]).read_text()) for r in (a, b))
    assert ma["model"] == "bounded_sum" and mb["model"] == "lost_update"
    lines_a = {r["line"] for ob in ma["obligations"] for r in ob["references"]}
    lines_b = {r["line"] for ob in mb["obligations"] for r in ob["references"]}
    assert 22 in lines_b and 22 not in lines_a and 18 in lines_a and 18 not in lines_b
    # the same model again after another: the same obligations, asked from the same places, as
    # often, byte for byte and with the same hash (each run has its own z3 context: nothing
    # carried over, not even the order z3's simplifier gives arguments)
    ma2 = json.loads(pathlib.Path(a2.smt2["manifest"]).read_text())
    assert a.smt2["sha256"] == a2.smt2["sha256"]
    assert [p.read_text() for p in sorted((tmp_path / "a1").iterdir())] == \
        [p.read_text() for p in sorted((tmp_path / "a2").iterdir())]

    def shape(m):
        return sorted(json.dumps({k: v for k, v in ob.items() if k not in ("file", "sha256")}, sort_keys=True)
                      for ob in m["obligations"])

    assert a.smt2["files"] == a2.smt2["files"] and shape(ma) == shape(ma2) and ma["asked"] == ma2["asked"]


# ---- (e) the hash -------------------------------------------------------------------------------

def test_the_sha256_is_recomputed_from_the_files(tmp_path):
    (tmp_path / "bounded_sum.yaml").write_text(HOLDING)
    r = verify_file(str(tmp_path / "bounded_sum.yaml"), Options(), str(tmp_path / "p"))
    d = pathlib.Path(r.smt2["dir"])
    names = sorted(p.name for p in d.iterdir())
    assert names == sorted(["manifest.json"] + [f"q{k:05d}.smt2" for k in range(1, r.smt2["files"] + 1)])
    lines = "".join(f"{hashlib.sha256((d / n).read_bytes()).hexdigest()}  {n}\n" for n in names)
    assert r.smt2["sha256"] == hashlib.sha256(lines.encode()).hexdigest()
    assert r.smt2["manifest"] == str(d / "manifest.json")
    manifest = json.loads((d / "manifest.json").read_text())
    for ob in manifest["obligations"]:
        assert ob["sha256"] == hashlib.sha256((d / ob["file"]).read_bytes()).hexdigest()
    if shutil.which("sha256sum") and shutil.which("sh"):  # the recipe docs/soundness.md gives
        done = subprocess.run(["sh", "-c", "sha256sum manifest.json q*.smt2 | sha256sum"], cwd=d,
                              capture_output=True, text=True, check=True)
        assert done.stdout.split()[0] == r.smt2["sha256"]
    (d / "q00001.smt2").write_text("(check-sat)\n")  # any change to a file changes the hash
    from checker.symbolic.emit import digest
    assert digest(str(d), names) != r.smt2["sha256"]


# ---- (f) bounded, off by default, reported ------------------------------------------------------

def test_the_cap_is_said_in_the_manifest(tmp_path, monkeypatch):
    monkeypatch.setattr(verify_module, "Recorder", lambda: Recorder(limit=3))
    r = verify_file(str(ROOT / "models/seed_sum_locked.yaml"), Options(), str(tmp_path / "p"))
    manifest = json.loads(pathlib.Path(r.smt2["manifest"]).read_text())
    assert manifest["capped"] is True and manifest["limit"] == 3 and r.smt2["files"] == 3
    assert sum(manifest["unrecorded"].values()) > 0
    assert manifest["asked"]["z3"] + manifest["unrecorded"]["z3"] == r.stats["solver_calls"]


def test_off_by_default(tmp_path):
    r = verify_file(str(ROOT / "models/lost_update.yaml"))
    assert r.smt2 is None
    e, x = verify_module.explore(load(str(ROOT / "models/lost_update.yaml")), Options())
    assert e.solver.recorder is None
    out = io.StringIO()
    run_verify([str(ROOT / "models/lost_update.yaml")], Options(), "json", out, io.StringIO())
    assert json.loads(out.getvalue())["smt2"] is None


def test_text_and_json_name_the_directory_count_and_hash(tmp_path):
    code, doc, manifest, _ = emitted(ROOT / "models/lost_update.yaml", tmp_path / "p")
    assert set(doc["smt2"]) == {"dir", "manifest", "files", "sha256"} and len(doc["smt2"]["sha256"]) == 64
    out = io.StringIO()
    run_verify([str(ROOT / "models/lost_update.yaml")], Options(), "text", out, io.StringIO(), width=400,
               emit_smt2=str(tmp_path / "p"))
    lines = out.getvalue().splitlines()
    n = doc["smt2"]["files"]
    assert f"  smt2: {n} obligation {'file' if n == 1 else 'files'} and manifest.json in {tmp_path / 'p'}" in lines
    assert f"  smt2 sha256: {doc['smt2']['sha256']}" in lines


# ---- (g) the docs -------------------------------------------------------------------------------

def test_the_soundness_doc_example_is_a_real_run(tmp_path):
    """In a fresh process, as a user runs it."""
    assert HOLDING.startswith("model: bounded_sum\n")
    (tmp_path / "bounded_sum.yaml").write_text(HOLDING)
    done = subprocess.run([sys.executable, "-m", "checker.cli", "verify", "--emit-smt2", "proof", "bounded_sum.yaml"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "HOLDS (complete proof)" in done.stdout and "4 solver calls" in done.stdout
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", SECTION, re.S | re.M)
    shown = next(b for b in blocks if b.startswith("  smt2: "))
    assert [line for line in done.stdout.splitlines() if line.startswith("  smt2")] == shown.splitlines()
    cat = next(b for b in blocks if b.startswith("$ cat proof/q00005.smt2\n"))
    text, z3_run = cat.split("$ .venv/bin/z3 proof/q00005.smt2\n")
    assert (tmp_path / "proof/q00005.smt2").read_text() == text.split("\n", 1)[1]
    assert z3_answer(tmp_path / "proof/q00005.smt2") == z3_run.split()
    digest_line = next(b for b in blocks if b.startswith("$ cd proof && sha256sum")).splitlines()[1]
    assert digest_line == f"{shown.split()[-1]}  -"
