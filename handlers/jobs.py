"""Jobs: shown to the user who started them; for anyone else they do not exist."""

from __future__ import annotations

from uuid import UUID

from app.authz import Resource
from app.core import errors
from app.core.context import RequestContext, without_database
from app.jobs import store as jobs
from generated.models import Job, JobEnvelope, JobResult, JobStatus


@without_database
async def get_job(ctx: RequestContext, *, job_id: UUID) -> JobEnvelope:
    ctx.require_principal()
    job = await jobs.get(ctx.state.aws, job_id=job_id)
    if job is None:
        raise errors.NotFound("Job not found.")
    ctx.authorize(Resource(type="job", owner_id=job.owner_id))
    return JobEnvelope(
        success=True,
        data=Job(
            id=job.id,
            status=JobStatus(job.status),
            createdAt=job.created_at,
            updatedAt=job.updated_at,
            error=job.error,
            result=JobResult(**job.result) if job.result else None,
        ),
        error=None,
    )
