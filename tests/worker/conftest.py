"""The worker's entry points read their settings from the environment, as on Lambda."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.settings import Settings, get_settings


@pytest.fixture
def settings_from_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """The environment names the test's database, Redis and AWS; get_settings() reads it."""
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("TOKEN_PEPPER", settings.token_pepper.get_secret_value())
    monkeypatch.setenv("AWS_ENDPOINT_URL", str(settings.aws_endpoint_url))
    if settings.redis_url is None:
        monkeypatch.delenv("REDIS_URL", raising=False)
    else:
        monkeypatch.setenv("REDIS_URL", settings.redis_url)
    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()
