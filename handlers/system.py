from __future__ import annotations

from app.core.context import RequestContext
from generated.models import Health, HealthStatus


async def get_health(ctx: RequestContext) -> Health:
    return Health(status=HealthStatus.ok)
