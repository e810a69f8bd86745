"""The pytest nodes of a model file: `ModelFile` collects one `ModelItem`, named after the file
(`models/lost_update.yaml::lost_update`), which verifies the model with the command line's
`--checker-*` options and fails unless its verdict meets `expect:`.

A failure shows what `checker verify` prints (the verdict of each property, the counterexample's
inputs and trace, `expect: ... -- NOT MET`); an invalid model shows `file:line:col: error: ...`
and its hint. Neither shows a Python traceback: the model, not the test code, is at fault. The
engine is imported when the first model runs, not when it is collected (`pytest --co` stays fast).
"""
from __future__ import annotations

import os

import pytest

from checker.pytest_plugin import options_from


class ExpectNotMet(Exception):
    """The model's verdict does not meet its `expect:` (or it has none)."""

    def __init__(self, result, why: str = ""):
        super().__init__(why or f"expected {result.expect}, got {result.verdict.value}")
        self.result = result


class ModelFile(pytest.File):
    def collect(self):
        yield ModelItem.from_parent(self, name=self.path.stem)


class ModelItem(pytest.Item):
    def runtest(self) -> None:
        from checker.verify import Options, load, verify

        result = verify(load(shown_path(self.path)), Options(**options_from(self.config)))
        self.user_properties.append(("checker_verdict", result.verdict.value))
        if result.expect is None:
            raise ExpectNotMet(result, f"{result.file} has no 'expect:'")
        if not result.expect_met:
            raise ExpectNotMet(result)

    def repr_failure(self, excinfo, style=None):
        from checker.errors import ModelError

        if isinstance(excinfo.value, ExpectNotMet):
            from checker.render.text import render

            writer = self.config.get_terminal_writer()
            report = render(excinfo.value.result, width=max(writer.fullwidth, 60), color=writer.hasmarkup)
            return report if excinfo.value.result.expect is not None else f"{report}\n{excinfo.value}"
        if isinstance(excinfo.value, ModelError):
            from checker.render.safe import printable

            return printable(excinfo.value.render(), newlines=True)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, shown_path(self.path)


def shown_path(path) -> str:
    """The path as the user would type it: relative to the current directory when under it."""
    rel = os.path.relpath(path)
    return os.path.abspath(path) if rel.startswith(os.pardir) else rel
