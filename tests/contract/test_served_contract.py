from __future__ import annotations

from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[2]


async def test_openapi_json_is_the_source_contract(client: httpx.AsyncClient) -> None:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    assert response.json() == yaml.safe_load((ROOT / "spec" / "openapi.yaml").read_text())


async def test_swagger_ui_renders_the_contract(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs")
    assert response.status_code == 200
    assert "/openapi.json" in response.text
