"""Tags, and the tags of each post (app/tags).

A tag's slug is unique among tags (tags_slug_key); tags are listed newest first
(tags_created_at_id_idx). post_tags holds each post's tags with their place in its order; a
post has each tag once (post_tags_post_id_tag_id_key, which also finds a post's tags), and
post_tags_tag_id_idx finds a tag's posts, for the list filter and for deleting the tag. Rows go
with their post or tag (ON DELETE CASCADE). Every index is built ASYNC on Aurora DSQL
(migrations/ddl.py). New tables only: nothing to backfill.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.platform.db.models import UTCDateTime
from migrations import ddl

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "tags",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("slug", sa.String(120), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    ddl.create_index("tags_slug_key", "tags", ["slug"], unique=True)
    ddl.create_index("tags_created_at_id_idx", "tags", ["created_at", "id"])
    op.create_table(
        "post_tags",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "post_id", sa.Uuid(), sa.ForeignKey("posts.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "tag_id", sa.Uuid(), sa.ForeignKey("tags.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("position >= 0 AND position < 10", name="position"),
    )
    ddl.create_index(
        "post_tags_post_id_tag_id_key", "post_tags", ["post_id", "tag_id"], unique=True
    )
    ddl.create_index("post_tags_tag_id_idx", "post_tags", ["tag_id"])


def downgrade() -> None:
    op.drop_table("post_tags")
    op.drop_table("tags")
