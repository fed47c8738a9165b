"""Aurora DSQL: tokens signed offline, the per-connection token path on a real PostgreSQL."""

from __future__ import annotations

import asyncio
import ssl
import threading
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.platform.db.database import Database, create_engine
from app.platform.db.dsql import DsqlConnector, DsqlTokens, connector_from, region_of
from app.settings import Settings
from tests.fixtures.database import TEST_PEPPER

ENDPOINT = "abcdefghijklmnopqrstuvwxyz.dsql.eu-west-1.on.aws"


@pytest.fixture
def offline_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDOFFLINEEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "offline-secret-" + "x" * 25)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def parse_token(token: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(f"https://{token}")
    return parts.hostname or "", {k: v[0] for k, v in parse_qs(parts.query).items()}


def test_region_of_rejects_an_endpoint_without_one() -> None:
    with pytest.raises(ValueError, match="DATABASE_DSQL_REGION"):
        region_of("db.example.com")
    assert region_of(ENDPOINT) == "eu-west-1"


@pytest.mark.usefixtures("offline_credentials")
def test_admin_token_is_a_presigned_dbconnectadmin_url() -> None:
    tokens = DsqlTokens(endpoint=ENDPOINT, region="eu-west-1", user="admin", ttl_seconds=600)

    host, query = parse_token(tokens())

    assert host == ENDPOINT
    assert query["Action"] == "DbConnectAdmin"
    assert query["X-Amz-Expires"] == "600"
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    key_id, _date, region, service, terminator = query["X-Amz-Credential"].split("/")
    assert (key_id, region, service, terminator) == (
        "AKIDOFFLINEEXAMPLE",
        "eu-west-1",
        "dsql",
        "aws4_request",
    )
    assert len(query["X-Amz-Signature"]) == 64


@pytest.mark.usefixtures("offline_credentials")
def test_custom_role_gets_a_dbconnect_token_from_the_same_cached_client() -> None:
    tokens = DsqlTokens(endpoint=ENDPOINT, region="eu-west-1", user="blog_app", ttl_seconds=900)

    _, first = parse_token(tokens())
    client = tokens._client
    _, second = parse_token(tokens())

    assert first["Action"] == second["Action"] == "DbConnect"
    assert first["X-Amz-Expires"] == "900"
    assert client is not None
    assert tokens._client is client


def test_settings_build_a_verify_full_connector_for_the_endpoint() -> None:
    settings = Settings(
        token_pepper=TEST_PEPPER, database_dsql_endpoint=ENDPOINT, database_dsql_user="blog_app"
    )

    connector = connector_from(settings)

    assert (connector.host, connector.port, connector.database) == (ENDPOINT, 5432, "postgres")
    assert connector.user == "blog_app"
    assert isinstance(connector.ssl, ssl.SSLContext)
    assert connector.ssl.verify_mode == ssl.CERT_REQUIRED
    assert connector.ssl.check_hostname is True
    assert isinstance(connector.tokens, DsqlTokens)
    assert connector.tokens.region == "eu-west-1"


async def test_lambda_pool_holds_one_connection_recycled_within_the_hour() -> None:
    settings = Settings(
        token_pepper=TEST_PEPPER,
        database_dsql_endpoint=ENDPOINT,
        database_pool_size=1,
        database_max_overflow=0,
    )
    engine = create_engine(settings)
    try:
        assert not settings.is_sqlite
        assert engine.dialect.name == "postgresql"
        assert engine.pool.size() == 1  # type: ignore[attr-defined]
        assert engine.pool._max_overflow == 0  # type: ignore[attr-defined]
        assert 0 < engine.pool._recycle < 3600
    finally:
        await engine.dispose()


class CountingTokens:
    def __init__(self) -> None:
        self.calls = 0
        self.threads: set[int] = set()

    def __call__(self) -> str:
        self.calls += 1
        self.threads.add(threading.get_ident())
        return f"token-{self.calls}"


@pytest.fixture
async def dsql_like(settings: Settings) -> AsyncIterator[tuple[Database, CountingTokens]]:
    url = make_url(settings.database_url)
    tokens = CountingTokens()
    connect = DsqlConnector(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        database=url.database or "postgres",
        tokens=tokens,
        ssl=False,
    )
    database = Database(settings.model_copy(update={"database_pool_size": 2}), connect=connect)
    yield database, tokens
    await database.dispose()


async def test_every_new_connection_signs_a_fresh_token_off_the_loop(
    dsql_like: tuple[Database, CountingTokens],
) -> None:
    database, tokens = dsql_like
    both_open = asyncio.Barrier(2)

    async def hold_a_connection() -> int:
        async with database.engine.connect() as connection:
            await both_open.wait()
            return int((await connection.execute(text("SELECT 1"))).scalar_one())

    assert await asyncio.wait_for(asyncio.gather(hold_a_connection(), hold_a_connection()), 10)
    assert tokens.calls == 2

    assert await asyncio.wait_for(hold_a_connection_alone(database), 10) == 1
    assert tokens.calls == 2, "a pooled connection is reused without a new token"
    assert threading.get_ident() not in tokens.threads


async def hold_a_connection_alone(database: Database) -> int:
    async with database.engine.connect() as connection:
        return int((await connection.execute(text("SELECT 1"))).scalar_one())
