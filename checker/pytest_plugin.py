"""pytest integration: check a model against its `expect:` inside a test.

    from checker.pytest_plugin import assert_expected

    def test_my_model():
        r = assert_expected("models/lost_update.yaml")   # fails with the verdict and why
        assert r.trace.inputs                            # the Result is returned for more checks
"""
from __future__ import annotations

from checker.verify import Options, verify_file


def assert_expected(path: str, options: Options = Options()):
    """Verify a model and assert that its verdict meets the model's `expect:`; returns the Result."""
    r = verify_file(path, options)
    assert r.expect is not None, f"{path} has no 'expect:'"
    assert r.expect_met, (f"{path}: expected {r.expect}, got {r.verdict.value}"
                          + (f" ({r.violation.kind}: {r.violation.message})" if r.violation else "")
                          + (f" ({r.reason})" if r.reason else ""))
    return r
