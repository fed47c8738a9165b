"""Password resets: the answer to a request never tells whether the email has an account."""

from __future__ import annotations

from app.http.context import RequestContext
from app.password_resets import service as resets_service
from generated.models import (
    Acknowledgement,
    AcknowledgementEnvelope,
    AcknowledgementStatus,
    PasswordResetConfirm,
    PasswordResetRequest,
)


async def request_password_reset(
    ctx: RequestContext, *, body: PasswordResetRequest
) -> AcknowledgementEnvelope:
    await resets_service.request(
        uow=ctx.uow, settings=ctx.resources.settings, email=str(body.email)
    )
    return AcknowledgementEnvelope(
        success=True, data=Acknowledgement(status=AcknowledgementStatus.accepted), error=None
    )


async def confirm_password_reset(
    ctx: RequestContext, *, token: str, body: PasswordResetConfirm
) -> None:
    await resets_service.confirm(
        uow=ctx.uow,
        clients=ctx.resources.aws,
        settings=ctx.resources.settings,
        token=token,
        password=body.password,
    )
