from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from app import errors
from app.bootstrap import open_resources
from app.password_resets import service
from app.password_resets.tasks import issue
from app.platform.resources import Resources
from app.settings import Settings
from tests.aws_helpers import mail_for
from tests.fixtures.actors import Actor
from tests.handlers.test_password_resets import stored_tokens
from tests.helpers import keyed_hash


@pytest.fixture
async def resources(settings: Settings) -> AsyncIterator[Resources]:
    async with open_resources(settings) as made:
        yield made


async def test_a_body_without_an_email_raises(resources: Resources) -> None:
    with pytest.raises(KeyError):
        await issue(resources=resources, body={"type": service.ISSUE})


async def test_an_email_without_an_account_issues_nothing(
    resources: Resources, settings: Settings
) -> None:
    email = "nobody-here@example.com"
    await issue(resources=resources, body={"type": service.ISSUE, "email": email})
    assert await asyncio.to_thread(mail_for, settings, email) == []


async def test_an_unreachable_database_raises_and_issues_nothing(
    author: Actor, settings: Settings
) -> None:
    assert author.email is not None
    nowhere = settings.model_copy(
        update={"database_url": "postgresql+asyncpg://nobody@127.0.0.1:1/none"}
    )
    async with open_resources(nowhere) as down:
        with pytest.raises(errors.ServiceUnavailable):
            await issue(resources=down, body={"email": author.email})
    assert await stored_tokens(settings, author) == []
    assert await asyncio.to_thread(mail_for, settings, author.email) == []


async def test_an_account_gets_one_stored_token_and_one_mail(
    author: Actor, resources: Resources, settings: Settings
) -> None:
    assert author.email is not None
    await issue(resources=resources, body={"type": service.ISSUE, "email": author.email})
    mail = await asyncio.to_thread(mail_for, settings, author.email)
    assert [m["type"] for m in mail] == [service.REQUESTED]
    stored = await stored_tokens(settings, author)
    assert len(stored) == 1
    pepper = settings.token_pepper.get_secret_value().encode()
    expected = keyed_hash(mail[0]["token"], key=b"password-reset:" + pepper)
    assert stored[0][service.KEY] == {"S": expected}
