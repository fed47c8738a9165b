"""Test-only: just enough of Aurora DSQL's index jobs, inside PostgreSQL, to run the migrations.

`CREATE INDEX ASYNC` is rewritten into a call that builds the index at once and records a job in
`sys.jobs`; `sys.wait_for_job` reports that job's outcome and records the wait. A test lists in
`sys.failing_indexes` the indexes whose jobs fail.

`python -m tests.migrations.dsql_emulation` runs `alembic upgrade head` as on DSQL against
DATABASE_URL, with the rewrite hooked into the migration's engine.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parents[2]

# Every start and every wait takes the next number of sys.events, so the order is on record.
EMULATION_SQL = """
CREATE SCHEMA sys;
CREATE SEQUENCE sys.events;
CREATE TABLE sys.jobs (
    job_id text PRIMARY KEY,
    index_name text NOT NULL,
    status text NOT NULL,
    started bigint NOT NULL,
    waits bigint[] NOT NULL DEFAULT '{}'
);
CREATE TABLE sys.failing_indexes (name text PRIMARY KEY);

CREATE FUNCTION sys.start_index_job(index_name text, ddl text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    started bigint := nextval('sys.events');
    failed boolean := EXISTS (SELECT FROM sys.failing_indexes WHERE name = index_name);
BEGIN
    IF NOT failed THEN
        EXECUTE ddl;
    END IF;
    INSERT INTO sys.jobs (job_id, index_name, status, started)
    VALUES ('job' || started, index_name, CASE WHEN failed THEN 'failed' ELSE 'completed' END,
            started);
    RETURN 'job' || started;
END $$;

CREATE FUNCTION sys.wait_for_job(job text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    completed boolean;
BEGIN
    UPDATE sys.jobs SET waits = waits || nextval('sys.events') WHERE job_id = job
    RETURNING status = 'completed' INTO completed;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no job %', job;
    END IF;
    RETURN completed;
END $$;
"""

_ASYNC_INDEX = re.compile(
    r"CREATE (?P<unique>UNIQUE )?INDEX ASYNC (?P<name>\w+) (?P<target>ON [^;\\]+?)\s*"
)


def as_emulated_job(statement: str) -> str:
    """The call that stands in for a CREATE INDEX ASYNC statement; other statements unchanged."""
    match = _ASYNC_INDEX.fullmatch(statement)
    if match is None:
        return statement
    ddl = f"CREATE {match['unique'] or ''}INDEX {match['name']} {match['target']}"
    return f"SELECT sys.start_index_job('{match['name']}', $ddl${ddl}$ddl$) AS job_id"


def emulate_psql_script(script: str) -> str:
    """The offline script with each CREATE INDEX ASYNC line (ended by \\gset) rewritten."""
    return re.sub(
        r"^(CREATE .*INDEX ASYNC .*) (\\gset)$",
        lambda line: f"{as_emulated_job(line[1])} {line[2]}",
        script,
        flags=re.MULTILINE,
    )


def _rewrite(
    conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
) -> tuple[str, Any]:
    return as_emulated_job(statement), parameters


def main() -> None:
    # On the Engine class: the only engine in this process is the one migrations/env.py creates.
    event.listen(Engine, "before_cursor_execute", _rewrite, retval=True)
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["dsql"] = True
    command.upgrade(config, "head")


if __name__ == "__main__":
    main()
