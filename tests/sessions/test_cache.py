"""The session cache on a real Redis: forgotten the moment a session ends or changes role."""

from __future__ import annotations

import httpx
import pytest

from tests.fixtures.actors import Actor, login
from tests.helpers import assert_error, data

pytestmark = pytest.mark.usefixtures("real_redis")


async def test_logout_ends_the_cached_session_at_once(
    client: httpx.AsyncClient, author: Actor
) -> None:
    data(await client.get("/v1/users/me", headers=author.headers))
    assert (await client.delete("/v1/sessions/current", headers=author.headers)).status_code == 204
    assert_error(await client.get("/v1/users/me", headers=author.headers), 401, "UNAUTHENTICATED")


async def test_revocation_ends_the_cached_session_at_once(
    client: httpx.AsyncClient, author: Actor
) -> None:
    assert author.email is not None
    second = {"Authorization": f"Bearer {await login(client, author.email)}"}
    sessions = data(await client.get("/v1/sessions", headers=second))
    other = next(s for s in sessions if not s["current"])
    data(await client.get("/v1/users/me", headers=author.headers))
    response = await client.delete(f"/v1/sessions/{other['id']}", headers=second)
    assert response.status_code == 204
    assert_error(await client.get("/v1/users/me", headers=author.headers), 401, "UNAUTHENTICATED")
    data(await client.get("/v1/users/me", headers=second))


async def test_role_change_applies_to_the_next_request(
    client: httpx.AsyncClient, author: Actor, admin: Actor
) -> None:
    me = data(await client.get("/v1/users/me", headers=author.headers))
    assert me["role"] == "author"
    denied = await client.post("/v1/categories", json={"name": "N"}, headers=author.headers)
    assert_error(denied, 403, "FORBIDDEN")
    response = await client.patch(
        f"/v1/users/{author.user_id}/role", json={"role": "editor"}, headers=admin.headers
    )
    data(response)
    allowed = await client.post("/v1/categories", json={"name": "N"}, headers=author.headers)
    data(allowed, 201)
