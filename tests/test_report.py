"""`checker report`: the review document (issue item 3).

Fast tests run the real command (`run_report`, and the typer app for exit codes and messages)
and read what it wrote: the model tables, each verdict, the proof summary, the Mermaid diagram
and the step table; escaping of hostile model text for Markdown, Mermaid and HTML; refusing to
overwrite. The browser test loads the HTML report of the lost update in Debian's headless
Chromium (driven by selenium through /usr/bin/chromedriver), checks the diagram shows the
lost update, steps through it with the buttons and the arrow keys, and saves a screenshot in
tests/output/ (ignored by git). Without chromium it is skipped, saying why; the README's test
command (and so .ci/run) installs it.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import shutil
import tempfile
from importlib import metadata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.cli import app
from checker.commands import run_report
from checker.render.report.html import SCRIPT
from checker.render.report.lanes import Arrow, Lanes
from checker.render.report.mermaid import diagram, text as mermaid_text
from checker.verify import Options

ROOT = Path(__file__).resolve().parent.parent
LOST = ROOT / "models/lost_update.yaml"
LOCKED = ROOT / "models/lost_update_locked.yaml"
OUTPUT = ROOT / "tests/output"  # the browser test's screenshot and page (ignored by git)

HOSTILE_TEXT = "x|y <script>alert(1)</script> --> `tick` ; #35 \x1b[31mred\nsecond line"
HOSTILE = f"""model: {json.dumps(HOSTILE_TEXT)}
about: {json.dumps(HOSTILE_TEXT)}
shared:
  w: 0
threads:
  a:
    - w = 1
  b:
    - w = 2
check:
  - final: w < 2
"""


def report(tmp_path: Path, *models: Path, fmt: str = "md", **options) -> tuple[int, str, str, str]:
    """(exit code, the report written, stdout, stderr) of `checker report MODELS -o FILE`."""
    target = tmp_path / f"report.{fmt}"
    out, err = io.StringIO(), io.StringIO()
    code = run_report([str(m) for m in models], Options(**options), fmt, str(target), False, out, err)
    return code, target.read_text() if target.exists() else "", out.getvalue(), err.getvalue()


def mermaid_blocks(md: str) -> list[list[str]]:
    return [b.splitlines() for b in re.findall(r"^```mermaid\n(.*?)^```$", md, re.M | re.S)]


def marked_steps(lines: list[str]) -> set[int]:
    """The step numbers of the arrows inside a `rect` of the diagram."""
    marked, inside = set(), False
    for line in lines:
        s = line.strip()
        inside = True if s.startswith("rect ") else False if s == "end" else inside
        m = re.match(r"^\w+->>\w+: (\d+): ", s)
        if m and inside:
            marked.add(int(m.group(1)))
    return marked


# ---- Markdown ---------------------------------------------------------------------------------

def test_markdown_report_of_the_lost_update(tmp_path):
    code, md, out, err = report(tmp_path, LOST)
    assert code == 1 and err == ""
    assert out == f"{tmp_path / 'report.md'}: lost_update: violated (exit code 1)\n"
    # the model as tables
    assert "| g1 | int | -100..100 |" in md
    assert "| worker\\_a | 16 | tmp = w |\n|  | 17 | w = tmp + g1 |\n| worker\\_b | 19 | tmp = w |" in md
    assert "| w | int variable |" in md
    # each property's verdict
    assert "| final | w == g1 + g2 | 22 | **violated** |  |" in md
    assert "| deadlock | no deadlock |  | holds |  |" in md
    # the proof summary, with the file's hash and the tools' versions
    sha = hashlib.sha256(LOST.read_bytes()).hexdigest()
    assert f"| **model sha256** | {sha} |" in md
    assert "| **explored** | 4 executions, 13 steps |" in md
    assert "| **search** | Optimal DPOR: one execution per Mazurkiewicz trace (partial-order reduction) |" in md
    assert re.search(r"\| \*\*solver calls\*\* \| \d+ queries that reached z3 \(", md)
    assert f"| **z3-solver** | {metadata.version('z3-solver')} |" in md
    assert re.search(r"\| \*\*date\*\* \| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \|", md)
    # the diagram: a lifeline per thread and for w, both writes, the lost update marked
    [lines] = mermaid_blocks(md)
    assert lines[:4] == ["sequenceDiagram", "    participant t0 as worker_a", "    participant t1 as worker_b",
                         "    participant r0 as w"]
    arrows = [l.strip() for l in lines if "->>" in l]
    assert arrows == ["t0->>r0: 1: read w = 0, tmp = 0", "t1->>r0: 2: read w = 0, tmp = 0",
                      "t1->>r0: 3: write w = -1", "t0->>r0: 4: write w = -1"]
    assert marked_steps(lines) == {1, 3, 4}
    assert ("Note right of t0: worker_a writes w from its read at step 1, overwriting worker_b's write at step 3"
            in [l.strip() for l in lines])
    assert lines[-1] == ("    Note over t0,r0: final violated: final property 'w == g1 + g2' can be false "
                         "(-1 == -1 + -1 is false)")
    # the step table, marked steps flagged
    assert "| 3 ⚠ | worker\\_b | w = tmp + g2 | 20 | write w = -1 |" in md
    assert "| 2 | worker\\_b | tmp = w | 19 | read w = 0; tmp = 0 |" in md


def test_a_holding_model_gets_a_proof_summary_and_no_diagram(tmp_path):
    code, md, _, _ = report(tmp_path, LOCKED)
    assert code == 0
    assert "## lost\\_update\\_locked: holds" in md
    assert "| **verdict** | holds: a complete proof, for every schedule and every input in range |" in md
    assert "| **bounds** | none: the search explored everything |" in md
    assert "| **inputs** | g1 in -100..100, g2 in -100..100 (symbolic: every value in range) |" in md
    assert f"| **model sha256** | {hashlib.sha256(LOCKED.read_bytes()).hexdigest()} |" in md
    assert "| m | mutex |" in md and "| worker\\_b | 20 | lock m |\n|  | 21 | tmp = w |" in md
    assert "```mermaid" not in md and "Counterexample" not in md


def test_several_models_make_one_document(tmp_path):
    code, md, out, _ = report(tmp_path, LOCKED, LOST)
    assert code == 1
    assert md.index("## lost\\_update\\_locked: holds") < md.index("## lost\\_update: violated")
    assert len(mermaid_blocks(md)) == 1
    assert out.endswith(": lost_update_locked: holds, lost_update: violated (exit code 1)\n")


def test_nothing_the_user_wrote_is_overwritten(tmp_path):
    target = tmp_path / "review.md"
    target.write_text("my notes\n")
    r = CliRunner().invoke(app, ["report", str(LOST), "-o", str(target)])
    assert r.exit_code == 2
    assert "review.md: error: the file exists; nothing was written (give --force to overwrite it)" in r.output
    assert target.read_text() == "my notes\n"
    r = CliRunner().invoke(app, ["report", str(LOST), "-o", str(target), "--force"])
    assert r.exit_code == 1 and target.read_text().startswith("# checker report\n")
    r = CliRunner().invoke(app, ["report", str(LOST), "-o", str(tmp_path)])
    assert r.exit_code == 2 and "is a directory" in r.output


def test_a_bad_model_path_is_exit_2_with_a_message(tmp_path):
    target = tmp_path / "r.md"
    r = CliRunner().invoke(app, ["report", str(tmp_path / "missing.yaml"), "-o", str(target)])
    assert r.exit_code == 2
    assert "missing.yaml:1:1: error: no such file" in r.output and "hint: check the path" in r.output
    assert "Traceback" not in r.output and r.exception is None or isinstance(r.exception, SystemExit)
    assert not target.exists()  # nothing to report: no file a second run would refuse
    r = CliRunner().invoke(app, ["report", str(LOST), "--format", "pdf"])
    assert r.exit_code == 2 and "not a report format" in r.output


def test_report_shares_verifys_options():
    import typer.main
    commands = typer.main.get_command(app).commands
    flags = {name: {o for p in c.params for o in p.opts} for name, c in commands.items()}
    assert flags["verify"] - {"--format", "--json"} <= flags["report"]
    assert {"-o", "--output", "--force", "--format"} <= flags["report"]


def test_report_to_standard_output_with_options(tmp_path):
    r = CliRunner().invoke(app, ["report", str(LOST), "--no-reduction", "--max-executions", "100"])
    assert r.exit_code == 1
    assert r.output.startswith("# checker report\n")
    assert "| **search** | stateful search: state caching, every interleaving, no reduction (--no-reduction) |" in r.output
    assert "100 executions (--max-executions)" in r.output


# ---- hostile text -----------------------------------------------------------------------------

def test_hostile_model_text_is_escaped_in_markdown(tmp_path):
    model = tmp_path / "hostile.yaml"
    model.write_text(HOSTILE)
    code, md, out, _ = report(tmp_path, model)
    assert code == 1
    assert "\x1b" not in md and "<script>" not in md and "\x1b" not in out
    heading = next(l for l in md.splitlines() if l.startswith("## "))
    assert heading == ("## x\\|y \\<script\\>alert(1)\\</script\\> --\\> \\`tick\\` ; \\#35 \\\\x1b\\[31mred"
                       "\\\\nsecond line: violated")
    about = next(l for l in md.splitlines() if l.startswith("About: "))
    assert "\\|y" in about and "\\\\x1b" in about
    [lines] = mermaid_blocks(md)
    for line in lines[1:]:
        assert not re.search(r"[<>;`|#]", re.sub(r"#\d+;", "", line.split(": ", 1)[-1])), line
    assert "final property 'w #60; 2' is false (2 #60; 2 is false)" in lines[-1]


def test_mermaid_text_cannot_break_out():
    hostile = HOSTILE_TEXT + " %% end\n```"
    lanes = Lanes(("end", hostile), ("participant",), (Arrow(1, "end", "participant", hostile, "s", 1),
                                                       Arrow(2, hostile, None, hostile, hostile, 2)), {2: hostile}, hostile)
    lines = diagram(lanes)
    assert len(lines) == 1 + 3 + 1 + 4 + 1  # header, participants, arrow, rect (arrow, note), final note
    assert lines[1] == "    participant t0 as end"  # ids, not names, are the syntax
    for line in lines[1:]:
        text = line.split(" as ", 1)[-1].split(": ", 1)[-1]
        assert not re.search(r"[<>;`|\n\x1b%#]", re.sub(r"#\d+;", "", text)), line
    assert mermaid_text("a;b#c<d>`\x1b") == "a#59;b#35;c#60;d#62;#96;#92;x1b"
    assert mermaid_text("wörker[0] = -1") == "wörker[0] = -1"


def test_hostile_model_text_is_escaped_in_html(tmp_path):
    model = tmp_path / "hostile.yaml"
    model.write_text(HOSTILE)
    code, page, _, _ = report(tmp_path, model, fmt="html")
    assert code == 1
    assert "\x1b" not in page
    assert page.count("<script") == 1  # ours
    assert "&lt;script&gt;alert(1)&lt;/script&gt; --&gt;" in page
    assert "\\x1b[31mred\\nsecond line" in page
    assert "w &lt; 2" in page


def test_html_is_self_contained(tmp_path):
    code, page, _, _ = report(tmp_path, LOST, fmt="html")
    assert code == 1
    assert page.startswith("<!DOCTYPE html>")
    for remote in ("http://", "https://", "src=", "href=", "@import", "//cdn"):
        assert remote not in page, remote
    digest = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page).group(1)
    assert csp.startswith("default-src 'none'; style-src 'unsafe-inline'; ")
    assert f"script-src 'sha256-{digest}'" in csp
    assert f"<script>{SCRIPT}</script>" in page  # the hash is of exactly this script
    assert '<g class="step marked" data-steps="4">' in page and '<g class="step" data-steps="2">' in page
    assert page.count('<tr class="marked" data-steps=') == 3


# ---- in a real browser ------------------------------------------------------------------------

def chromium() -> tuple[str, str] | None:
    browser, driver = shutil.which("chromium"), shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def test_html_report_in_headless_chromium():
    found = chromium()
    if found is None:
        pytest.skip("chromium or chromedriver is not installed: apt-get install -y chromium chromium-driver "
                    "(the README's test command installs them)")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed: pip install -e '.[test]'")
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    OUTPUT.mkdir(parents=True, exist_ok=True)
    page = OUTPUT / "lost_update.html"
    shot = OUTPUT / "lost_update.png"
    for f in (page, shot):
        f.unlink(missing_ok=True)
    assert run_report([str(LOST)], Options(), "html", str(page), False, io.StringIO(), io.StringIO()) == 1

    options = webdriver.ChromeOptions()
    options.binary_location = found[0]
    with tempfile.TemporaryDirectory() as profile:
        for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     f"--user-data-dir={profile}", "--window-size=1280,1000"):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        browser = webdriver.Chrome(service=Service(found[1]), options=options)
        try:
            browser.get(page.as_uri())
            box = browser.find_element(By.CSS_SELECTOR, ".stepper")

            def current() -> tuple[str, list[str]]:
                marked = browser.find_elements(By.CSS_SELECTOR, ".stepper .current")
                return box.get_attribute("data-current"), sorted(f"{e.tag_name}:{e.get_attribute('data-steps')}"
                                                                 for e in marked)

            # the diagram shows the lost update: both threads' writes of w, marked, and the violation
            svg = browser.find_element(By.CSS_SELECTOR, "svg.lanes")
            lanes = [t.text for t in svg.find_elements(By.CSS_SELECTOR, ".lane text")]
            assert lanes == ["worker_a", "worker_b", "w"]
            labels = {g.get_attribute("data-steps"): g.text for g in svg.find_elements(By.CSS_SELECTOR, "g.step")}
            assert "3: write w = -1" in labels["3"] and "4: write w = -1" in labels["4"]
            assert "overwriting worker_b's write at step 3" in labels["4"]
            marked = [g.get_attribute("data-steps") for g in svg.find_elements(By.CSS_SELECTOR, "g.step.marked")]
            assert marked == ["1", "3", "4"]
            assert "final violated" in svg.find_element(By.CSS_SELECTOR, ".ending").text
            # step through: the script ran (the CSP allowed it by its hash), and the highlight moves
            assert current() == ("1", ["g:1", "tr:1"])
            browser.find_element(By.CSS_SELECTOR, ".next").click()
            browser.find_element(By.CSS_SELECTOR, ".next").click()
            assert current() == ("3", ["g:3", "tr:3"])
            assert browser.find_element(By.CSS_SELECTOR, ".status").text == \
                "step 3 (3 of 4): worker_b: w = tmp + g2 (write w = -1)"
            browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)
            assert current()[0] == "4"
            browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_LEFT)
            browser.find_element(By.CSS_SELECTOR, ".prev").click()
            assert current() == ("2", ["g:2", "tr:2"])
            browser.find_element(By.CSS_SELECTOR, ".next").click()
            severe = [e for e in browser.get_log("browser") if e.get("level") == "SEVERE"]
            assert severe == []  # no CSP violation, no script error, nothing fetched
            browser.execute_script("arguments[0].scrollIntoView()", box)
            assert browser.save_screenshot(str(shot))
        finally:
            browser.quit()
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    print(f"screenshot: {shot}")


def test_docs_show_a_real_report(tmp_path, monkeypatch):
    """docs/report.md's run and its diagram are what the command prints and writes."""
    doc = (ROOT / "docs/report.md").read_text()
    monkeypatch.chdir(ROOT)
    out, err = io.StringIO(), io.StringIO()
    target = tmp_path / "review.md"
    assert run_report(["models/lost_update.yaml"], Options(), "md", str(target), False, out, err) == 1
    shown = doc.split("$ checker report models/lost_update.yaml -o review.md\n")[1].split("```")[0]
    assert shown == out.getvalue().replace(str(target), "review.md")
    assert mermaid_blocks(doc) == mermaid_blocks(target.read_text())


def test_the_proof_summary_names_the_smt2_file_set_and_its_hash(tmp_path):
    """`report --emit-smt2 DIR`: the summary counts the obligations written and gives their sha256."""
    result = CliRunner().invoke(app, ["report", str(LOST), "-o", str(tmp_path / "r.md"), "--format", "markdown",
                                      "--emit-smt2", str(tmp_path / "proof")])
    assert result.exit_code == 1, result.output
    text = (tmp_path / "r.md").read_text()
    manifest = json.loads((tmp_path / "proof" / "manifest.json").read_text())
    files = len(list((tmp_path / "proof").glob("*.smt2")))
    row = next(line for line in text.splitlines() if line.startswith("| **obligations discharged** |"))
    assert f"{files} distinct quer" in row and str(tmp_path / "proof").replace("_", "\\_") in row
    assert len(manifest["obligations"]) == files
    assert re.search(r"sha256 [0-9a-f]{64}", row)
