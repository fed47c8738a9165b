"""The mail queue down while a reset is issued: the job fails and comes back, and its second
run mails the same token once (one job, one token, one mail)."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from app import errors
from app.bootstrap import open_resources
from app.password_resets import service as resets
from app.platform.aws.clients import AwsClients
from app.platform.outbox.delivery import ID_FIELD
from app.settings import Settings
from app.worker import registry
from tests.aws_helpers import drain, scan
from tests.fixtures.actors import Actor
from tests.fixtures.aws_faults import unreachable


async def tokens_of(settings: Settings, actor: Actor) -> list[dict[str, object]]:
    items = await scan(settings, settings.resets_table)
    return [item for item in items if str(actor.user_id) in str(item)]


async def test_a_reset_issued_with_the_mail_queue_down_is_mailed_once_on_redelivery(
    author: Actor, settings: Settings, clients: AwsClients
) -> None:
    await asyncio.to_thread(drain, clients, settings.mail_queue)
    body = {"type": resets.ISSUE, "email": author.email, ID_FIELD: str(uuid.uuid4())}

    async with open_resources(unreachable(settings, ("sqs",))) as down:
        with pytest.raises(errors.ServiceUnavailable):
            await registry.run_job(resources=down, body=body)
    [unsent] = await tokens_of(settings, author)
    assert unsent["mailed"] == {"BOOL": False}

    async with open_resources(settings) as resources:
        await registry.run_job(resources=resources, body=body)
        await registry.run_job(resources=resources, body=body)  # SQS delivers it once more

    mails = await asyncio.to_thread(drain, clients, settings.mail_queue)
    assert [mail["email"] for mail in mails] == [author.email]
    assert mails[0]["dedupeId"] == body[ID_FIELD]
    [token] = await tokens_of(settings, author)
    assert token["tokenHash"] == unsent["tokenHash"]
    assert token["mailed"] == {"BOOL": True}
