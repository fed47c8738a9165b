from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.fixtures.actors import PASSWORD, Actor, register
from tests.helpers import assert_error, data

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS: dict[str, Any] = yaml.safe_load((ROOT / "spec" / "openapi.yaml").read_text())[
    "components"
]["schemas"]
# What the contract lets anyone read about an account: nothing else may appear.
PUBLIC_USER_KEYS = set(SCHEMAS["PublicUser"]["properties"])


class TestRegisterUser:
    async def test_unknown_fields_are_refused(self, client: httpx.AsyncClient) -> None:
        for extra in (
            {"role": "admin"},
            {"id": str(uuid.uuid4())},
            {"createdAt": "2020-01-01T00:00:00Z"},
        ):
            response = await client.post(
                "/v1/users",
                json={"email": "a@example.com", "password": PASSWORD, "displayName": "A", **extra},
            )
            error = assert_error(response, 422, "VALIDATION_ERROR")
            assert error["details"][0]["type"] == "extra_forbidden"

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("email", "not-an-email"),
            ("email", "a" * 250 + "@example.com"),
            ("password", "short"),
            ("password", "p" * 129),
            ("displayName", ""),
            ("displayName", "   "),
            ("displayName", "d" * 81),
            ("displayName", "nul\x00byte"),
        ],
    )
    async def test_invalid_fields(self, client: httpx.AsyncClient, field: str, value: str) -> None:
        body = {"email": "b@example.com", "password": PASSWORD, "displayName": "B", field: value}
        error = assert_error(await client.post("/v1/users", json=body), 422, "VALIDATION_ERROR")
        assert any(d["location"] == f"body.{field}" for d in error["details"])

    async def test_limits_are_inclusive(self, client: httpx.AsyncClient) -> None:
        body = {"email": "c@example.com", "password": "p" * 128, "displayName": "d" * 80}
        assert (await client.post("/v1/users", json=body)).status_code == 201
        body = {"email": "c2@example.com", "password": "p" * 8, "displayName": "d"}
        assert (await client.post("/v1/users", json=body)).status_code == 201

    async def test_duplicate_email_is_a_conflict_whatever_the_case(
        self, client: httpx.AsyncClient
    ) -> None:
        await register(client, email="dup@example.com")
        body = {"email": "DUP@Example.com", "password": PASSWORD, "displayName": "Dup"}
        assert_error(await client.post("/v1/users", json=body), 409, "CONFLICT")

    async def test_registers_an_author(self, client: httpx.AsyncClient) -> None:
        body = {"email": "new@example.com", "password": PASSWORD, "displayName": " New "}
        response = await client.post("/v1/users", json=body)
        user = data(response, 201)
        assert (user["email"], user["role"], user["displayName"]) == (
            "new@example.com",
            "author",
            " New ",
        )
        assert "password" not in str(user).lower()
        assert response.headers["Location"] == f"/v1/users/{user['id']}"
        assert data(await client.get(f"/v1/users/{user['id']}"))["id"] == user["id"]


class TestGetCurrentUser:
    async def test_anonymous(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/v1/users/me")
        assert_error(response, 401, "UNAUTHENTICATED")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")

    @pytest.mark.parametrize(
        "header", ["Bearer", "Bearer ", "Basic abc", "Bearer not-a-token", "Bearer " + "a" * 43]
    )
    async def test_bad_credentials(self, client: httpx.AsyncClient, header: str) -> None:
        response = await client.get("/v1/users/me", headers={"Authorization": header})
        assert_error(response, 401, "UNAUTHENTICATED")

    async def test_own_account(self, client: httpx.AsyncClient, author: Actor) -> None:
        response = await client.get("/v1/users/me", headers=author.headers)
        me = data(response)
        assert (me["id"], me["email"], me["role"]) == (str(author.user_id), author.email, "author")


class TestUpdateCurrentUser:
    async def test_cannot_change_role(self, client: httpx.AsyncClient, author: Actor) -> None:
        response = await client.patch(
            "/v1/users/me", json={"role": "admin"}, headers=author.headers
        )
        assert_error(response, 422, "VALIDATION_ERROR")
        me = await client.get("/v1/users/me", headers=author.headers)
        assert me.json()["data"]["role"] == "author"

    async def test_bio_limit(self, client: httpx.AsyncClient, author: Actor) -> None:
        over = await client.patch("/v1/users/me", json={"bio": "b" * 1001}, headers=author.headers)
        assert_error(over, 422, "VALIDATION_ERROR")
        at = await client.patch("/v1/users/me", json={"bio": "b" * 1000}, headers=author.headers)
        assert at.status_code == 200
        assert at.json()["data"]["bio"] == "b" * 1000

    async def test_updates_display_name(self, client: httpx.AsyncClient, author: Actor) -> None:
        response = await client.patch(
            "/v1/users/me", json={"displayName": "Renamed"}, headers=author.headers
        )
        assert response.status_code == 200
        assert response.json()["data"]["displayName"] == "Renamed"


class TestGetUser:
    async def test_malformed_id(self, client: httpx.AsyncClient) -> None:
        assert_error(await client.get("/v1/users/not-a-uuid"), 422, "VALIDATION_ERROR")

    async def test_unknown_id(self, client: httpx.AsyncClient) -> None:
        assert_error(await client.get(f"/v1/users/{uuid.uuid4()}"), 404, "NOT_FOUND")

    async def test_public_profile_has_exactly_the_documented_keys(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        me = data(await client.get("/v1/users/me", headers=author.headers))
        profile = data(await client.get(f"/v1/users/{author.user_id}"))
        assert set(profile) == PUBLIC_USER_KEYS
        assert "email" not in PUBLIC_USER_KEYS
        assert profile == {key: me[key] for key in PUBLIC_USER_KEYS}
        assert profile["id"] == str(author.user_id)


class TestUpdateUserRole:
    async def test_anonymous(self, client: httpx.AsyncClient, author: Actor) -> None:
        response = await client.patch(f"/v1/users/{author.user_id}/role", json={"role": "admin"})
        assert_error(response, 401, "UNAUTHENTICATED")

    @pytest.mark.parametrize("caller", ["author", "editor"], indirect=True)
    async def test_only_admins(self, client: httpx.AsyncClient, caller: Actor) -> None:
        response = await client.patch(
            f"/v1/users/{caller.user_id}/role", json={"role": "admin"}, headers=caller.headers
        )
        assert_error(response, 403, "FORBIDDEN")

    async def test_unknown_role(
        self, client: httpx.AsyncClient, admin: Actor, author: Actor
    ) -> None:
        response = await client.patch(
            f"/v1/users/{author.user_id}/role", json={"role": "root"}, headers=admin.headers
        )
        assert_error(response, 422, "VALIDATION_ERROR")

    async def test_unknown_user(self, client: httpx.AsyncClient, admin: Actor) -> None:
        response = await client.patch(
            f"/v1/users/{uuid.uuid4()}/role", json={"role": "editor"}, headers=admin.headers
        )
        assert_error(response, 404, "NOT_FOUND")

    async def test_promotion_applies_on_the_next_request(
        self, client: httpx.AsyncClient, admin: Actor, author: Actor
    ) -> None:
        category = {"name": "News"}
        denied = await client.post("/v1/categories", json=category, headers=author.headers)
        assert denied.status_code == 403
        response = await client.patch(
            f"/v1/users/{author.user_id}/role", json={"role": "editor"}, headers=admin.headers
        )
        promoted = data(response)
        assert set(promoted) == PUBLIC_USER_KEYS
        assert (promoted["id"], promoted["role"]) == (str(author.user_id), "editor")
        allowed = await client.post("/v1/categories", json=category, headers=author.headers)
        assert allowed.status_code == 201
