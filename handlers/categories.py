from __future__ import annotations

from uuid import UUID

from starlette.responses import Response

from app.cache import http as http_cache
from app.cache import invalidation, keys
from app.cache.entry import Entry, Loaded
from app.categories import service as categories_service
from app.core.context import RequestContext
from app.db import models as m
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


async def list_categories(ctx: RequestContext, *, if__none__match: str | None) -> Response:
    async def load() -> Loaded:
        data = [to_category(c) for c in await categories_service.list_all(session=ctx.session)]
        envelope = CategoryListEnvelope(
            success=True, data=data, error=None, meta=ListMeta(count=len(data))
        )
        return Loaded(Entry.of_body(envelope.model_dump_json().encode()))

    ttl = ctx.state.settings.cache_category_ttl_seconds
    entry = await ctx.state.cache.read(keys.CATEGORY_LIST, ttl=ttl, load=load)
    return http_cache.respond(entry, if_none_match=if__none__match)


async def create_category(ctx: RequestContext, *, body: CategoryCreate) -> CategoryEnvelope:
    category = await categories_service.create(
        session=ctx.session,
        name=body.name.root,
        slug=body.slug.root if body.slug else None,
        description=body.description.root if body.description else None,
    )
    ctx.response.headers["Location"] = f"/v1/categories/{category.id}"
    invalidation.categories_changed(ctx)
    return CategoryEnvelope(success=True, data=to_category(category), error=None)


async def get_category(ctx: RequestContext, *, category_id: UUID) -> CategoryEnvelope:
    category = await categories_service.get(session=ctx.session, category_id=category_id)
    return CategoryEnvelope(success=True, data=to_category(category), error=None)


async def update_category(
    ctx: RequestContext, *, category_id: UUID, body: CategoryUpdate
) -> CategoryEnvelope:
    category = await categories_service.update(
        session=ctx.session,
        category_id=category_id,
        name=body.name.root if body.name else None,
        slug=body.slug.root if body.slug else None,
        description=body.description.root if body.description else None,
    )
    invalidation.categories_changed(ctx)
    return CategoryEnvelope(success=True, data=to_category(category), error=None)


async def delete_category(ctx: RequestContext, *, category_id: UUID) -> None:
    await categories_service.delete(session=ctx.session, category_id=category_id)
    invalidation.categories_changed(ctx)
