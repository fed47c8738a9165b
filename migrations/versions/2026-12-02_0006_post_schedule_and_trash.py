"""Posts can be scheduled (publish_at) and trashed (deleted_at).

Both columns are nullable with no default, so adding them rewrites nothing and every existing
post reads as neither scheduled nor trashed. The worker finds due scheduled drafts and purgeable
trash through the first two indexes, and the feeds read the newest published posts through the
third; each is built ASYNC on Aurora DSQL (migrations/ddl.py).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.platform.db.models import UTCDateTime
from migrations import ddl

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column("posts", sa.Column("publish_at", UTCDateTime(), nullable=True))
    op.add_column("posts", sa.Column("deleted_at", UTCDateTime(), nullable=True))
    ddl.create_index("posts_publish_at_idx", "posts", ["publish_at"])
    ddl.create_index("posts_deleted_at_idx", "posts", ["deleted_at"])
    ddl.create_index("posts_status_published_at_idx", "posts", ["status", "published_at"])


def downgrade() -> None:
    op.drop_index("posts_status_published_at_idx", table_name="posts")
    op.drop_index("posts_deleted_at_idx", table_name="posts")
    op.drop_index("posts_publish_at_idx", table_name="posts")
    op.drop_column("posts", "deleted_at")
    op.drop_column("posts", "publish_at")
