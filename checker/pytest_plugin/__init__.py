"""pytest integration: every model file with `expect:` is a test, plus `assert_expected` for tests
written by hand.

Installed with checker (the `pytest11` entry point), the plugin makes each model file that pytest
visits, that matches a `checker_models` glob (relative to the rootdir) and that has a top-level
`expect:` line, one test item: `models/lost_update.yaml::lost_update`. The item verifies the
model and fails unless the verdict meets `expect:`, showing the text report with its trace; an
invalid model fails with `file:line:col: error: ...` and the hint, no traceback.

    [tool.pytest.ini_options]
    checker_models = ["models/**/*.yaml"]   # the default; [] collects no model

Models are collected where pytest looks, as test files are: from its arguments, else `testpaths`,
else the rootdir. So `pytest models/peterson.yaml` runs one model, and a project whose
`testpaths` leaves out `models/` runs its models only when asked (this repository: its own
tests/test_models.py checks every sample model, so `pytest` does not collect them twice).
Options: `--checker-timeout`, `--checker-max-states`, `--checker-loop-bound`,
`--checker-max-memory`, `--checker-max-executions`, `--checker-solver-timeout-ms`,
`--checker-no-reduction`, `--checker-spurious-wakeups` (as `checker verify`'s).

By hand:

    from checker.pytest_plugin import assert_expected

    def test_my_model():
        r = assert_expected("models/lost_update.yaml")   # fails with the verdict and why
        assert r.trace.inputs                            # the Result is returned for more checks

`assert_expected` needs nothing from pytest: it raises AssertionError itself (also under
`python -O`), so it works in a script or another test runner too.

Start-up cost: this module imports only the standard library, so a pytest session pays nothing
for the plugin until it collects a model (the pytest nodes, `items.py`) or runs one (the engine).
"""
from __future__ import annotations

import functools
import os
import re

EXPECT = re.compile(r"^expect[ \t]*:", re.MULTILINE)  # a top-level `expect:` key
DEFAULT_GLOBS = ["models/**/*.yaml"]
MAX_SNIFF_BYTES = 1 << 20  # how much of a file is searched for `expect:`; a model is far smaller


def assert_expected(path: str, options=None):
    """Verify a model and raise AssertionError unless its verdict meets the model's `expect:`;
    returns the Result. `options` is a `checker.Options` (default: `Options()`)."""
    from checker.render.safe import printable
    from checker.verify import Options, verify_file

    r = verify_file(path, options if options is not None else Options())
    if r.expect is None:
        raise AssertionError(f"{printable(path)} has no 'expect:'")
    if not r.expect_met:
        why = (f" ({r.violation.kind}: {r.violation.message})" if r.violation else "") + \
              (f" ({r.reason})" if r.reason else "")
        raise AssertionError(printable(f"{path}: expected {r.expect}, got {r.verdict.value}{why}"))
    return r


def _count(least: int, what: str):
    """An argparse type: an integer >= `least`."""
    def parse(text: str) -> int:
        import argparse

        try:
            value = int(text)
        except ValueError:
            value = least - 1
        if value < least:
            raise argparse.ArgumentTypeError(f"expected {what}, not {text!r}")
        return value
    return parse


def _seconds(text: str) -> float:
    import argparse
    import math

    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"expected a number of seconds >= 0 (0: no time limit), not {text!r}")
    return value


# (flag, Options field, argparse type, metavar, help); 0 lifts a limit where the help says so
VALUE_OPTIONS = (
    ("--checker-timeout", "timeout", _seconds, "SECONDS", "seconds per model before giving up (unknown); 0: no limit"),
    ("--checker-max-states", "max_states", _count(1, "an integer >= 1"), "N",
     "states stored by the stateful search before it falls back to the loop bound"),
    ("--checker-loop-bound", "loop_bound", _count(0, "an integer >= 0"), "N",
     "loop iterations per thread when the state space is not finite (bounded)"),
    ("--checker-max-memory", "max_memory", _count(0, "an integer number of MiB >= 0 (0: no limit)"), "MIB",
     "MiB of resident memory before giving up (unknown); 0: no limit"),
    ("--checker-max-executions", "max_executions", _count(1, "an integer >= 1"), "N",
     "executions before giving up (unknown)"),
    ("--checker-solver-timeout-ms", "solver_timeout_ms", _count(1, "an integer >= 1"), "MS",
     "milliseconds per solver query (unknown when exceeded)"),
)
NO_LIMIT_AT_ZERO = {"timeout", "max_memory"}


def pytest_addoption(parser) -> None:
    group = parser.getgroup("checker", "checker: model files with expect: as tests")
    for flag, field, kind, metavar, text in VALUE_OPTIONS:
        group.addoption(flag, dest=f"checker_{field}", type=kind, metavar=metavar, default=None, help=text)
    group.addoption("--checker-no-reduction", dest="checker_no_reduction", action="store_true",
                    help="explore every interleaving (no partial-order reduction)")
    group.addoption("--checker-spurious-wakeups", dest="checker_spurious_wakeups", action="store_true",
                    help="let a thread waiting on a condition wake without a signal")
    parser.addini("checker_models", type="linelist", default=list(DEFAULT_GLOBS),
                  help="globs (relative to the rootdir) of model files to run as tests when they have "
                       "'expect:'; default: models/**/*.yaml; [] or empty: none")


def options_from(config) -> dict:
    """The `checker.Options` keywords given on the command line (only those given)."""
    chosen = {}
    for _, field, *_ in VALUE_OPTIONS:
        value = config.getoption(f"checker_{field}")
        if value is not None:
            chosen[field] = None if (value == 0 and field in NO_LIMIT_AT_ZERO) else value
    if config.getoption("checker_no_reduction"):
        chosen["reduction"] = False
    if config.getoption("checker_spurious_wakeups"):
        chosen["spurious_wakeups"] = True
    return chosen


def model_paths(config) -> frozenset[str]:
    """The absolute paths the `checker_models` globs match, found once per session."""
    key = _stash_key()
    found = config.stash.get(key, None)
    if found is None:
        import glob

        root = str(config.rootpath)
        found = frozenset(os.path.abspath(os.path.join(root, p)) for pattern in config.getini("checker_models")
                          for p in glob.glob(pattern, root_dir=root, recursive=True))
        config.stash[key] = found
    return found


@functools.cache
def _stash_key():
    """The key of `model_paths` in `config.stash`, made on first use (pytest is not imported at
    start-up, so that `assert_expected` works without it)."""
    from pytest import StashKey

    return StashKey[frozenset]()


def has_expect(path) -> bool:
    """Does the file have a top-level `expect:` line? An unreadable file counts as having one,
    so that its item reports why it cannot be read."""
    try:
        with open(path, "rb") as f:
            head = f.read(MAX_SNIFF_BYTES)
    except OSError:
        return True
    return EXPECT.search(head.decode("utf-8", errors="replace")) is not None


def pytest_collect_file(file_path, parent):
    if not parent.config.getini("checker_models"):
        return None
    if os.path.abspath(file_path) not in model_paths(parent.config) or not has_expect(file_path):
        return None
    from checker.pytest_plugin.items import ModelFile

    return ModelFile.from_parent(parent, path=file_path)
