"""Every operation of the contract, called by every kind of caller, answers the expected status.

The owner is an author with a draft post and a session; "other" is a second author.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from app.platform.db.database import Database
from generated.operations import OPERATIONS
from tests.fixtures.actors import ANONYMOUS, PASSWORD, Actor, make_actor

CALLERS = ("anonymous", "owner", "other", "editor", "admin")

# operationId -> expected status per caller, in the order of CALLERS.
MATRIX: dict[str, tuple[int, int, int, int, int]] = {
    "getHealth": (200, 200, 200, 200, 200),
    "registerUser": (201, 201, 201, 201, 201),
    "getCurrentUser": (401, 200, 200, 200, 200),
    "updateCurrentUser": (401, 200, 200, 200, 200),
    "getUser": (200, 200, 200, 200, 200),
    "updateUserRole": (401, 403, 403, 403, 200),
    "createSession": (201, 201, 201, 201, 201),
    "listSessions": (401, 200, 200, 200, 200),
    "deleteCurrentSession": (401, 204, 204, 204, 204),
    "deleteSession": (401, 204, 404, 404, 404),
    "listCategories": (200, 200, 200, 200, 200),
    "createCategory": (401, 403, 403, 201, 201),
    "getCategory": (200, 200, 200, 200, 200),
    "updateCategory": (401, 403, 403, 200, 200),
    "deleteCategory": (401, 403, 403, 204, 204),
    "listPosts": (200, 200, 200, 200, 200),
    "createPost": (401, 201, 201, 201, 201),
    "getPost": (404, 200, 404, 200, 200),
    # A slug names the published post or the caller's own (docs/spec.md, Slugs): staff read
    # other people's drafts by id.
    "getPostBySlug": (404, 200, 404, 404, 404),
    "updatePost": (401, 200, 404, 200, 200),
    "deletePost": (401, 204, 404, 204, 204),
    "recordPostView": (404, 200, 404, 200, 200),
    "listAttachments": (404, 200, 404, 200, 200),
    "createAttachment": (401, 201, 404, 201, 201),
    "completeAttachment": (401, 404, 404, 404, 404),
    "deleteAttachment": (401, 404, 404, 404, 404),
    "getJob": (401, 404, 404, 404, 404),
    "requestPasswordReset": (202, 202, 202, 202, 202),
    "confirmPasswordReset": (404, 404, 404, 404, 404),
}


@dataclass
class World:
    owner: Actor
    post: dict[str, Any]
    etag: str
    category_id: str
    owner_session_id: str


async def build_world(client: httpx.AsyncClient, database: Database) -> World:
    owner = await make_actor(client, database, kind="owner")
    staff = await make_actor(client, database, role="admin", kind="setup")
    category = await client.post("/v1/categories", json={"name": "Cat"}, headers=staff.headers)
    created = await client.post("/v1/posts", json={"title": "Draft"}, headers=owner.headers)
    sessions = await client.get("/v1/sessions", headers=owner.headers)
    return World(
        owner=owner,
        post=created.json()["data"],
        etag=created.headers["ETag"],
        category_id=category.json()["data"]["id"],
        owner_session_id=sessions.json()["data"][0]["id"],
    )


def request_for(operation_id: str, world: World) -> tuple[str, dict[str, Any]]:
    """The path and request options of one valid call of the operation."""
    spec = OPERATIONS[operation_id]
    values = {
        "userId": str(world.owner.user_id),
        "sessionId": world.owner_session_id,
        "categoryId": world.category_id,
        "postId": world.post["id"],
        "slug": world.post["slug"],
        "attachmentId": str(uuid.uuid4()),
        "jobId": str(uuid.uuid4()),
        "token": "t" * 43,
    }
    path = spec.path.format(**values)
    bodies: dict[str, Any] = {
        "registerUser": {
            "email": f"{uuid.uuid4().hex}@example.com",
            "password": PASSWORD,
            "displayName": "New",
        },
        "updateCurrentUser": {"bio": "Hi"},
        "updateUserRole": {"role": "editor"},
        "createSession": {"email": world.owner.email, "password": PASSWORD},
        "createCategory": {"name": f"Cat {uuid.uuid4().hex[:6]}"},
        "updateCategory": {"description": "New"},
        "createPost": {"title": "Another"},
        "updatePost": {"title": "Edited"},
        "createAttachment": {"filename": "a.png", "contentType": "image/png", "size": 10},
        "requestPasswordReset": {"email": "a@example.com"},
        "confirmPasswordReset": {"password": PASSWORD},
    }
    options: dict[str, Any] = {}
    if operation_id in bodies:
        options["json"] = bodies[operation_id]
    if operation_id == "updatePost":
        options["headers"] = {"If-Match": world.etag}
    return path, options


def test_matrix_covers_the_contract() -> None:
    assert set(MATRIX) == set(OPERATIONS)


@pytest.mark.parametrize("caller_kind", CALLERS)
@pytest.mark.parametrize("operation_id", sorted(MATRIX))
async def test_status(
    client: httpx.AsyncClient, database: Database, operation_id: str, caller_kind: str
) -> None:
    world = await build_world(client, database)
    if caller_kind == "anonymous":
        caller = ANONYMOUS
    elif caller_kind == "owner":
        caller = world.owner
    else:
        role = "author" if caller_kind == "other" else caller_kind
        caller = await make_actor(client, database, role=role, kind=caller_kind)
    path, options = request_for(operation_id, world)
    headers = {**options.pop("headers", {}), **caller.headers}
    method = OPERATIONS[operation_id].method
    response = await client.request(method, path, headers=headers, **options)
    expected = MATRIX[operation_id][CALLERS.index(caller_kind)]
    assert response.status_code == expected, response.text
    if expected >= 400:
        assert response.json()["success"] is False
