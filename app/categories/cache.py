"""The category list's cache key, and what makes it stale."""

from __future__ import annotations

from app.platform.cache.keys import PREFIX
from app.platform.cache.reads import Cache
from app.platform.db.unit_of_work import UnitOfWork

CATEGORY_LIST = f"{PREFIX}:categories:list"


def categories_changed(uow: UnitOfWork, *, cache: Cache) -> None:
    """Once the change commits, the list is tombstoned, so no reader refills the old one."""
    uow.after_commit(lambda: cache.invalidate(entries=[CATEGORY_LIST]))
