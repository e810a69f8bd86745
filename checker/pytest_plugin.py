"""pytest integration: check a model against its `expect:` inside a test.

    from checker.pytest_plugin import assert_expected

    def test_my_model():
        r = assert_expected("models/lost_update.yaml")   # fails with the verdict and why
        assert r.trace.inputs                            # the Result is returned for more checks

`assert_expected` needs nothing from pytest: it raises AssertionError itself (also under
`python -O`), so it works in a script or another test runner too.
"""
from __future__ import annotations

from checker.render.safe import printable
from checker.verify import Options, verify_file


def assert_expected(path: str, options: Options | None = None):
    """Verify a model and raise AssertionError unless its verdict meets the model's `expect:`;
    returns the Result."""
    r = verify_file(path, options if options is not None else Options())
    if r.expect is None:
        raise AssertionError(f"{printable(path)} has no 'expect:'")
    if not r.expect_met:
        why = (f" ({r.violation.kind}: {r.violation.message})" if r.violation else "") + \
              (f" ({r.reason})" if r.reason else "")
        raise AssertionError(printable(f"{path}: expected {r.expect}, got {r.verdict.value}{why}"))
    return r
