"""Password resets: the answer to a request never tells whether the email has an account."""

from __future__ import annotations

from app.cache import invalidation
from app.core.context import RequestContext, without_database
from app.password_resets import service as resets_service
from generated.models import (
    Acknowledgement,
    AcknowledgementEnvelope,
    AcknowledgementStatus,
    PasswordResetConfirm,
    PasswordResetRequest,
)


@without_database
async def request_password_reset(
    ctx: RequestContext, *, body: PasswordResetRequest
) -> AcknowledgementEnvelope:
    await resets_service.request(clients=ctx.state.aws, email=str(body.email.root))
    return AcknowledgementEnvelope(
        success=True, data=Acknowledgement(status=AcknowledgementStatus.accepted), error=None
    )


async def confirm_password_reset(
    ctx: RequestContext, *, token: str, body: PasswordResetConfirm
) -> None:
    ended = await resets_service.confirm(
        session=ctx.session,
        clients=ctx.state.aws,
        settings=ctx.state.settings,
        token=token,
        password=body.password.root,
        claim=ctx.request_id,
    )
    invalidation.sessions_ended(ctx, ended)
