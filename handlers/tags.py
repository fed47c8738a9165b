from __future__ import annotations

from uuid import UUID

from app.http.context import RequestContext
from app.platform.db import models as m
from app.tags import service as tags_service
from generated.models import (
    PageMeta,
    Tag,
    TagCreate,
    TagEnvelope,
    TagListEnvelope,
    TagUpdate,
)


def to_tag(tag: m.Tag) -> Tag:
    return Tag(
        id=tag.id,
        name=tag.name,
        slug=tag.slug,
        createdAt=tag.created_at,
        updatedAt=tag.updated_at,
    )


async def list_tags(ctx: RequestContext, *, cursor: str | None, limit: int) -> TagListEnvelope:
    page = await tags_service.list_page(
        uow=ctx.uow,
        cursor_text=cursor,
        limit=limit,
        key=ctx.resources.settings.cursor_key(),
    )
    return TagListEnvelope(
        success=True,
        data=[to_tag(tag) for tag in page.tags],
        error=None,
        meta=PageMeta(nextCursor=page.next_cursor, limit=limit),
    )


async def create_tag(ctx: RequestContext, *, body: TagCreate) -> TagEnvelope:
    tag = await tags_service.create(uow=ctx.uow, name=body.name, slug=body.slug)
    ctx.response.headers["Location"] = f"/v1/tags/{tag.id}"
    return TagEnvelope(success=True, data=to_tag(tag), error=None)


async def get_tag(ctx: RequestContext, *, tag_id: UUID) -> TagEnvelope:
    tag = await tags_service.get(uow=ctx.uow, tag_id=tag_id)
    return TagEnvelope(success=True, data=to_tag(tag), error=None)


async def update_tag(ctx: RequestContext, *, tag_id: UUID, body: TagUpdate) -> TagEnvelope:
    tag = await tags_service.update(uow=ctx.uow, tag_id=tag_id, name=body.name, slug=body.slug)
    return TagEnvelope(success=True, data=to_tag(tag), error=None)


async def delete_tag(ctx: RequestContext, *, tag_id: UUID) -> None:
    await tags_service.delete(uow=ctx.uow, tag_id=tag_id)
