"""The category list's cache key, and what makes it stale."""

from __future__ import annotations

from app.platform.cache.keys import PREFIX
from app.platform.db.unit_of_work import UnitOfWork
from app.platform.outbox import messages

CATEGORY_LIST = f"{PREFIX}:categories:list"


def categories_changed(uow: UnitOfWork) -> None:
    """Once the change commits, the list is tombstoned, so no reader refills the old one."""
    uow.emit(messages.invalidate(entries=[CATEGORY_LIST]))
