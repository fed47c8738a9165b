"""The generated routes' class: an APIRoute that builds itself when it is first used.

FastAPI builds a route when it is declared: it reads the endpoint's signature, makes a field
and a validator for every parameter and the response model, and the response model's schema
with them. For the contract's 75 operations that was about a tenth of the app's start up to
its first /health (0.19 G of 2.57 G instructions), and most processes on Lambda serve a few.
A ContractRoute knows at once only what routing needs (its path pattern, methods, name and
operationId), and builds the rest the first time it handles a request or anything else of it is
read.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from typing import Any

from fastapi._compat import ModelField
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import TypeAdapter
from pydantic.warnings import UnsupportedFieldAttributeWarning
from starlette.routing import compile_path, get_name
from starlette.types import Receive, Scope, Send


class ContractRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:
        # Only what Starlette's matching and url_path_for read before the route is built.
        self.path = path
        self.endpoint = endpoint
        self.name = options.get("name") or get_name(endpoint)
        self.operation_id = options.get("operation_id")
        self.methods = {method.upper() for method in options.get("methods") or ("GET",)}
        self.path_regex, self.path_format, self.param_convertors = compile_path(path)
        self._declared: tuple[str, Callable[..., Any], dict[str, Any]] | None = (
            path,
            endpoint,
            options,
        )

    @property
    def built(self) -> bool:
        return self._declared is None

    def build(self) -> None:
        declared, self._declared = self._declared, None
        if declared is not None:
            path, endpoint, options = declared
            try:
                APIRoute.__init__(self, path, endpoint, **options)
                _build_validators(self)
            except BaseException:
                self._declared = declared
                raise

    def __getattr__(self, name: str) -> Any:
        # Called only for what the instance does not have yet: what building it makes.
        if name.startswith("__") or self.__dict__.get("_declared") is None:
            raise AttributeError(name)
        self.build()
        return getattr(self, name)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.build()
        await super().handle(scope, receive, send)


def _fields(dependant: Dependant) -> Iterator[ModelField]:
    yield from dependant.path_params
    yield from dependant.query_params
    yield from dependant.header_params
    yield from dependant.cookie_params
    yield from dependant.body_params
    for dependency in dependant.dependencies:
        yield from _fields(dependency)


def _build_validators(route: APIRoute) -> None:
    """Build the validators of the route's fields now, with its own build: the generated models
    defer theirs (defer_build), and each field would otherwise build its own on first use,
    outside the filter FastAPI builds them in (it hides Pydantic's warning about the aliases it
    gives body fields)."""
    fields = [*_fields(route.dependant), route.body_field, route.response_field]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnsupportedFieldAttributeWarning)
        for field in fields:
            adapter = getattr(field, "_type_adapter", None)
            if isinstance(adapter, TypeAdapter):
                adapter.rebuild()
