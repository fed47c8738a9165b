"""The reset-token job: the worker's side of requestPasswordReset (service.issue is the rule)."""

from __future__ import annotations

from typing import Any

from app.password_resets import service
from app.platform.resources import Resources


async def issue(*, resources: Resources, body: dict[str, Any]) -> None:
    """Issue a token for body's email when it has an account; nothing otherwise."""
    email: str = body["email"]
    await resources.database.transaction(
        lambda uow: service.issue(
            uow=uow, clients=resources.aws, settings=resources.settings, email=email
        )
    )
