"""What a test does when a service or tool it needs is missing: skip locally, fail under CI."""

from __future__ import annotations

import pytest

from tests.helpers import unavailable


def outcome_of_missing_tool() -> BaseException:
    """What `unavailable` raised, caught here so that a wrong skip fails this test instead of
    skipping it."""
    try:
        unavailable("no frobnicator installed")
    except (pytest.skip.Exception, pytest.fail.Exception) as raised:
        return raised
    raise AssertionError("unavailable returned")


def test_without_ci_a_missing_tool_skips_with_its_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    raised = outcome_of_missing_tool()
    assert isinstance(raised, pytest.skip.Exception)
    assert raised.msg == "no frobnicator installed"


@pytest.mark.parametrize("value", ["true", "1"])
def test_under_ci_a_missing_tool_fails_with_its_reason(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("CI", value)
    raised = outcome_of_missing_tool()
    assert isinstance(raised, pytest.fail.Exception)
    assert raised.msg == "no frobnicator installed (CI is set, so this fails instead of skipping)"
    assert raised.pytrace is False


def test_an_empty_ci_variable_is_not_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "")
    assert isinstance(outcome_of_missing_tool(), pytest.skip.Exception)
