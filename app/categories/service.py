"""Categories: unique slugs, and no deleting a category that posts use."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.categories.repository import CategoryRepository
from app.core import errors
from app.db.models import Category, utcnow
from app.slugs import slugify


async def list_all(*, session: AsyncSession) -> list[Category]:
    return await CategoryRepository(session).list_all()


async def get(*, session: AsyncSession, category_id: uuid.UUID) -> Category:
    category = await CategoryRepository(session).get(category_id)
    if category is None:
        raise errors.NotFound("Category not found.")
    return category


async def create(
    *, session: AsyncSession, name: str, slug: str | None, description: str | None
) -> Category:
    repository = CategoryRepository(session)
    slug = slug or slugify(name, fallback="category")
    if await repository.slug_taken(slug):
        raise errors.Conflict("A category with this slug already exists.")
    category = Category(name=name, slug=slug, description=description or "")
    return await repository.add(category)


async def update(
    *,
    session: AsyncSession,
    category_id: uuid.UUID,
    name: str | None,
    slug: str | None,
    description: str | None,
) -> Category:
    repository = CategoryRepository(session)
    category = await get(session=session, category_id=category_id)
    if slug is not None and slug != category.slug:
        if await repository.slug_taken(slug, other_than=category.id):
            raise errors.Conflict("A category with this slug already exists.")
        category.slug = slug
    if name is not None:
        category.name = name
    if description is not None:
        category.description = description
    category.updated_at = utcnow()
    return await repository.save(category)


async def delete(*, session: AsyncSession, category_id: uuid.UUID) -> None:
    repository = CategoryRepository(session)
    await get(session=session, category_id=category_id)
    if await repository.in_use(category_id):
        raise errors.Conflict("Posts still use this category; move or delete them first.")
    await repository.delete(category_id)
