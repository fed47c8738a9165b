from __future__ import annotations

import secrets as stdlib_secrets

import pytest
from pydantic import SecretStr, ValidationError

from app import errors
from app.platform.aws import secrets
from app.platform.aws.clients import AwsClients
from app.settings import Settings
from tests.fixtures.actors import PASSWORD, register
from tests.fixtures.aws_faults import client_for, unreachable
from tests.helpers import data


def test_a_pepper_or_a_store_is_required(
    aws_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TOKEN_PEPPER", raising=False)
    with pytest.raises(ValidationError):
        Settings(aws_endpoint_url=aws_endpoint, token_pepper="too short")
    with pytest.raises(ValidationError):
        Settings(aws_endpoint_url=aws_endpoint, _env_file=None)
    assert Settings(token_pepper_parameter="/blog/pepper", _env_file=None).token_pepper_parameter


async def test_pepper_from_secrets_manager_serves_logins(settings: Settings) -> None:
    name = f"blog-pepper-{stdlib_secrets.token_hex(4)}"
    value = stdlib_secrets.token_urlsafe(48)
    clients = AwsClients(settings)
    try:
        clients.secretsmanager().create_secret(Name=name, SecretString=value)
    finally:
        clients.close()
    stored = settings.model_copy(
        update={"token_pepper": SecretStr(""), "token_pepper_secret_id": name}
    )
    async with client_for(stored) as client:
        user = await register(client)
        login = await client.post(
            "/v1/sessions", json={"email": user["email"], "password": PASSWORD}
        )
        token = data(login, 201)["token"]
        me = await client.get("/v1/users/me", headers={"Authorization": f"Bearer {token}"})
        assert data(me)["id"] == user["id"]


async def test_pepper_from_parameter_store_is_cached(settings: Settings) -> None:
    name = f"/blog/pepper-{stdlib_secrets.token_hex(4)}"
    clients = AwsClients(settings)
    try:
        clients.ssm().put_parameter(Name=name, Value="p" * 40, Type="SecureString")
        reader = secrets.SecretReader(clients, ttl_seconds=300)
        resolved = await secrets.resolve(
            settings.model_copy(update={"token_pepper_parameter": name}), reader
        )
        assert resolved.token_pepper.get_secret_value() == "p" * 40
        clients.ssm().put_parameter(Name=name, Value="q" * 40, Type="SecureString", Overwrite=True)
        assert await reader.parameter(name) == "p" * 40
        assert await secrets.SecretReader(clients, ttl_seconds=0).parameter(name) == "q" * 40
    finally:
        clients.close()


async def test_short_stored_pepper_is_refused(settings: Settings) -> None:
    name = f"/blog/short-{stdlib_secrets.token_hex(4)}"
    clients = AwsClients(settings)
    try:
        clients.ssm().put_parameter(Name=name, Value="short", Type="SecureString")
        reader = secrets.SecretReader(clients, ttl_seconds=0)
        with pytest.raises(ValueError, match="shorter"):
            await secrets.resolve(
                settings.model_copy(update={"token_pepper_parameter": name}), reader
            )
    finally:
        clients.close()


async def test_store_unreachable_at_startup(settings: Settings) -> None:
    down = unreachable(settings, ("secretsmanager",)).model_copy(
        update={"token_pepper_secret_id": "blog-pepper"}
    )
    clients = AwsClients(down)
    try:
        with pytest.raises(errors.ServiceUnavailable):
            await secrets.resolve(down, secrets.SecretReader(clients, ttl_seconds=0))
    finally:
        clients.close()
