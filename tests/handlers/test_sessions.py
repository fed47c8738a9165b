from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select, update

from app.platform.db import models as m
from app.platform.db.database import Database
from app.platform.db.unit_of_work import UnitOfWork
from app.settings import Settings
from tests.fixtures.actors import PASSWORD, Actor, login
from tests.fixtures.database import TEST_PEPPER
from tests.helpers import assert_error, data, keyed_hash


class TestCreateSession:
    async def test_unknown_email_and_wrong_password_look_the_same(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        unknown = await client.post(
            "/v1/sessions", json={"email": "nobody@example.com", "password": PASSWORD}
        )
        wrong = await client.post(
            "/v1/sessions", json={"email": author.email, "password": "wrong!!!"}
        )
        for response in (unknown, wrong):
            assert_error(response, 401, "INVALID_CREDENTIALS")
        assert unknown.json()["error"]["message"] == wrong.json()["error"]["message"]

    @pytest.mark.parametrize(
        "body", [{}, {"email": "a@example.com"}, {"email": "x", "password": "p"}, {"password": "p"}]
    )
    async def test_invalid(self, client: httpx.AsyncClient, body: dict[str, str]) -> None:
        assert_error(await client.post("/v1/sessions", json=body), 422, "VALIDATION_ERROR")

    async def test_token_shape_and_expiry(
        self, client: httpx.AsyncClient, author: Actor, database: Database, settings: Settings
    ) -> None:
        session = data(
            await client.post("/v1/sessions", json={"email": author.email, "password": PASSWORD}),
            201,
        )
        assert len(session["token"]) == 43  # 256 bits, base64url
        record = await stored_session(database, uuid.UUID(session["id"]))
        expires = datetime.fromisoformat(session["expiresAt"])
        assert expires == record.expires_at
        lifetime = timedelta(seconds=settings.session_absolute_ttl_seconds)
        assert expires - record.created_at == lifetime == timedelta(days=30)

    async def test_email_is_case_insensitive(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        assert author.email is not None
        token = await login(client, author.email.upper())
        me = await client.get("/v1/users/me", headers={"Authorization": f"Bearer {token}"})
        assert data(me)["id"] == str(author.user_id)

    async def test_token_is_stored_only_as_a_hash(
        self, client: httpx.AsyncClient, author: Actor, database: Database
    ) -> None:
        hashes = await database.transaction(
            lambda uow: uow.session.scalars(select(m.LoginSession.token_hash))
        )
        assert author.token is not None
        assert set(hashes) == {keyed_hash(author.token, key=TEST_PEPPER.encode())}


class TestListSessions:
    async def test_lists_only_mine_and_marks_current(
        self, client: httpx.AsyncClient, author: Actor, other_author: Actor
    ) -> None:
        assert author.email is not None
        await login(client, author.email)
        sessions = data(await client.get("/v1/sessions", headers=author.headers))
        assert len(sessions) == 2
        assert [s["current"] for s in sessions].count(True) == 1


class TestLogout:
    async def test_logout_ends_the_session_at_once(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        assert (
            await client.delete("/v1/sessions/current", headers=author.headers)
        ).status_code == 204
        assert_error(
            await client.get("/v1/users/me", headers=author.headers), 401, "UNAUTHENTICATED"
        )

    async def test_revoke_another_of_my_sessions(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        assert author.email is not None
        second = await login(client, author.email)
        second_headers = {"Authorization": f"Bearer {second}"}
        sessions = data(await client.get("/v1/sessions", headers=second_headers))
        other = next(s for s in sessions if not s["current"])
        response = await client.delete(f"/v1/sessions/{other['id']}", headers=second_headers)
        assert response.status_code == 204
        assert_error(
            await client.get("/v1/users/me", headers=author.headers), 401, "UNAUTHENTICATED"
        )
        assert (await client.get("/v1/users/me", headers=second_headers)).status_code == 200

    async def test_someone_elses_session_does_not_exist(
        self, client: httpx.AsyncClient, author: Actor, other_author: Actor
    ) -> None:
        theirs = data(await client.get("/v1/sessions", headers=other_author.headers))[0]
        response = await client.delete(f"/v1/sessions/{theirs['id']}", headers=author.headers)
        assert_error(response, 404, "NOT_FOUND")
        assert (await client.get("/v1/users/me", headers=other_author.headers)).status_code == 200

    async def test_unknown_session(self, client: httpx.AsyncClient, author: Actor) -> None:
        response = await client.delete(f"/v1/sessions/{uuid.uuid4()}", headers=author.headers)
        assert_error(response, 404, "NOT_FOUND")


class TestExpiry:
    @pytest.mark.parametrize(
        "values",
        [
            {"expires_at": datetime.now(UTC) - timedelta(seconds=1)},
            {"last_used_at": datetime.now(UTC) - timedelta(days=8)},
        ],
        ids=["absolute", "idle"],
    )
    async def test_ended_sessions_are_refused(
        self,
        client: httpx.AsyncClient,
        author: Actor,
        database: Database,
        values: dict[str, datetime],
    ) -> None:
        statement = (
            update(m.LoginSession).where(m.LoginSession.user_id == author.user_id).values(**values)
        )
        await database.transaction(lambda uow: uow.session.execute(statement))
        assert_error(
            await client.get("/v1/users/me", headers=author.headers), 401, "UNAUTHENTICATED"
        )


async def stored_session(database: Database, session_id: uuid.UUID) -> m.LoginSession:
    async def read(uow: UnitOfWork) -> m.LoginSession:
        return (await uow.session.scalars(select(m.LoginSession).filter_by(id=session_id))).one()

    return await database.transaction(read)
