"""checker: a model checker for concurrent access schedules.

    from checker import verify_file
    result = verify_file("models/lost_update.yaml")
    result.verdict, result.trace
"""
from checker.errors import ModelError
from checker.result import ExitCode, Result, Verdict
from checker.verify import Options, load, verify, verify_file

__version__ = "0.1.0"


def __getattr__(name: str):
    """`checker.pytest_plugin` after a plain `import checker`, imported only when used (it is
    not imported at start-up, so pytest sessions that do not use it pay nothing)."""
    if name == "pytest_plugin":
        import importlib

        return importlib.import_module("checker.pytest_plugin")
    raise AttributeError(f"module 'checker' has no attribute {name!r}")
__all__ = ["ModelError", "ExitCode", "Result", "Verdict", "Options", "load", "verify", "verify_file", "__version__"]
