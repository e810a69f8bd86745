"""checker: a model checker for concurrent access schedules.

    from checker import verify_file
    result = verify_file("models/lost_update.yaml")
    result.verdict, result.trace
"""
from checker.errors import ModelError
from checker.result import ExitCode, Result, Verdict
from checker.verify import Options, load, verify, verify_file

__version__ = "0.1.0"
__all__ = ["ModelError", "ExitCode", "Result", "Verdict", "Options", "load", "verify", "verify_file", "__version__"]
