"""The facts about a post that the policy decides on, and their form inside a cache entry."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import msgspec

from app.platform.authz import Resource

if TYPE_CHECKING:
    from app.platform.db.models import Post


class PostFacts(msgspec.Struct, frozen=True):
    owner_id: uuid.UUID
    status: str

    @classmethod
    def of(cls, post: Post) -> PostFacts:
        return cls(owner_id=post.author_id, status=post.status)

    def encode(self) -> tuple[str, ...]:
        return (str(self.owner_id), self.status)

    @classmethod
    def decode(cls, facts: tuple[str, ...]) -> PostFacts:
        owner_id, status = facts
        return cls(owner_id=uuid.UUID(owner_id), status=status)

    def resource(self) -> Resource:
        return Resource(type="post", owner_id=self.owner_id, status=self.status)
