"""Secret material from Secrets Manager or Parameter Store, cached for a while.

Read once in the lifespan; the cache spares a warm Lambda container the round trip when the
same secret is asked for again, and the TTL bounds how long a rotated value can linger.
"""

from __future__ import annotations

import time

from pydantic import SecretStr

from app.platform.aws.calls import call
from app.platform.aws.clients import AwsClients
from app.settings import MIN_PEPPER_LENGTH, Settings


class SecretReader:
    def __init__(self, clients: AwsClients, *, ttl_seconds: float) -> None:
        self.clients = clients
        self.ttl_seconds = ttl_seconds
        self._cache: dict[str, tuple[float, str]] = {}

    async def _cached(self, key: str) -> str | None:
        found = self._cache.get(key)
        if found is not None and found[0] > time.monotonic():
            return found[1]
        return None

    def _store(self, key: str, value: str) -> str:
        self._cache[key] = (time.monotonic() + self.ttl_seconds, value)
        return value

    async def secret(self, secret_id: str) -> str:
        key = f"secretsmanager:{secret_id}"
        cached = await self._cached(key)
        if cached is not None:
            return cached
        answer = await call(self.clients.secretsmanager().get_secret_value, SecretId=secret_id)
        return self._store(key, answer["SecretString"])

    async def parameter(self, name: str) -> str:
        key = f"ssm:{name}"
        cached = await self._cached(key)
        if cached is not None:
            return cached
        answer = await call(self.clients.ssm().get_parameter, Name=name, WithDecryption=True)
        return self._store(key, answer["Parameter"]["Value"])


async def resolve(settings: Settings, reader: SecretReader) -> Settings:
    """The settings with the pepper read from its store when one is configured."""
    if settings.token_pepper_secret_id:
        value = await reader.secret(settings.token_pepper_secret_id)
    elif settings.token_pepper_parameter:
        value = await reader.parameter(settings.token_pepper_parameter)
    else:
        return settings
    if len(value) < MIN_PEPPER_LENGTH:
        raise ValueError(f"the stored token pepper is shorter than {MIN_PEPPER_LENGTH} characters")
    return settings.model_copy(update={"token_pepper": SecretStr(value)})
