"""The long-lived clients, made in the lifespan and read back by dependencies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from starlette.requests import Request

from app.authz import Authorizer
from app.aws.clients import AwsClients
from app.cache.reads import Cache
from app.db.lazy import LazyDatabase
from app.ratelimit.policy import RateLimits
from app.settings import Settings


@dataclass(frozen=True, slots=True)
class AppState:
    settings: Settings
    database: LazyDatabase
    authorizer: Authorizer
    cache: Cache
    rate_limits: RateLimits
    aws: AwsClients


class LifespanState(TypedDict):
    app_state: AppState


def app_state(request: Request) -> AppState:
    state: AppState = request.state.app_state
    return state
