"""The access rules as plain Python, behind the same input and decision as docs/opa.md.

The compiled Rego bundle in opa/ replaces this engine; both answer the same decision table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PUBLIC = frozenset(
    {
        "getHealth", "registerUser", "createSession", "requestPasswordReset",
        "confirmPasswordReset", "getUser", "listCategories", "getCategory",
    }
)
SIGNED_IN = frozenset({"getCurrentUser", "updateCurrentUser", "listSessions", "deleteCurrentSession"})
OWNER_ONLY = frozenset({"deleteSession", "getJob"})
CATEGORY_ADMIN = frozenset({"createCategory", "updateCategory", "deleteCategory"})
POST_READ = frozenset({"listPosts", "getPost", "getPostBySlug", "recordPostView", "listAttachments"})
POST_WRITE = frozenset(
    {"updatePost", "deletePost", "createAttachment", "completeAttachment", "deleteAttachment"}
)
STAFF = frozenset({"editor", "admin"})
OPERATIONS = PUBLIC | SIGNED_IN | OWNER_ONLY | CATEGORY_ADMIN | POST_READ | POST_WRITE | {
    "createPost",
    "updateUserRole",
}


def _allow(reason: str, **extra: Any) -> dict[str, Any]:
    return {"allow": True, "hide": False, "reason": reason, **extra}


def _deny(reason: str, *, hide: bool = False) -> dict[str, Any]:
    return {"allow": False, "hide": hide, "reason": reason}


def _can_read_post(subject: Mapping[str, Any], resource: Mapping[str, Any]) -> bool:
    return (
        resource.get("status") == "published"
        or subject.get("role") in STAFF
        or (subject.get("id") is not None and subject.get("id") == resource.get("ownerId"))
    )


def _visibility(subject: Mapping[str, Any]) -> str:
    if subject.get("role") in STAFF:
        return "all"
    return "published_or_own" if subject.get("authenticated") else "published"


def evaluate(input: Mapping[str, Any]) -> dict[str, Any]:  # noqa: PLR0911, C901
    operation = input.get("operation")
    subject: Mapping[str, Any] = input.get("subject") or {}
    resource: Mapping[str, Any] | None = input.get("resource")
    signed_in = bool(subject.get("authenticated"))
    is_owner = bool(resource and subject.get("id") and subject.get("id") == resource.get("ownerId"))

    if operation in PUBLIC:
        return _allow("public operation")
    if operation in POST_READ:
        if resource is None:
            return _allow("readable posts", visibility=_visibility(subject))
        if _can_read_post(subject, resource):
            return _allow("post is readable")
        return _deny("post is not readable", hide=True)
    if not signed_in:
        return _deny("authentication required")
    if operation in SIGNED_IN or operation == "createPost":
        return _allow("signed in")
    if operation in OWNER_ONLY:
        if resource is None or is_owner:
            return _allow("own resource")
        return _deny("not the owner", hide=True)
    if operation in CATEGORY_ADMIN:
        if subject.get("role") in STAFF:
            return _allow("editors manage categories")
        return _deny("editors and admins only")
    if operation == "updateUserRole":
        if subject.get("role") == "admin":
            return _allow("admins change roles")
        return _deny("admins only")
    if operation in POST_WRITE:
        if resource is None or is_owner or subject.get("role") in STAFF:
            return _allow("author or staff")
        return _deny("not the author", hide=not _can_read_post(subject, resource))
    return _deny("default deny")


class RulesEngine:
    """PolicyEngine over the Python rules."""

    def evaluate(self, input: Mapping[str, Any]) -> dict[str, Any]:
        return evaluate(input)
