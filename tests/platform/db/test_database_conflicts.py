"""Aurora DSQL's optimistic concurrency conflicts (OC000/OC001) retry the whole transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.platform.db.database import Database, is_retryable
from app.platform.db.unit_of_work import UnitOfWork


class DriverError(Exception):
    def __init__(self, message: str, sqlstate: str | None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


def wrapped(message: str, sqlstate: str | None) -> DBAPIError:
    return DBAPIError("COMMIT", None, DriverError(message, sqlstate))


@pytest.mark.parametrize(
    ("message", "sqlstate"),
    [
        ("change conflicts with another transaction, please retry: (OC000)", "40001"),
        ("schema has been updated by another transaction, please retry: (OC001)", "40001"),
        ("change conflicts with another transaction, please retry: (OC000)", None),
        ("conflict", "OC001"),
        ("deadlock detected", "40P01"),
    ],
)
def test_conflicts_are_retryable(message: str, sqlstate: str | None) -> None:
    assert is_retryable(wrapped(message, sqlstate))


@pytest.mark.parametrize(
    ("message", "sqlstate"),
    [
        ("duplicate key value violates unique constraint", "23505"),
        ("transaction row limit exceeded", "54000"),
        ("code OC0001 is not a DSQL conflict code", None),
        ("OC002", None),
    ],
)
def test_other_errors_are_not_retried(message: str, sqlstate: str | None) -> None:
    assert not is_retryable(wrapped(message, sqlstate))


def test_non_database_errors_are_not_retried() -> None:
    assert not is_retryable(RuntimeError("(OC000)"))


async def test_message_only_conflict_reruns_the_unit_on_a_new_transaction(db: Database) -> None:
    backends: list[int] = []

    async def unit(uow: UnitOfWork) -> int:

        session = uow.session
        backends.append(int((await session.execute(text("SELECT txid_current()"))).scalar_one()))
        if len(backends) == 1:
            raise wrapped("schema has been updated by another transaction (OC001)", None)
        return len(backends)

    assert await db.transaction(unit) == 2
    assert backends[0] != backends[1]


async def test_row_limit_error_is_raised_without_a_retry(db: Database) -> None:
    attempts = 0

    async def unit(uow: UnitOfWork) -> None:
        nonlocal attempts
        attempts += 1
        raise wrapped("transaction row limit exceeded", "54000")

    with pytest.raises(DBAPIError, match="row limit"):
        await db.transaction(unit)
    assert attempts == 1
