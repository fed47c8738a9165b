"""DDL helpers that follow Aurora DSQL's rules on every database."""

from __future__ import annotations

from alembic import context, op


def create_index(name: str, table: str, columns: list[str], *, unique: bool = False) -> None:
    """CREATE INDEX, or CREATE INDEX ASYNC on Aurora DSQL (which builds indexes as jobs)."""
    if context.config.attributes.get("dsql"):
        kind = "UNIQUE INDEX" if unique else "INDEX"
        op.execute(f"CREATE {kind} ASYNC {name} ON {table} ({', '.join(columns)})")
    else:
        op.create_index(name, table, columns, unique=unique)
