"""The long-lived clients one process shares: made by app.bootstrap, never at import."""

from __future__ import annotations

import msgspec

from app.platform.authz import Authorizer
from app.platform.aws.clients import AwsClients
from app.platform.cache.reads import Cache
from app.platform.db.lazy import LazyDatabase
from app.platform.outbox.relay import Relay
from app.platform.ratelimit.policy import RateLimits
from app.settings import Settings


class Resources(msgspec.Struct, frozen=True):
    settings: Settings
    database: LazyDatabase
    authorizer: Authorizer
    cache: Cache
    rate_limits: RateLimits
    aws: AwsClients
    outbox: Relay
