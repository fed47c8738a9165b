"""Where a request finds the process's resources: the lifespan's state, per the ASGI spec."""

from __future__ import annotations

from typing import TypedDict

from starlette.requests import Request

from app.platform.resources import Resources


class LifespanState(TypedDict):
    resources: Resources


def resources_of(request: Request) -> Resources:
    found: Resources = request.state.resources
    return found
