"""DDL helpers that follow Aurora DSQL's rules on every database."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op


class IndexJobFailed(RuntimeError):
    """Aurora DSQL reported that the job building an index failed."""


def create_index(
    name: str, table: str, columns: list[str], *, unique: bool = False, where: str | None = None
) -> None:
    """CREATE INDEX; on Aurora DSQL, CREATE INDEX ASYNC and a wait for the job that builds it.

    Waiting keeps the migrations ordered as on PostgreSQL: a later step (a backfill relying on a
    unique index, say) never runs before the index exists, and a failed build stops the run.
    `where` makes it a partial index (a SQL predicate on the table's columns), which DSQL
    supports since 2026-09-15 (../shared/notes/opa-wasm-and-aurora-dsql.md, B1).
    """
    if not context.config.attributes.get("dsql"):
        predicate = None if where is None else sa.text(where)
        op.create_index(
            name, table, columns, unique=unique, postgresql_where=predicate, sqlite_where=predicate
        )
        return
    kind = "UNIQUE INDEX" if unique else "INDEX"
    statement = f"CREATE {kind} ASYNC {name} ON {table} ({', '.join(columns)})"
    if where is not None:
        statement += f" WHERE {where}"
    if context.is_offline_mode():
        _render_for_psql(name, statement)
    else:
        _build_and_wait(name, statement)


def _build_and_wait(name: str, statement: str) -> None:
    connection = op.get_bind()
    job_id = connection.exec_driver_sql(statement).scalar_one()
    ready = connection.execute(
        sa.text("SELECT sys.wait_for_job(:job_id)"), {"job_id": job_id}
    ).scalar_one()
    if ready is not True:
        raise IndexJobFailed(
            f"index {name} was not built: Aurora DSQL job {job_id} failed"
            f" (its details are in sys.jobs); the migration stopped there"
        )


def _render_for_psql(name: str, statement: str) -> None:
    # Offline there is no job id to read, so the script leaves it to psql: \gset keeps the
    # job_id column that CREATE INDEX ASYNC returns, and the wait returns no row for a failed
    # job, which psql run with ON_ERROR_STOP reports as an error and stops on.
    impl = op.get_context().impl
    impl.static_output(f"-- {name} is built by a job: psql keeps its job_id, then waits for it")
    impl.static_output(f"{statement} \\gset")
    impl.static_output("-- no row here means the job failed (see sys.jobs), and psql stops")
    impl.static_output("SELECT :'job_id' AS waited_job_id WHERE sys.wait_for_job(:'job_id') \\gset")
