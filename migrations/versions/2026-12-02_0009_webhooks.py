"""Webhook subscriptions, their deliveries and every attempt at one (app/webhooks).

webhooks holds the subscriptions with their signing secrets, encrypted (app/webhooks/signing.py);
event_types is text, the subscribed types separated by spaces, since Aurora DSQL has no arrays.
emit finds a type's subscribers among the active ones (webhooks_active_idx); admins list them
newest first (webhooks_created_at_id_idx). A delivery is one event for one subscription, once
(webhook_deliveries_webhook_id_event_id_key); the worker claims the due ones
(webhook_deliveries_status_next_attempt_at_idx) and admins list a subscription's newest first
(webhook_deliveries_webhook_id_created_at_id_idx). webhook_attempts keeps each attempt, found by
its delivery (webhook_attempts_delivery_id_attempted_at_idx). Deliveries and attempts go with
their subscription (ON DELETE CASCADE). Every index is built ASYNC on Aurora DSQL
(migrations/ddl.py). New tables only: nothing to backfill.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.platform.db.models import UTCDateTime
from migrations import ddl

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "webhooks",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("event_types", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("previous_secret", sa.Text(), nullable=True),
        sa.Column("previous_secret_expires_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    ddl.create_index("webhooks_active_idx", "webhooks", ["active"])
    ddl.create_index("webhooks_created_at_id_idx", "webhooks", ["created_at", "id"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "webhook_id",
            sa.Uuid(),
            sa.ForeignKey("webhooks.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("status IN ('pending', 'succeeded', 'failed')", name="status"),
    )
    ddl.create_index(
        "webhook_deliveries_webhook_id_event_id_key",
        "webhook_deliveries",
        ["webhook_id", "event_id"],
        unique=True,
    )
    ddl.create_index(
        "webhook_deliveries_status_next_attempt_at_idx",
        "webhook_deliveries",
        ["status", "next_attempt_at"],
    )
    ddl.create_index(
        "webhook_deliveries_webhook_id_created_at_id_idx",
        "webhook_deliveries",
        ["webhook_id", "created_at", "id"],
    )
    op.create_table(
        "webhook_attempts",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "delivery_id",
            sa.Uuid(),
            sa.ForeignKey("webhook_deliveries.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("attempted_at", UTCDateTime(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(200), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("response_body", sa.Text(), nullable=True),
    )
    ddl.create_index(
        "webhook_attempts_delivery_id_attempted_at_idx",
        "webhook_attempts",
        ["delivery_id", "attempted_at"],
    )


def downgrade() -> None:
    op.drop_table("webhook_attempts")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhooks")
