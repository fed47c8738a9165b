"""Categories: unique slugs, and no deleting a category that posts use."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from app import errors
from app.categories import cache as categories_cache
from app.categories import events
from app.categories.repository import CategoryRepository
from app.platform.cache.entry import Entry, Loaded
from app.platform.cache.reads import Cache
from app.platform.db.models import Category, utcnow
from app.platform.db.unit_of_work import UnitOfWork
from app.platform.slugs import slugify


async def list_all(*, uow: UnitOfWork) -> list[Category]:
    return await CategoryRepository(uow.session).list_all()


async def list_entry(
    *, uow: UnitOfWork, cache: Cache, render: Callable[[list[Category]], bytes]
) -> Entry:
    """Every category as the API sends them, through the cache."""

    async def load() -> Loaded:
        return Loaded(Entry.of_body(render(await list_all(uow=uow))))

    ttl = cache.settings.cache_category_ttl_seconds
    return await cache.read(categories_cache.CATEGORY_LIST, ttl=ttl, load=load)


async def get(*, uow: UnitOfWork, category_id: uuid.UUID) -> Category:
    category = await CategoryRepository(uow.session).get(category_id)
    if category is None:
        raise errors.NotFound("Category not found.")
    return category


async def create(
    *, uow: UnitOfWork, name: str, slug: str | None, description: str | None
) -> Category:
    repository = CategoryRepository(uow.session)
    slug = slug or slugify(name, fallback="category")
    if await repository.slug_taken(slug):
        raise errors.Conflict("A category with this slug already exists.")
    category = await repository.add(Category(name=name, slug=slug, description=description or ""))
    categories_cache.categories_changed(uow)
    await events.announce(uow, event_type=events.CATEGORY_CREATED, category=category)
    return category


async def update(
    *,
    uow: UnitOfWork,
    category_id: uuid.UUID,
    name: str | None,
    slug: str | None,
    description: str | None,
) -> Category:
    repository = CategoryRepository(uow.session)
    category = await get(uow=uow, category_id=category_id)
    if slug is not None and slug != category.slug:
        if await repository.slug_taken(slug, other_than=category.id):
            raise errors.Conflict("A category with this slug already exists.")
        category.slug = slug
    if name is not None:
        category.name = name
    if description is not None:
        category.description = description
    category.updated_at = utcnow()
    category = await repository.save(category)
    categories_cache.categories_changed(uow)
    await events.announce(uow, event_type=events.CATEGORY_UPDATED, category=category)
    return category


async def delete(*, uow: UnitOfWork, category_id: uuid.UUID) -> None:
    repository = CategoryRepository(uow.session)
    category = await get(uow=uow, category_id=category_id)
    if await repository.in_use(category_id):
        raise errors.Conflict("Posts still use this category; move or delete them first.")
    await events.announce(uow, event_type=events.CATEGORY_DELETED, category=category)
    await repository.delete(category_id)
    categories_cache.categories_changed(uow)
