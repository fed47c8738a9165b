"""Alembic environment: async engine, and one statement per transaction (Aurora DSQL's DDL rule)."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from app.db.models import Base
from app.settings import get_settings

config = context.config
settings = get_settings()
url = config.get_main_option("sqlalchemy.url") or settings.database_url
# Read by migrations/ddl.py: on Aurora DSQL, indexes are built with CREATE INDEX ASYNC.
config.attributes.setdefault("dsql", settings.database_dsql_endpoint is not None)


def run_offline() -> None:
    context.configure(
        url=url,
        target_metadata=Base.metadata,
        literal_binds=True,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        transactional_ddl=False,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_online() -> None:
    # Autocommit: every DDL statement and the version-table write commit on their own.
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    asyncio.run(run_online())
