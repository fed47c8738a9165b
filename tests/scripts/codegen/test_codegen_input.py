from __future__ import annotations

from scripts.codegen.codegen_input import with_nullable_refs_inlined, without_string_constraints


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


def test_a_property_referring_to_a_nullable_schema_is_written_out() -> None:
    document = {
        "components": {
            "schemas": {
                "When": {"type": ["string", "null"], "format": "date-time"},
                "Name": {"type": "string"},
                "Change": {
                    "type": "object",
                    "properties": {
                        "at": {"$ref": "#/components/schemas/When", "description": "Then."},
                        "name": {"$ref": "#/components/schemas/Name"},
                    },
                },
            }
        }
    }
    properties = with_nullable_refs_inlined(document)["components"]["schemas"]["Change"][
        "properties"
    ]
    assert properties["at"] == {
        "type": ["string", "null"],
        "format": "date-time",
        "description": "Then.",
    }
    assert properties["name"] == {"$ref": "#/components/schemas/Name"}
