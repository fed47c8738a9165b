"""Password resets: in the contract, served by the AWS integration (answers 501 until then)."""

from __future__ import annotations

from app.core import errors
from app.core.context import RequestContext
from generated.models import AcknowledgementEnvelope, PasswordResetConfirm, PasswordResetRequest


async def request_password_reset(
    ctx: RequestContext, *, body: PasswordResetRequest
) -> AcknowledgementEnvelope:
    raise errors.NotImplementedYet()


async def confirm_password_reset(
    ctx: RequestContext, *, token: str, body: PasswordResetConfirm
) -> None:
    raise errors.NotImplementedYet()
