from typing import Literal

RevisionField = Literal["body", "categoryId", "slug", "status", "tagIds", "title"]

REVISION_FIELD_VALUES: set[RevisionField] = {
    "body",
    "categoryId",
    "slug",
    "status",
    "tagIds",
    "title",
}


def check_revision_field(value: str) -> RevisionField:
    if value in REVISION_FIELD_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {REVISION_FIELD_VALUES!r}")
