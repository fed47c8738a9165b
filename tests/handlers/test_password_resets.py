from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from app.password_resets import service as resets
from app.platform.aws.clients import AwsClients
from app.settings import Settings
from tests.aws_helpers import drain, mail_for
from tests.fixtures.actors import PASSWORD, Actor
from tests.fixtures.checkpoints import Rendezvous
from tests.handlers.test_attachments import run_worker
from tests.helpers import assert_error, data

NEW_PASSWORD = "a brand new passphrase"


async def request_token(client: httpx.AsyncClient, settings: Settings, email: str) -> str:
    response = await client.post("/v1/password-resets", json={"email": email})
    assert data(response, 202) == {"status": "accepted"}
    await run_worker(settings)
    messages = await asyncio.to_thread(mail_for, settings, email)
    assert len(messages) == 1
    assert messages[0]["type"] == "password_reset.requested"
    token: str = messages[0]["token"]
    return token


async def stored_tokens(settings: Settings, actor: Actor) -> list[dict[str, Any]]:
    clients = AwsClients(settings)
    try:
        answer = await asyncio.to_thread(clients.dynamodb().scan, TableName=settings.resets_table)
    finally:
        clients.close()
    # Accounts' generation items (`user:{userId}`) carry no userId: they are not tokens.
    return [dict(i) for i in answer["Items"] if i.get("userId", {}).get("S") == str(actor.user_id)]


def jobs_for(settings: Settings, emails: tuple[str, ...]) -> list[dict[str, Any]]:
    clients = AwsClients(settings)
    try:
        return [m for m in drain(clients, settings.jobs_queue) if m.get("email") in emails]
    finally:
        clients.close()


class TestRequest:
    async def test_unknown_email_gets_the_same_answer_and_no_mail(
        self, client: httpx.AsyncClient, settings: Settings
    ) -> None:
        email = "nobody-here@example.com"
        response = await client.post("/v1/password-resets", json={"email": email})
        assert data(response, 202) == {"status": "accepted"}
        await run_worker(settings)
        assert await asyncio.to_thread(mail_for, settings, email) == []

    async def test_the_request_does_the_same_work_for_any_email(
        self, client: httpx.AsyncClient, settings: Settings, author: Actor
    ) -> None:
        """No lookup, no token: one job per request, so the timing cannot tell accounts apart."""
        assert author.email is not None
        known, unknown = author.email.upper(), "nobody-here@example.com"
        for email in (known, unknown):
            response = await client.post("/v1/password-resets", json={"email": email})
            assert data(response, 202) == {"status": "accepted"}

        assert await stored_tokens(settings, author) == []
        queued = await asyncio.to_thread(jobs_for, settings, (known.lower(), unknown))
        assert [{k: v for k, v in job.items() if k != "outboxId"} for job in queued] == [
            {"type": "password_reset.issue", "email": known.lower()},
            {"type": "password_reset.issue", "email": unknown},
        ]
        assert len({job["outboxId"] for job in queued}) == 2

    async def test_invalid_email(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/v1/password-resets", json={"email": "not-an-email"})
        assert_error(response, 422, "VALIDATION_ERROR")

    async def test_token_is_stored_only_as_a_hash_with_a_ttl(
        self, client: httpx.AsyncClient, settings: Settings, author: Actor
    ) -> None:
        assert author.email is not None
        token = await request_token(client, settings, author.email)
        mine = await stored_tokens(settings, author)
        assert len(mine) == 1
        assert token not in str(mine[0])
        expires_at = int(mine[0]["expiresAt"]["N"])
        assert 29 * 60 < expires_at - time.time() <= 30 * 60


class TestConfirm:
    async def test_unknown_token(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            f"/v1/password-resets/{'x' * 43}", json={"password": NEW_PASSWORD}
        )
        assert_error(response, 404, "NOT_FOUND")

    async def test_malformed_token(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/v1/password-resets/bad!token", json={"password": "x" * 12})
        assert_error(response, 422, "VALIDATION_ERROR")

    async def test_short_password(
        self, client: httpx.AsyncClient, settings: Settings, author: Actor
    ) -> None:
        assert author.email is not None
        token = await request_token(client, settings, author.email)
        response = await client.post(f"/v1/password-resets/{token}", json={"password": "short"})
        assert_error(response, 422, "VALIDATION_ERROR")

    async def test_token_works_once_and_ends_every_session(
        self, client: httpx.AsyncClient, settings: Settings, author: Actor
    ) -> None:
        assert author.email is not None
        # A validated session sits in the session cache; the reset must end it there too.
        assert (await client.get("/v1/users/me", headers=author.headers)).status_code == 200
        token = await request_token(client, settings, author.email)
        first = await client.post(f"/v1/password-resets/{token}", json={"password": NEW_PASSWORD})
        assert first.status_code == 204, first.text
        second = await client.post(f"/v1/password-resets/{token}", json={"password": PASSWORD})
        assert_error(second, 404, "NOT_FOUND")
        me = await client.get("/v1/users/me", headers=author.headers)
        assert_error(me, 401, "UNAUTHENTICATED")
        old = await client.post("/v1/sessions", json={"email": author.email, "password": PASSWORD})
        assert_error(old, 401, "INVALID_CREDENTIALS")
        new = await client.post(
            "/v1/sessions", json={"email": author.email, "password": NEW_PASSWORD}
        )
        assert new.status_code == 201

    async def test_concurrent_uses_one_wins(
        self,
        client: httpx.AsyncClient,
        settings: Settings,
        author: Actor,
        rendezvous: Rendezvous,
    ) -> None:
        """Every use has passed the shape check before any claims: one claim must hold."""
        uses = 5
        assert author.email is not None
        token = await request_token(client, settings, author.email)
        rendezvous.arm(resets.CLAIMING, uses)
        answers = await asyncio.gather(
            *(
                client.post(
                    f"/v1/password-resets/{token}", json={"password": f"{NEW_PASSWORD} {i}"}
                )
                for i in range(uses)
            )
        )
        assert rendezvous.held[resets.CLAIMING] == uses
        winners = [i for i, answer in enumerate(answers) if answer.status_code == 204]
        assert len(winners) == 1, [a.status_code for a in answers]
        for i, answer in enumerate(answers):
            if i not in winners:
                assert_error(answer, 404, "NOT_FOUND")
        login = {"email": author.email, "password": f"{NEW_PASSWORD} {winners[0]}"}
        data(await client.post("/v1/sessions", json=login), 201)

    async def test_expired_token_is_refused(
        self, client: httpx.AsyncClient, settings: Settings, author: Actor
    ) -> None:
        assert author.email is not None
        token = await request_token(client, settings, author.email)
        clients = AwsClients(settings)
        try:
            items = (
                await asyncio.to_thread(clients.dynamodb().scan, TableName=settings.resets_table)
            )["Items"]
            mine = next(i for i in items if i.get("userId", {}).get("S") == str(author.user_id))
            mine["expiresAt"] = {"N": str(int(time.time()) - 1)}
            await asyncio.to_thread(
                clients.dynamodb().put_item, TableName=settings.resets_table, Item=mine
            )
        finally:
            clients.close()
        response = await client.post(
            f"/v1/password-resets/{token}", json={"password": NEW_PASSWORD}
        )
        assert_error(response, 404, "NOT_FOUND")

    async def test_a_reset_ends_every_other_token_of_the_account(
        self, client: httpx.AsyncClient, settings: Settings, author: Actor
    ) -> None:
        assert author.email is not None
        older = await request_token(client, settings, author.email)
        newer = await request_token(client, settings, author.email)

        used = await client.post(f"/v1/password-resets/{newer}", json={"password": NEW_PASSWORD})
        assert used.status_code == 204, used.text
        stale = await client.post(f"/v1/password-resets/{older}", json={"password": PASSWORD})
        assert_error(stale, 404, "NOT_FOUND")

        login = {"email": author.email, "password": NEW_PASSWORD}
        data(await client.post("/v1/sessions", json=login), 201)
        # A token asked for after the reset belongs to the new generation and works.
        later = await request_token(client, settings, author.email)
        again = await client.post(f"/v1/password-resets/{later}", json={"password": PASSWORD})
        assert again.status_code == 204, again.text

    async def test_two_tokens_of_one_account_used_at_once_one_wins(
        self, client: httpx.AsyncClient, settings: Settings, author: Actor
    ) -> None:
        assert author.email is not None
        first = await request_token(client, settings, author.email)
        second = await request_token(client, settings, author.email)
        answers = await asyncio.gather(
            *(
                client.post(f"/v1/password-resets/{token}", json={"password": NEW_PASSWORD})
                for token in (first, second)
            )
        )
        assert sorted(r.status_code for r in answers) == [204, 404]
