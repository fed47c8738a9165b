"""The category list's cache against a real Redis: every write makes it stale at once."""

from __future__ import annotations

import httpx
import pytest

from tests.fixtures.actors import Actor
from tests.helpers import data

pytestmark = pytest.mark.usefixtures("real_redis")


class TestCategoryList:
    async def test_every_write_invalidates(self, client: httpx.AsyncClient, editor: Actor) -> None:
        assert data(await client.get("/v1/categories")) == []
        created = data(
            await client.post("/v1/categories", json={"name": "News"}, headers=editor.headers),
            201,
        )
        assert [c["name"] for c in data(await client.get("/v1/categories"))] == ["News"]
        url = f"/v1/categories/{created['id']}"
        data(await client.patch(url, json={"name": "Updates"}, headers=editor.headers))
        assert [c["name"] for c in data(await client.get("/v1/categories"))] == ["Updates"]
        assert (await client.delete(url, headers=editor.headers)).status_code == 204
        assert data(await client.get("/v1/categories")) == []
