"""Settings from the environment: the pepper is required, and quotas read as count/seconds."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from app.settings import Quota, Settings


def test_settings_require_a_pepper(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TOKEN_PEPPER", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="TOKEN_PEPPER"):
        Settings()


def test_quota_reads_count_per_seconds_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TOKEN_PEPPER", "p" * 40)
    monkeypatch.setenv("RATELIMIT_LOGIN_PER_IP", " 7 / 30 ")
    assert Settings().ratelimit_login_per_ip == Quota(count=7, seconds=30)


@pytest.mark.parametrize("value", ["7", "0/30", "7/0", "a/b", "7/30/1"])
def test_quota_refuses_nonsense(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("TOKEN_PEPPER", "p" * 40)
    monkeypatch.setenv("RATELIMIT_LOGIN_PER_IP", value)
    with pytest.raises(ValidationError):
        Settings()
