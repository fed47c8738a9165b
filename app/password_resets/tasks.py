"""The reset-token job: the worker's side of requestPasswordReset (service.issue is the rule)."""

from __future__ import annotations

from typing import Any

from app.password_resets import service
from app.platform.outbox.delivery import ID_FIELD
from app.platform.resources import Resources


async def issue(*, resources: Resources, body: dict[str, Any]) -> None:
    """Issue a token for body's email when it has an account; nothing otherwise."""
    email: str = body["email"]
    account = await resources.database.transaction(
        lambda uow: service.account_for(uow=uow, email=email)
    )
    if account is not None:
        await service.issue(
            clients=resources.aws,
            settings=resources.settings,
            account=account,
            job_id=body.get(ID_FIELD),
        )
