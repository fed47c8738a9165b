"""The hooks' client side: uploads to the emulator's S3, reset mail, the admin's session."""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.platform.aws import s3
from app.platform.aws.clients import AwsClients
from app.settings import Settings
from scripts.contract import fuzz_state
from tests.fixtures.database import TEST_PEPPER


@pytest.fixture
def clients(aws_endpoint: str) -> Iterator[AwsClients]:
    clients = AwsClients(Settings(token_pepper=TEST_PEPPER, aws_endpoint_url=aws_endpoint))
    yield clients
    clients.close()


async def test_upload_posts_a_file_the_form_accepts(clients: AwsClients) -> None:
    form = await s3.presigned_post(
        clients, key="contract/upload", content_type="image/webp", size=7, expires_in=60
    )

    await asyncio.to_thread(
        fuzz_state.upload,
        {"url": form.url, "fields": form.fields},
        content_type="image/webp",
        size=7,
    )

    stored = await s3.head(clients, key="contract/upload")
    assert stored is not None
    assert (stored.size, stored.content_type) == (7, "image/webp")


async def test_upload_fails_loudly_when_the_form_is_refused(clients: AwsClients) -> None:
    form = await s3.presigned_post(
        clients, key="contract/refused", content_type="image/png", size=7, expires_in=60
    )
    # The emulator does not enforce the form's conditions, but it has no such bucket.
    elsewhere = {"url": f"{form.url.rstrip('/')}-missing", "fields": form.fields}

    with pytest.raises(httpx.HTTPStatusError):
        await asyncio.to_thread(fuzz_state.upload, elsewhere, content_type="image/png", size=7)


def send_mail(clients: AwsClients, **body: Any) -> None:
    url = clients.queue_url(clients.settings.mail_queue)
    clients.sqs().send_message(QueueUrl=url, MessageBody=json.dumps(body))


def test_a_fresh_token_is_the_one_mailed_to_the_reset_account(
    clients: AwsClients, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[tuple[str, dict[str, Any]]] = []

    def post(url: str, *, json: dict[str, Any], timeout: float) -> httpx.Response:
        sent.append((url, json))
        return httpx.Response(202, request=httpx.Request("POST", url))

    monkeypatch.setenv("CONTRACT_BASE_URL", "http://api")
    monkeypatch.setattr(httpx, "post", post)
    tokens = fuzz_state.ResetTokens(clients.settings)
    send_mail(clients, email="someone@example.com", token="not-this-one")
    send_mail(clients, email=tokens.email, token="the-token")

    assert tokens.fresh() == "the-token"
    assert [url for url, _ in sent] == ["http://api/v1/users", "http://api/v1/password-resets"]
    assert sent[1][1] == {"email": tokens.email}


def test_the_admin_session_is_kept_until_it_has_ended(monkeypatch: pytest.MonkeyPatch) -> None:
    logins = iter(["first", "second"])
    live = {"first": True}
    monkeypatch.setattr(fuzz_state, "login", lambda: next(logins))
    monkeypatch.setattr(fuzz_state, "is_live", lambda token: live.get(token, False))
    session = fuzz_state.AdminSession()

    assert session.token() == "first"
    session.check()
    assert session.token() == "first"
    assert session.carried_by({"Authorization": "Bearer first"})
    assert not session.carried_by({"Authorization": "Bearer other"})
    live["first"] = False
    session.check()
    assert not session.carried_by({"Authorization": "Bearer first"})
    assert session.token() == "second"


def test_the_admin_role_is_restored_only_when_it_was_taken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    commands: list[list[str]] = []
    monkeypatch.setenv("CONTRACT_EMAIL", "admin@example.com")
    monkeypatch.setattr(subprocess, "run", lambda command, **_: commands.append(command))

    assert not fuzz_state.restore_admin("admin")
    assert commands == []
    assert fuzz_state.restore_admin("author")
    assert commands[0][-4:] == ["--email", "admin@example.com", "--role", "admin"]


@pytest.mark.parametrize("taken", ["editor", "admin"])
def test_the_author_role_is_restored_only_when_it_was_changed(
    monkeypatch: pytest.MonkeyPatch, taken: str
) -> None:
    commands: list[list[str]] = []
    monkeypatch.setenv("CONTRACT_PEER_EMAIL", "author@example.com")
    monkeypatch.setattr(subprocess, "run", lambda command, **_: commands.append(command))

    assert not fuzz_state.restore_peer("author")
    assert commands == []
    assert fuzz_state.restore_peer(taken)
    assert commands[0][-4:] == ["--email", "author@example.com", "--role", "author"]
