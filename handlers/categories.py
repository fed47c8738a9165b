from __future__ import annotations

from uuid import UUID

from starlette.responses import Response

from app.categories import service as categories_service
from app.http import conditional
from app.http.context import RequestContext
from app.platform.db import models as m
from generated.models import (
    Category,
    CategoryCreate,
    CategoryEnvelope,
    CategoryListEnvelope,
    CategoryUpdate,
    ListMeta,
)


def to_category(category: m.Category) -> Category:
    return Category(
        id=category.id,
        name=category.name,
        slug=category.slug,
        description=category.description,
        createdAt=category.created_at,
        updatedAt=category.updated_at,
    )


async def list_categories(ctx: RequestContext, *, if_none_match: str | None) -> Response:
    def render(categories: list[m.Category]) -> bytes:
        data = [to_category(c) for c in categories]
        envelope = CategoryListEnvelope(
            success=True, data=data, error=None, meta=ListMeta(count=len(data))
        )
        return envelope.model_dump_json().encode()

    entry = await categories_service.list_entry(
        uow=ctx.uow, cache=ctx.resources.cache, render=render
    )
    return conditional.respond(entry, if_none_match=if_none_match)


async def create_category(ctx: RequestContext, *, body: CategoryCreate) -> CategoryEnvelope:
    category = await categories_service.create(
        uow=ctx.uow,
        name=body.name,
        slug=body.slug,
        description=body.description,
    )
    ctx.response.headers["Location"] = f"/v1/categories/{category.id}"
    return CategoryEnvelope(success=True, data=to_category(category), error=None)


async def get_category(ctx: RequestContext, *, category_id: UUID) -> CategoryEnvelope:
    category = await categories_service.get(uow=ctx.uow, category_id=category_id)
    return CategoryEnvelope(success=True, data=to_category(category), error=None)


async def update_category(
    ctx: RequestContext, *, category_id: UUID, body: CategoryUpdate
) -> CategoryEnvelope:
    category = await categories_service.update(
        uow=ctx.uow,
        category_id=category_id,
        name=body.name,
        slug=body.slug,
        description=body.description,
    )
    return CategoryEnvelope(success=True, data=to_category(category), error=None)


async def delete_category(ctx: RequestContext, *, category_id: UUID) -> None:
    await categories_service.delete(uow=ctx.uow, category_id=category_id)
