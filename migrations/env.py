"""Alembic environment: async engine, and one statement per transaction (Aurora DSQL's DDL rule)."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO, cast

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from app.platform.db.database import create_engine
from app.platform.db.models import Base
from app.settings import get_settings

config = context.config
settings = get_settings()
url = config.get_main_option("sqlalchemy.url") or settings.database_url
# Read by migrations/ddl.py: on Aurora DSQL, indexes are built with CREATE INDEX ASYNC.
config.attributes.setdefault("dsql", settings.database_dsql_endpoint is not None)


class _TransactionPerStatement:
    """Wraps each statement alembic writes in its own BEGIN/COMMIT, as online autocommit runs it.

    Alembic writes one statement (or one comment) per write() call in offline mode.
    """

    def __init__(self, target: TextIO) -> None:
        self.target = target

    def write(self, text: str) -> int:
        if text.lstrip().startswith("--"):
            return self.target.write(text)
        return self.target.write(f"BEGIN;\n\n{text}COMMIT;\n\n")

    def flush(self) -> None:
        self.target.flush()


def run_offline() -> None:
    # Aurora DSQL allows one DDL statement per transaction and no DDL mixed with DML.
    buffer = _TransactionPerStatement(config.output_buffer or sys.stdout)
    if config.attributes["dsql"]:
        buffer.write(
            "-- Aurora DSQL: run with psql -v ON_ERROR_STOP=1; a failed index job stops it\n\n"
        )
    context.configure(
        url=url,
        target_metadata=Base.metadata,
        literal_binds=True,
        transactional_ddl=False,
        output_buffer=cast(TextIO, buffer),
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
    if settings.database_dsql_endpoint:
        engine = create_engine(settings, isolation_level="AUTOCOMMIT", pool_size=1)
    else:
        engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    asyncio.run(run_online())
