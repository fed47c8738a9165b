"""Revisions of posts (app/posts/revisions.py): who changed what, and the post's state after.

A revision's number counts the post's changes from 1, its creation. The fields it changed and
the post's state after the change are JSON in Text columns, as Aurora DSQL has no JSONB. The
unique (post_id, number) index, built ASYNC on Aurora DSQL (migrations/ddl.py), serves the
newest-first list and keeps two writers from storing the same number. Purging a post deletes
its revisions (ON DELETE CASCADE).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.platform.db.models import UTCDateTime
from migrations import ddl

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "post_revisions",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "post_id", sa.Uuid(), sa.ForeignKey("posts.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "author_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("snapshot", sa.Text(), nullable=False),
    )
    ddl.create_index(
        "post_revisions_post_id_number_key", "post_revisions", ["post_id", "number"], unique=True
    )


def downgrade() -> None:
    op.drop_table("post_revisions")
