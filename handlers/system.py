from __future__ import annotations

from app.http.context import RequestContext, without_database
from generated.models import Health, HealthStatus


@without_database
async def get_health(ctx: RequestContext) -> Health:
    return Health(status=HealthStatus.ok)
