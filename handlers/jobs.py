"""Jobs: in the contract, served by the AWS integration (answers 501 until then)."""

from __future__ import annotations

from uuid import UUID

from app.core import errors
from app.core.context import RequestContext
from generated.models import JobEnvelope


async def get_job(ctx: RequestContext, *, job_id: UUID) -> JobEnvelope:
    raise errors.NotImplementedYet()
