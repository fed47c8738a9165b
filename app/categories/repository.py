from __future__ import annotations

import uuid

from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.platform.db.integrity import flush_or_conflict
from app.platform.db.models import Category, Post


class CategoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list_all(self) -> list[Category]:
        statement = select(Category).order_by(Category.name, Category.id)
        return list((await self.session.execute(statement)).scalars())

    async def get(self, category_id: uuid.UUID) -> Category | None:
        return await self.session.get(Category, category_id)

    async def slug_taken(self, slug: str, *, other_than: uuid.UUID | None = None) -> bool:
        condition = Category.slug == slug
        if other_than is not None:
            condition = condition & (Category.id != other_than)
        return bool(await self.session.scalar(select(exists().where(condition))))

    async def in_use(self, category_id: uuid.UUID) -> bool:
        return bool(
            await self.session.scalar(select(exists().where(Post.category_id == category_id)))
        )

    async def add(self, category: Category) -> Category:
        self.session.add(category)
        await flush_or_conflict(self.session, "A category with this slug already exists.")
        return category

    async def save(self, category: Category) -> Category:
        await flush_or_conflict(self.session, "A category with this slug already exists.")
        return category

    async def delete(self, category_id: uuid.UUID) -> None:
        await self.session.execute(delete(Category).where(Category.id == category_id))
        await flush_or_conflict(self.session, "Posts still use this category.")
