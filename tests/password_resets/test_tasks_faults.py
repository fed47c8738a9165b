"""An AWS dependency down mid-request: 503 with Retry-After, nothing half-written, retry works."""

from __future__ import annotations

import json

import pytest

from app import errors
from app.bootstrap import open_resources
from app.password_resets import service as resets
from app.settings import Settings
from app.worker import registry
from tests.aws_helpers import scan
from tests.fixtures.actors import Actor
from tests.fixtures.aws_faults import unreachable


async def test_issuing_a_reset_with_the_mail_queue_down_leaves_no_token(
    author: Actor, settings: Settings
) -> None:
    down = unreachable(settings, ("sqs",))
    body = {"type": resets.ISSUE, "email": author.email}
    async with open_resources(down) as resources:
        with pytest.raises(errors.ServiceUnavailable):
            await registry.run_job(resources=resources, body=body)
    tokens = await scan(settings, settings.resets_table)
    assert not [t for t in tokens if json.dumps(t).find(str(author.user_id)) >= 0]
