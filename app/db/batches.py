"""Bulk writes in slices that fit one Aurora DSQL transaction (at most 3,000 mutated rows)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import TypeVar

T = TypeVar("T")

DSQL_MAX_ROWS_PER_TRANSACTION = 3000
# Headroom for rows a unit touches besides the batch itself (counters, audit rows).
DEFAULT_BATCH_ROWS = 2500


def batches(rows: Iterable[T], *, size: int = DEFAULT_BATCH_ROWS) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most `size` rows, each meant for its own transaction."""
    if not 1 <= size <= DSQL_MAX_ROWS_PER_TRANSACTION:
        raise ValueError(f"batch size must be 1..{DSQL_MAX_ROWS_PER_TRANSACTION}, got {size}")
    iterator = iter(rows)
    while batch := tuple(islice(iterator, size)):
        yield batch
