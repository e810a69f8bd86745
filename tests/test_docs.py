"""Docs cannot drift: the README's commands, example and option list match the real thing."""
import io
import pathlib
import re

import pytest

from checker.commands import run_verify
from checker.verify import Options

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def normalise(text: str) -> list[str]:
    text = re.sub(r"\d+\.\d+ s \[", "T s [", text)
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def test_readme_example_output_is_real():
    block = README.split("`checker verify models/lost_update.yaml` prints (exit code 1):")[1]
    shown = block.split("```")[1]
    out, err = io.StringIO(), io.StringIO()
    assert run_verify([str(ROOT / "models/lost_update.yaml")], Options(), False, out, err) == 1
    real = out.getvalue().replace(str(ROOT / "models"), "models")
    assert normalise(shown) == normalise(real)


def test_readme_model_excerpt_matches_the_file():
    excerpt = README.split("`models/lost_update.yaml`:")[1].split("```yaml")[1].split("```")[0]
    body = [l for l in (ROOT / "models/lost_update.yaml").read_text().splitlines()
            if l and not l.startswith("#") and not l.startswith("about:")]
    assert [l for l in excerpt.splitlines() if l] == body


def test_ci_runs_exactly_the_readme_test_command():
    command = README.split("Set up and run the tests:")[1].split("```sh")[1].split("```")[0].strip()
    ci = (ROOT / ".ci/run").read_text()
    assert command in ci.splitlines()


def test_readme_lists_every_verify_option():
    from checker.cli import app
    import typer.main
    cmd = typer.main.get_command(app).commands["verify"]
    flags = {o for p in cmd.params for o in p.opts if o.startswith("--")}
    for flag in flags:
        assert flag in README, flag


# ---- every shown `$ checker verify ...` run in README.md and docs/*.md is a real run ----------

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# Blocks not run, by "FILE: COMMAND", each with its reason. Slow or timing-dependent runs are
# skipped to keep this test fast and stable; their outputs were pasted from real runs.
NOT_RUN = {
    "semantics.md: checker verify unbounded.yaml": "slow: fills the 200 000-state budget first (about 7 s)",
    "semantics.md: checker verify models/batch_slots.yaml --solver-timeout-ms 1": "timing: a 1 ms solver query",
    "limitations.md: checker verify cubes.yaml --timeout 2": "slow and timing-dependent: a 2 s time budget",
    "limitations.md: checker verify cubes.yaml --timeout 0 --solver-timeout-ms 1000": "slow: a 1 s solver query",
}

FLAGS = {"--timeout": ("timeout", float), "--max-executions": ("max_executions", int),
         "--max-states": ("max_states", int), "--loop-bound": ("loop_bound", int),
         "--solver-timeout-ms": ("solver_timeout_ms", int), "--max-memory": ("max_memory", int)}


def _shown_runs():
    """(doc, line, command, shown output, model text or None) for each `$ checker verify` line in a
    fenced block; a throw-away model (not in models/) comes with the text of the nearest ```yaml
    block above it whose `model:` is the model the output names, else None."""
    runs = []
    for doc in DOCS:
        lines = doc.read_text().splitlines()
        i, last_yaml = 0, None
        while i < len(lines):
            if not lines[i].startswith("```"):
                i += 1
                continue
            j = next(k for k in range(i + 1, len(lines)) if lines[k].startswith("```"))
            if lines[i].strip() == "```yaml":
                last_yaml = "\n".join(lines[i + 1:j]) + "\n"
            cur = None
            for k in range(i + 1, j):
                if lines[k].startswith("$ "):
                    cur = [doc.name, k + 1, lines[k][2:], [], last_yaml]
                    runs.append(cur)
                elif cur is not None:
                    cur[3].append(lines[k])
            i = j + 1
    return [r for r in runs if r[2].startswith("checker verify ") and ">" not in r[2]]


def _runnable(doc, command, shown, yaml_text):
    """The model files and options of a command this test can run, or None."""
    args = command.split()[2:]
    paths = [a for a in args if a.endswith(".yaml")]
    if f"{doc}: {command}" in NOT_RUN or len(paths) != 1 or not shown:
        return None
    path = paths[0]
    if not path.startswith("models/"):
        m = re.search(r"^model: (\S+)$", yaml_text or "", re.M)
        if m is None or not shown[0].startswith(f"{path}: {m.group(1)}: "):
            return None  # the doc does not show this model in full right above
    elif not (ROOT / path).is_file():
        return None
    options, fmt, rest = {"timeout": 600.0}, "text", [a for a in args if a != path]
    while rest:
        flag = rest.pop(0)
        if flag == "--json":
            fmt = "json"
        elif flag == "--no-reduction":
            options["reduction"] = False
        elif flag == "--spurious-wakeups":
            options["spurious_wakeups"] = True
        elif flag in FLAGS:
            name, kind = FLAGS[flag]
            value = kind(rest.pop(0))
            options[name] = value or None if name in ("timeout", "max_memory") else value
        else:
            raise AssertionError(f"{doc}: '{command}': flag {flag} unknown to this test")
    return path, Options(**options), fmt


RUNS = [r for r in _shown_runs() if _runnable(r[0], r[2], r[3], r[4]) is not None]


def normalise_run(text: str) -> list[str]:
    """Seconds differ from run to run; trailing white space and blank lines at the end do not count."""
    text = re.sub(r"\d+\.\d{3} s\b", "X s", text)
    text = re.sub(r'"(solver_)?seconds": [0-9.e-]+', r'"\1seconds": X', text)
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


@pytest.mark.parametrize("doc, line, command, shown, yaml_text", RUNS,
                         ids=[f"{r[0]}:{r[1]}" for r in RUNS])
def test_doc_run_output_is_real(doc, line, command, shown, yaml_text, tmp_path, monkeypatch):
    """Run from the directory the doc runs from, so that paths (and where lines wrap) match."""
    path, options, fmt = _runnable(doc, command, shown, yaml_text)
    if path.startswith("models/"):
        monkeypatch.chdir(ROOT)
    else:
        (tmp_path / path).write_text(yaml_text)
        monkeypatch.chdir(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    run_verify([path], options, fmt, out, err)
    real = out.getvalue() + err.getvalue()
    assert normalise_run("\n".join(shown)) == normalise_run(real), f"{doc}:{line}: $ {command}"


def test_doc_runs_are_found():
    """The collection above cannot silently check nothing: every sample-model run is checked."""
    models = [r for r in RUNS if " models/" in r[2]]
    assert len(models) >= 11 and len(RUNS) >= 19, [f"{r[0]}:{r[1]}" for r in RUNS]
