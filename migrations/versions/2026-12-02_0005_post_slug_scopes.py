"""Post slugs: unique among published posts and within each author's posts, not globally.

A global unique slug let anyone probe for, and squat, the slugs of other authors' drafts (a
409, or a suffixed slug); docs/spec.md states the rule now. posts_published_slug_key keeps
getPostBySlug unambiguous for published posts, posts_author_id_slug_key for an author's own.
The existing rows satisfy both, since every slug was unique: nothing to backfill. On Aurora
DSQL both are built ASYNC (migrations/ddl.py); the published one is a partial index, which DSQL
supports since 2026-09-15 (../shared/notes/opa-wasm-and-aurora-dsql.md, B1). The old index is
dropped only once both exist.

The downgrade restores the global index, which fails while two posts share a slug.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

from migrations import ddl

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    ddl.create_index("posts_author_id_slug_key", "posts", ["author_id", "slug"], unique=True)
    ddl.create_index(
        "posts_published_slug_key", "posts", ["slug"], unique=True, where="status = 'published'"
    )
    op.drop_index("posts_slug_key", table_name="posts")


def downgrade() -> None:
    ddl.create_index("posts_slug_key", "posts", ["slug"], unique=True)
    op.drop_index("posts_published_slug_key", table_name="posts")
    op.drop_index("posts_author_id_slug_key", table_name="posts")
