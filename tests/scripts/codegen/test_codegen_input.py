from __future__ import annotations

from scripts.codegen.codegen_input import without_string_constraints


def test_typed_formats_lose_their_string_constraints() -> None:
    document = {
        "id": {"type": "string", "format": "uuid", "maxLength": 36, "description": "d"},
        "at": {"type": ["string", "null"], "format": "date-time", "maxLength": 64},
        "items": [{"type": "string", "format": "uuid", "minLength": 36, "pattern": "^.+$"}],
    }
    assert without_string_constraints(document) == {
        "id": {"type": "string", "format": "uuid", "description": "d"},
        "at": {"type": ["string", "null"], "format": "date-time"},
        "items": [{"type": "string", "format": "uuid"}],
    }


def test_other_strings_keep_theirs() -> None:
    document = {
        "email": {"type": "string", "format": "email", "maxLength": 254},
        "slug": {"type": "string", "minLength": 1, "pattern": "^[a-z]+$"},
        # A property named "format" is no format keyword.
        "properties": {"format": {"type": "string", "maxLength": 8}},
    }
    assert without_string_constraints(document) == document
