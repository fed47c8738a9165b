"""Bulk writes are sliced under Aurora DSQL's per-transaction row limit."""

from __future__ import annotations

import pytest

from app.db.batches import DEFAULT_BATCH_ROWS, DSQL_MAX_ROWS_PER_TRANSACTION, batches


@pytest.mark.parametrize("size", [0, -1, DSQL_MAX_ROWS_PER_TRANSACTION + 1])
def test_sizes_outside_the_limit_are_refused(size: int) -> None:
    with pytest.raises(ValueError, match="batch size"):
        next(batches(range(10), size=size))


def test_no_rows_make_no_batches() -> None:
    assert list(batches([])) == []


def test_exactly_one_full_batch() -> None:
    assert [len(b) for b in batches(range(DEFAULT_BATCH_ROWS))] == [DEFAULT_BATCH_ROWS]


def test_one_row_over_spills_into_a_second_batch_in_order() -> None:
    rows = list(range(DEFAULT_BATCH_ROWS + 1))

    sliced = list(batches(iter(rows)))

    assert [len(b) for b in sliced] == [DEFAULT_BATCH_ROWS, 1]
    assert [row for batch in sliced for row in batch] == rows


def test_the_largest_allowed_batch_is_the_dsql_limit() -> None:
    sliced = list(batches(range(7000), size=DSQL_MAX_ROWS_PER_TRANSACTION))

    assert [len(b) for b in sliced] == [3000, 3000, 1000]
