"""Aurora DSQL connections: a fresh IAM token per new connection, over verified TLS.

boto3 is imported on the first token, not at import time, and the signing (local, no network,
but ~100 ms for the first client) runs in a worker thread so the event loop never waits on it.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol, cast

from app.settings import Settings

ADMIN_USER = "admin"
DATABASE = "postgres"
PORT = 5432
_REGION_IN_ENDPOINT = re.compile(r"\.dsql\.([a-z0-9-]+)\.on\.aws$")

TokenProvider = Callable[[], str]


class _Signer(Protocol):
    """The two token methods of boto3's dsql client (the pinned stubs predate them)."""

    def generate_db_connect_auth_token(
        self, Hostname: str, Region: str | None = ..., ExpiresIn: int = ...
    ) -> str: ...

    def generate_db_connect_admin_auth_token(
        self, Hostname: str, Region: str | None = ..., ExpiresIn: int = ...
    ) -> str: ...


AsyncConnect = Callable[[], Awaitable[Any]]


def region_of(endpoint: str) -> str:
    match = _REGION_IN_ENDPOINT.search(endpoint)
    if match is None:
        raise ValueError(f"no region in DSQL endpoint {endpoint!r}; set DATABASE_DSQL_REGION")
    return match[1]


class DsqlTokens:
    """Signs connect tokens locally with one cached dsql client (credentials from the role)."""

    def __init__(self, *, endpoint: str, region: str, user: str, ttl_seconds: int) -> None:
        self.endpoint = endpoint
        self.region = region
        self.user = user
        self.ttl_seconds = ttl_seconds
        self._client: _Signer | None = None
        self._lock = threading.Lock()

    def _dsql(self) -> _Signer:
        with self._lock:
            if self._client is None:
                import boto3  # off the cold-start import path

                client = boto3.session.Session().client("dsql", region_name=self.region)
                self._client = cast(_Signer, client)
            return self._client

    def __call__(self) -> str:
        client = self._dsql()
        if self.user == ADMIN_USER:
            return client.generate_db_connect_admin_auth_token(
                self.endpoint, self.region, self.ttl_seconds
            )
        return client.generate_db_connect_auth_token(self.endpoint, self.region, self.ttl_seconds)


def tls_context(root_cert: Path | None) -> ssl.SSLContext:
    """verify-full: the certificate chain and the host name are checked."""
    return ssl.create_default_context(cafile=str(root_cert) if root_cert else None)


class DsqlConnector:
    """An async creator for SQLAlchemy: every new pooled connection gets a freshly signed token."""

    def __init__(
        self,
        *,
        host: str,
        user: str,
        tokens: TokenProvider,
        ssl: ssl.SSLContext | bool,
        port: int = PORT,
        database: str = DATABASE,
        timeout: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.tokens = tokens
        self.ssl = ssl
        self.timeout = timeout

    async def __call__(self) -> Any:
        import asyncpg  # only the DSQL path needs the raw driver

        token = await asyncio.to_thread(self.tokens)
        return await asyncpg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            database=self.database,
            password=token,
            ssl=self.ssl,
            timeout=self.timeout,
        )


def connector_from(settings: Settings) -> DsqlConnector:
    endpoint = settings.database_dsql_endpoint
    if endpoint is None:
        raise ValueError("DATABASE_DSQL_ENDPOINT is not set")
    tokens = DsqlTokens(
        endpoint=endpoint,
        region=settings.database_dsql_region or region_of(endpoint),
        user=settings.database_dsql_user,
        ttl_seconds=settings.database_dsql_token_ttl_seconds,
    )
    return DsqlConnector(
        host=endpoint,
        user=settings.database_dsql_user,
        tokens=tokens,
        ssl=tls_context(settings.database_ssl_root_cert),
    )
