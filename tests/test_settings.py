"""Settings from the environment: the pepper is required, quotas read as count/seconds, and a
deployment (any ENVIRONMENT but local) refuses to start with the stand-ins of make run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


# What a deployment sets: every stand-in replaced by the real thing.
DEPLOYED: dict[str, Any] = {
    "environment": "lambda",
    "redis_url": "rediss://blog-cache.abc123.use1.cache.amazonaws.com:6379/0",
    "token_pepper_secret_id": "blog/token-pepper",
    "database_dsql_endpoint": "abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws",
    "aws_endpoint_url": None,
    "aws_service_endpoints": {},
    "public_base_url": "https://blog.example.com",
}


@pytest.fixture
def outside_local(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No .env, and none of the variables the test run itself sets (the emulator's endpoint)."""
    monkeypatch.chdir(tmp_path)
    for name in ("ENVIRONMENT", "TOKEN_PEPPER", "AWS_ENDPOINT_URL", "REDIS_URL", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("outside_local")
class TestOutsideLocal:
    def test_a_deployment_with_every_real_service_starts(self) -> None:
        settings = Settings(**DEPLOYED)
        assert settings.environment == "lambda"
        assert not settings.serves_docs

    def test_the_defaults_start_locally(self) -> None:
        settings = Settings(token_pepper="p" * 40)
        assert settings.is_sqlite
        assert settings.redis_url is None
        assert settings.serves_docs

    def test_without_redis_it_refuses(self) -> None:
        with pytest.raises(ValidationError, match="REDIS_URL is unset"):
            Settings(**{**DEPLOYED, "redis_url": None})

    def test_with_the_pepper_only_in_the_environment_it_refuses(self) -> None:
        unstored = {**DEPLOYED, "token_pepper_secret_id": None, "token_pepper": "p" * 40}
        with pytest.raises(ValidationError, match="TOKEN_PEPPER_SECRET_ID nor TOKEN_PEPPER_PARAM"):
            Settings(**unstored)

    def test_a_pepper_parameter_is_a_store_too(self) -> None:
        stored = {**DEPLOYED, "token_pepper_secret_id": None, "token_pepper_parameter": "/blog/p"}
        assert Settings(**stored).token_pepper_parameter == "/blog/p"

    @pytest.mark.parametrize(
        "endpoints",
        [
            {"aws_endpoint_url": "http://127.0.0.1:5005"},
            {"aws_endpoint_url": "http://localhost:5005"},
            {"aws_endpoint_url": "http://[::1]:5005"},
            {"aws_service_endpoints": {"sqs": "http://127.0.0.2:9324"}},
        ],
    )
    def test_with_the_embedded_emulator_it_refuses(self, endpoints: dict[str, Any]) -> None:
        with pytest.raises(ValidationError, match="AWS_ENDPOINT_URL or AWS_SERVICE_ENDPOINTS"):
            Settings(**{**DEPLOYED, **endpoints})

    def test_a_private_endpoint_is_no_emulator(self) -> None:
        endpoint = "https://vpce-0abc.dynamodb.us-east-1.vpce.amazonaws.com"
        private = {**DEPLOYED, "aws_service_endpoints": {"dynamodb": endpoint}}
        assert Settings(**private).aws_service_endpoints == {"dynamodb": endpoint}

    def test_with_sqlite_it_refuses(self) -> None:
        sqlite = {**DEPLOYED, "database_dsql_endpoint": None}
        with pytest.raises(ValidationError, match="DATABASE_URL is SQLite"):
            Settings(**sqlite)

    def test_the_refusal_names_every_stand_in_at_once(self) -> None:
        with pytest.raises(ValidationError) as refused:
            Settings(environment="staging", token_pepper="p" * 40)
        message = str(refused.value)
        assert "ENVIRONMENT=staging refuses to start" in message
        for setting in ("REDIS_URL", "TOKEN_PEPPER_SECRET_ID", "DATABASE_URL"):
            assert setting in message

    @pytest.mark.parametrize("url", [None, "http://127.0.0.1:8000", "http://localhost"])
    def test_with_a_loopback_public_base_url_it_refuses(self, url: str | None) -> None:
        without = {key: value for key, value in DEPLOYED.items() if key != "public_base_url"}
        configured = without if url is None else {**without, "public_base_url": url}
        with pytest.raises(ValidationError, match="PUBLIC_BASE_URL is unset or loopback"):
            Settings(**configured)

    def test_with_private_webhook_targets_allowed_it_refuses(self) -> None:
        with pytest.raises(ValidationError, match="WEBHOOKS_ALLOW_PRIVATE_TARGETS is true"):
            Settings(**{**DEPLOYED, "webhooks_allow_private_targets": True})
        assert Settings(token_pepper="p" * 40, webhooks_allow_private_targets=True)

    def test_docs_can_be_turned_on_explicitly(self) -> None:
        assert Settings(**{**DEPLOYED, "docs_enabled": True}).serves_docs
        assert not Settings(token_pepper="p" * 40, docs_enabled=False).serves_docs


def test_trusted_proxies_are_addresses_or_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOKEN_PEPPER", "p" * 40)
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "127.0.0.1, 10.0.0.0/8")
    assert [str(n) for n in Settings().trusted_proxies()] == ["127.0.0.1/32", "10.0.0.0/8"]
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "127.0.0.1, proxy.internal")
    with pytest.raises(ValidationError, match="FORWARDED_ALLOW_IPS"):
        Settings()


@pytest.mark.parametrize(
    "url",
    [
        "blog.example.com",
        "ftp://blog.example.com",
        "https://",
        "https://user@blog.example.com",
        "https://blog.example.com/?page=1",
        "https://blog.example.com/#top",
    ],
)
def test_the_public_base_url_is_an_http_origin(url: str) -> None:
    with pytest.raises(ValidationError, match="PUBLIC_BASE_URL"):
        Settings(token_pepper="p" * 40, public_base_url=url)


def test_the_webhook_retry_schedule_reads_comma_separated_seconds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WEBHOOKS_RETRY_SCHEDULE_SECONDS", "5, 300,1800")
    assert Settings(token_pepper="p" * 40).webhooks_retry_schedule_seconds == (5, 300, 1800)


def test_the_webhook_secrets_key_is_its_own_or_the_peppers() -> None:
    derived = Settings(token_pepper="p" * 40).webhook_secrets_key()
    own = Settings(token_pepper="p" * 40, webhooks_secret_key="k" * 32).webhook_secrets_key()
    assert len(derived) == len(own) == 32
    assert derived != own


def test_the_public_base_url_loses_its_trailing_slash() -> None:
    settings = Settings(token_pepper="p" * 40, public_base_url="https://example.com/blog/")
    assert settings.public_base_url == "https://example.com/blog"
