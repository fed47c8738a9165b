"""The key scheme (docs/cache.md). Bump VERSION when the format of a stored value changes."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable

VERSION = "c1"
PREFIX = f"blog:{VERSION}"

POSTS_NAMESPACE = f"{PREFIX}:posts:ns"
CATEGORY_LIST = f"{PREFIX}:categories:list"


def post_by_id(post_id: uuid.UUID) -> str:
    return f"{PREFIX}:post:id:{post_id}:public"


def post_by_slug(slug: str) -> str:
    return f"{PREFIX}:post:slug:{slug}:public"


def post_details(post_id: uuid.UUID, slugs: Iterable[str]) -> list[str]:
    return [post_by_id(post_id), *(post_by_slug(slug) for slug in set(slugs))]


def post_list(*, namespace: int, scope: str, params: Iterable[object]) -> str:
    digest = hashlib.sha256("\x1f".join(map(str, params)).encode()).hexdigest()[:32]
    return f"{PREFIX}:posts:list:{namespace}:{scope}:{digest}"


def session(token_hash: str) -> str:
    return f"{PREFIX}:session:{token_hash}"


def lock(key: str) -> str:
    return f"{key}:lock"


def rate(rule: str, subject: str, window: int) -> str:
    digest = hashlib.sha256(subject.encode()).hexdigest()[:24]
    return f"blog:rl1:{rule}:{digest}:{window}"
