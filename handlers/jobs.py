"""Jobs: shown to the user who started them; for anyone else they do not exist."""

from __future__ import annotations

from uuid import UUID

from app.http.context import RequestContext, without_database
from app.jobs import service as jobs_service
from generated.models import Job, JobEnvelope, JobResult, JobStatus


@without_database
async def get_job(ctx: RequestContext, *, job_id: UUID) -> JobEnvelope:
    job = await jobs_service.get(clients=ctx.resources.aws, caller=ctx.caller, job_id=job_id)
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
