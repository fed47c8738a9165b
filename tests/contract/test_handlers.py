"""Every handler has the signature its operation's generated interface declares.

mypy checks each handler module against its Protocol in generated/interfaces.py; this checks
the same at run time, stricter: names, kinds, defaults and annotations must be equal, not just
compatible, so a handler cannot drift from the contract into a looser signature.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any
from uuid import UUID

import pytest
from starlette.responses import Response

from app.http import idempotency
from app.http.context import RequestContext
from generated import interfaces
from generated.models import PostEnvelope, PostUpdate
from generated.operations import OPERATIONS


def interface(tag: str) -> type:
    """The generated Protocol of a tag: `password-resets` → PasswordResetsHandlers."""
    protocol: type = getattr(
        interfaces, "".join(p.capitalize() for p in tag.split("-")) + "Handlers"
    )
    return protocol


def declared(protocol: type, name: str) -> inspect.Signature:
    """The interface method's signature as the module function's: without `self`."""
    method = inspect.signature(getattr(protocol, name), eval_str=True)
    return method.replace(parameters=list(method.parameters.values())[1:])


def drift(handler: Callable[..., Any], expected: inspect.Signature) -> list[str]:
    """How the handler's signature differs from the expected one; empty when it does not."""
    actual = inspect.signature(handler, eval_str=True)
    found = [
        f"{name}: {actual.parameters.get(name)} instead of {expected.parameters.get(name)}"
        for name in dict.fromkeys([*expected.parameters, *actual.parameters])
        if actual.parameters.get(name) != expected.parameters.get(name)
    ]
    if not found and list(actual.parameters) != list(expected.parameters):
        found.append(f"order: {list(actual.parameters)} instead of {list(expected.parameters)}")
    if actual.return_annotation != expected.return_annotation:
        found.append(f"returns {actual.return_annotation} instead of {expected.return_annotation}")
    return found


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_the_handler_has_the_signature_of_its_operation(operation_id: str) -> None:
    spec = OPERATIONS[operation_id]
    module_name, name = spec.handler.rsplit(".", 1)
    handler = getattr(importlib.import_module(module_name), name, None)
    assert handler is not None, f"{operation_id}: no {spec.handler}"
    assert inspect.iscoroutinefunction(handler), spec.handler
    assert drift(handler, declared(interface(spec.tag), name)) == [], spec.handler


def route_arguments(route: Callable[..., Any]) -> list[str]:
    """What the route hands its handler: its parameters but the context and Idempotency-Key,
    which the request context keeps (app/http/idempotency.py)."""
    return [
        name
        for name, parameter in inspect.signature(route, eval_str=True).parameters.items()
        if name != "ctx"
        and not any(
            getattr(metadata, "alias", None) == idempotency.HEADER
            for metadata in getattr(parameter.annotation, "__metadata__", ())
        )
    ]


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_the_route_passes_the_handler_every_argument_of_its_interface(operation_id: str) -> None:
    spec = OPERATIONS[operation_id]
    module_name, name = spec.handler.rsplit(".", 1)
    route = getattr(importlib.import_module(f"generated.routers.{module_name[9:]}"), name)
    expected = declared(interface(spec.tag), name)
    assert route_arguments(route) == list(expected.parameters)[1:]


def test_every_interface_method_is_an_operation() -> None:
    operations = {(spec.tag, spec.handler.rsplit(".", 1)[1]) for spec in OPERATIONS.values()}
    methods = {
        (spec.tag, name)
        for spec in OPERATIONS.values()
        for name, member in vars(interface(spec.tag)).items()
        if inspect.iscoroutinefunction(member)
    }
    assert methods == operations


class UpdatePost:
    """updatePost's handler as the interface declares it, and variants that drift from it."""

    @staticmethod
    async def exact(
        ctx: RequestContext, *, if_match: str, post_id: UUID, body: PostUpdate
    ) -> PostEnvelope:
        raise NotImplementedError

    @staticmethod
    async def renamed(
        ctx: RequestContext, *, if__match: str, post_id: UUID, body: PostUpdate
    ) -> PostEnvelope:
        raise NotImplementedError

    @staticmethod
    async def positional(
        ctx: RequestContext, if_match: str, *, post_id: UUID, body: PostUpdate
    ) -> PostEnvelope:
        raise NotImplementedError

    @staticmethod
    async def loosened(
        ctx: RequestContext, *, if_match: str | None, post_id: UUID, body: PostUpdate
    ) -> PostEnvelope:
        raise NotImplementedError

    @staticmethod
    async def defaulted(
        ctx: RequestContext, *, if_match: str = "*", post_id: UUID, body: PostUpdate
    ) -> PostEnvelope:
        raise NotImplementedError

    @staticmethod
    async def reordered(
        ctx: RequestContext, *, post_id: UUID, if_match: str, body: PostUpdate
    ) -> PostEnvelope:
        raise NotImplementedError

    @staticmethod
    async def raw(
        ctx: RequestContext, *, if_match: str, post_id: UUID, body: PostUpdate
    ) -> Response:
        raise NotImplementedError


EXPECTED = declared(interface("posts"), "update_post")


def test_the_interface_signature_is_found_equal() -> None:
    assert drift(UpdatePost.exact, EXPECTED) == []


@pytest.mark.parametrize(
    ("handler", "named"),
    [
        (UpdatePost.renamed, "if_match"),
        (UpdatePost.positional, "if_match"),
        (UpdatePost.loosened, "if_match"),
        (UpdatePost.defaulted, "if_match"),
        (UpdatePost.reordered, "order"),
        (UpdatePost.raw, "returns"),
    ],
)
def test_a_drifted_signature_is_found(handler: Callable[..., Any], named: str) -> None:
    differences = drift(handler, EXPECTED)
    assert differences, handler
    assert differences[0].startswith(named), differences
