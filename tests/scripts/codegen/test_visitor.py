from __future__ import annotations

from typing import Any

import pytest

from scripts.codegen.visitor import (
    Param,
    Signature,
    python_name,
    qualified,
    route_param,
    route_signature,
)

DOCUMENT: dict[str, Any] = {
    "components": {
        "schemas": {"Limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}}
    }
}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("If-None-Match", "if_none_match"),
        ("Idempotency-Key", "idempotency_key"),
        ("postId", "post_id"),
        ("cursor", "cursor"),
        ("X-Trace-ID", "x_trace_id"),
    ],
)
def test_python_name(name: str, expected: str) -> None:
    assert python_name(name) == expected


def test_an_optional_header_is_none_by_default_and_keeps_its_constraints() -> None:
    parameter = {"name": "If-None-Match", "in": "header", "schema": {"maxLength": 1024}}
    assert route_param(DOCUMENT, parameter, "str") == Param(
        name="if_none_match",
        annotation="str | None",
        route="if_none_match: Annotated[str | None, Header(alias='If-None-Match', max_length=1024)]"
        " = None",
    )


def test_a_query_parameter_with_a_default_is_never_none() -> None:
    parameter = {"name": "limit", "in": "query", "schema": {"$ref": "#/components/schemas/Limit"}}
    param = route_param(DOCUMENT, parameter, "int")
    assert param.annotation == "int"
    assert param.route == "limit: Annotated[int, Query(ge=1, le=100)] = 20"


def test_a_path_parameter_is_required_and_aliased() -> None:
    param = route_param(DOCUMENT, {"name": "postId", "in": "path", "schema": {}}, "UUID")
    assert param == Param("post_id", "UUID", "post_id: Annotated[UUID, Path(alias='postId')]")


def test_the_idempotency_key_header_is_marked() -> None:
    parameter = {"name": "Idempotency-Key", "in": "header", "schema": {}}
    assert route_param(DOCUMENT, parameter, "str").idempotency_key
    assert not route_param(DOCUMENT, {**parameter, "in": "query"}, "str").idempotency_key


MODELS = {"PostStatus", "Slug", "PostEnvelope"}


def test_a_route_names_its_models_through_the_package() -> None:
    text = "status: Annotated[PostStatus | None, Query()] = None"

    assert qualified(text, MODELS) == "status: Annotated[models.PostStatus | None, Query()] = None"


def test_a_name_inside_a_string_or_after_a_dot_is_left_alone() -> None:
    text = "slug: Annotated[Slug, Path(alias='Slug', pattern=\"^Slug$\")] = PostStatus.draft"

    assert qualified(text, MODELS) == (
        "slug: Annotated[models.Slug, Path(alias='Slug', pattern=\"^Slug$\")] = "
        "models.PostStatus.draft"
    )
    assert qualified("x: other.Slug", MODELS) == "x: other.Slug"


def test_the_route_signature_keeps_the_handler_types_plain() -> None:
    found = Signature((Param("slug", "Slug", "slug: Slug"),), "PostEnvelope")

    route = route_signature(found, MODELS)

    assert route.returns == "models.PostEnvelope"
    assert route.params == (Param("slug", "Slug", "slug: models.Slug"),)
    assert found.returns == "PostEnvelope"
