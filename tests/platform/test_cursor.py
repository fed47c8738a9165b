"""Signed keyset cursors: what one encodes decodes back, and nothing altered or foreign does."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from app import errors
from app.platform import cursor

KEY = b"k" * 32
POSITION = cursor.Position(created_at=datetime(2026, 12, 2, 9, 30, tzinfo=UTC), id=uuid.uuid4())
FILTERS = {"tag": "release-notes", "status": None}


def test_a_cursor_decodes_to_its_position() -> None:
    text = cursor.encode(POSITION, filters=FILTERS, key=KEY)

    assert cursor.decode(text, filters=FILTERS, key=KEY) == POSITION


def test_filters_that_are_none_do_not_count() -> None:
    text = cursor.encode(POSITION, filters={"tag": "release-notes"}, key=KEY)

    assert cursor.decode(text, filters=FILTERS, key=KEY) == POSITION


def test_a_cursor_made_for_other_filters_is_refused() -> None:
    text = cursor.encode(POSITION, filters=FILTERS, key=KEY)

    with pytest.raises(errors.InvalidCursor, match="other filters"):
        cursor.decode(text, filters={**FILTERS, "tag": "other"}, key=KEY)


@pytest.mark.parametrize(
    "alter",
    [
        lambda text: text[:-1] + ("A" if text[-1] != "A" else "B"),
        lambda text: "x" + text,
        lambda text: text.partition(".")[0],
        lambda text: "",
        lambda text: "not-base64!.sig",
    ],
    ids=["signature", "payload", "unsigned", "empty", "garbage"],
)
def test_an_altered_cursor_is_refused(alter: Callable[[str], str]) -> None:
    text = cursor.encode(POSITION, filters=FILTERS, key=KEY)

    with pytest.raises(errors.InvalidCursor):
        cursor.decode(alter(text), filters=FILTERS, key=KEY)


def test_a_cursor_signed_with_another_key_is_refused() -> None:
    text = cursor.encode(POSITION, filters=FILTERS, key=b"other" * 8)

    with pytest.raises(errors.InvalidCursor):
        cursor.decode(text, filters=FILTERS, key=KEY)
