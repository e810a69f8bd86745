"""Docs cannot drift: the README's commands, example and option list match the real thing."""
import io
import pathlib
import re

from checker.cli import run_verify
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
