"""Jobs: shown to the user who started them; for anyone else they do not exist."""

from __future__ import annotations

import uuid

from app import errors
from app.jobs import repository as jobs
from app.platform.authz import Caller, Resource
from app.platform.aws.clients import AwsClients


async def get(*, clients: AwsClients, caller: Caller, job_id: uuid.UUID) -> jobs.Job:
    caller.require_principal()
    job = await jobs.get(clients, job_id=job_id)
    if job is None:
        raise errors.NotFound.of("job")
    caller.require(Resource(type="job", owner_id=job.owner_id))
    return job
