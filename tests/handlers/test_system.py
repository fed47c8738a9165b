from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import yaml
from asgi_lifespan import LifespanManager

from app.main import create_app
from app.settings import Settings
from tests.fixtures.services import free_port
from tests.helpers import assert_error

ROOT = Path(__file__).resolve().parents[2]
SPEC: dict[str, Any] = yaml.safe_load((ROOT / "spec" / "openapi.yaml").read_text())
TRACE_ID = re.compile(r"Root=1-[0-9a-f]{8}-[0-9a-f]{24}")


async def test_health_is_exactly_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    again = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert TRACE_ID.fullmatch(response.headers["X-Trace-Id"])
    assert again.headers["X-Trace-Id"] != response.headers["X-Trace-Id"]


async def test_health_touches_no_database(settings: Settings) -> None:
    """Health answers with the database down, while an operation that reads it answers the 503
    its contract declares."""
    assert "503" in SPEC["paths"]["/v1/categories"]["get"]["responses"]
    unreachable = settings.model_copy(
        update={"database_url": f"postgresql+asyncpg://nobody@127.0.0.1:{free_port()}/none"}
    )
    app = create_app(unreachable)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            assert (await client.get("/health")).json() == {"status": "ok"}
            outage = await client.get("/v1/categories")
            assert_error(outage, 503, "SERVICE_UNAVAILABLE")
            assert int(outage.headers["Retry-After"]) >= 1
