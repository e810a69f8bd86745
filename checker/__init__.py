"""checker: a model checker for concurrent access schedules.

    import checker
    r = checker.verify("models/lost_update.yaml", timeout=60)   # a path, or the model's text
    r.verdict, r.expect_met, r.trace, [(p.kind, p.verdict) for p in r.properties]

`import checker` is cheap: it imports the standard library only, and every other name here
(`Result`, `Options`, `ModelError`, ...) is imported on first use (PEP 562), so the pytest
plugin, which every pytest session with checker installed loads, costs nothing until a model
runs. The engine's own entry point, `verify(program, options)`, stays in the module
`checker.verify` (`from checker.verify import verify, load, load_text`); the package attribute
`checker.verify` is the function below, also after that module is imported.
"""
from __future__ import annotations

import os
import sys
import types
from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:  # what the lazy names are, for type checkers
    from typing import Unpack

    from checker.errors import ModelError
    from checker.program import Program
    from checker.result import ExitCode, Result, Verdict
    from checker.verify import Options, load, load_text, verify_file

__version__ = "0.1.0"

_LAZY = {  # name -> the module that defines it
    "ModelError": "checker.errors",
    "ExitCode": "checker.result", "Result": "checker.result", "Verdict": "checker.result",
    "Options": "checker.verify", "load": "checker.verify", "load_text": "checker.verify",
    "verify_file": "checker.verify",
}


class VerifyOptions(TypedDict, total=False):
    """The keyword options of `checker.verify`: the fields of `checker.Options`, with its defaults
    and checks (None lifts a budget: `timeout=None`, `max_memory=None`, `max_executions=None`)."""

    reduction: bool
    timeout: float | None
    max_executions: int | None
    max_states: int
    loop_bound: int
    spurious_wakeups: bool
    solver_timeout_ms: int
    max_memory: int | None


def verify(source: str | os.PathLike[str] | Program, /, **options: Unpack[VerifyOptions]) -> Result:
    """Verify one model and return its `Result` (a verdict for the model and one per property,
    the first counterexample's trace, `expect` and `expect_met`).

    `source` is
      * a path: an `os.PathLike` (`pathlib.Path`), or a `str` with no newline in it;
      * the model's text: a `str` that holds a newline (a model always spans several lines;
        write a one-line flow-style model with a trailing newline). Messages name it `<model>`;
      * a `Program` already compiled by `checker.verify.load`/`load_text`.

        checker.verify("models/peterson.yaml", timeout=10, loop_bound=5)
        checker.verify(pathlib.Path("models/peterson.yaml"))
        checker.verify("model: m\\nshared: {x: 0}\\nthreads:\\n  t: [x = 1]\\ncheck:\\n  - final: x == 1\\n")

    `options` are those of `checker.Options` (see `VerifyOptions`); the default budgets are the
    command line's (600 s, 4096 MiB, 200,000 states).

    Raises TypeError for an option `Options` does not have (named in the message) or a source of
    another type; ValueError for an option's invalid value (as `Options` does: `timeout=-1`);
    `checker.ModelError` for an invalid model or a file that cannot be read (its message reads
    `file:line:col: error: ...` plus a hint).
    """
    import dataclasses

    from checker.verify import Options, load, load_text
    from checker.verify import verify as verify_program

    known = [f.name for f in dataclasses.fields(Options)]
    for name in options:
        if name not in known:
            from checker.errors import did_you_mean

            hint = did_you_mean(name, known)
            raise TypeError(f"checker.verify() got an unknown option {name!r}"
                            f"{f' ({hint})' if hint else ''}; options: {', '.join(known)}")
    opts = Options(**options)
    if isinstance(source, os.PathLike):
        program = load(os.fspath(source))
    elif isinstance(source, str):
        program = load_text(source) if "\n" in source else load(source)
    else:
        from checker.program import Program

        if not isinstance(source, Program):
            raise TypeError(f"checker.verify() takes a path, model text or a Program, not {type(source).__name__}")
        program = source
    return verify_program(program, opts)


def __getattr__(name: str):
    """The lazy names, and `checker.pytest_plugin` after a plain `import checker` (imported only
    when used, so pytest sessions that do not use it pay nothing)."""
    if name in _LAZY or name == "pytest_plugin":
        import importlib

        module = importlib.import_module(_LAZY.get(name, "checker.pytest_plugin"))
        return module if name == "pytest_plugin" else getattr(module, name)
    raise AttributeError(f"module 'checker' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | {"pytest_plugin"})


class _Package(types.ModuleType):
    """Keeps `checker.verify` the function above: importing the submodule `checker.verify` would
    otherwise set the package attribute of that name to the module (the import system does)."""

    def __setattr__(self, name: str, value) -> None:
        if name == "verify" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

__all__ = ["ModelError", "ExitCode", "Result", "Verdict", "Options", "VerifyOptions", "load", "load_text", "verify",
           "verify_file", "__version__"]
