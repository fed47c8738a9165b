"""The expiry sweep's index: pending attachments by the time their upload form expires.

Staging keys need no schema change: `object_key` names the staging key until the attachment is
ready and its final key from then on. The index is built ASYNC on Aurora DSQL
(migrations/ddl.py); nothing else changes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

from migrations import ddl

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    ddl.create_index(
        "attachments_status_upload_expires_at_idx",
        "attachments",
        ["status", "upload_expires_at"],
    )


def downgrade() -> None:
    op.drop_index("attachments_status_upload_expires_at_idx", table_name="attachments")
