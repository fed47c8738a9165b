"""Every operation of the contract, called by every kind of caller on real objects, answers the
expected status; a refusal carries its error code and reads exactly as it would for an object that
does not exist, and a success carries the body the contract promises that caller.

The owner is an author with a draft post, a session and, where the operation needs them, an
uploaded file, a completed and processed upload with its job, and a password reset token of
their own; "other" is a second author.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import feedparser
import httpx
import pytest

from app.platform.db.database import Database
from app.settings import Settings
from generated.operations import OPERATIONS
from tests.aws_helpers import mail_for
from tests.feeds.test_render import sitemap_urls
from tests.fixtures.actors import ANONYMOUS, PASSWORD, Actor, login, make_actor
from tests.handlers.test_attachments import (
    PNG,
    completed_upload,
    run_worker,
    start_upload,
    upload,
)
from tests.handlers.test_password_resets import request_token
from tests.helpers import assert_error, data

CALLERS = ("anonymous", "owner", "other", "editor", "admin")
STAFF = frozenset({"editor", "admin"})
# Who may read the owner's draft and act on it: the owner and staff.
MANAGERS = STAFF | {"owner"}

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
    "listTags": (200, 200, 200, 200, 200),
    "createTag": (401, 403, 403, 201, 201),
    "getTag": (200, 200, 200, 200, 200),
    "updateTag": (401, 403, 403, 200, 200),
    "deleteTag": (401, 403, 403, 204, 204),
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
    "completeAttachment": (401, 202, 404, 202, 202),
    "deleteAttachment": (401, 204, 404, 204, 204),
    "getJob": (401, 200, 404, 404, 404),
    # Revisions and the trash: only who may edit the post sees it (404 for others, never 403).
    "listPostRevisions": (401, 200, 404, 200, 200),
    "getPostRevision": (401, 200, 404, 200, 200),
    "restorePostRevision": (401, 200, 404, 200, 200),
    "restorePost": (401, 200, 404, 200, 200),
    "listTrashedPosts": (401, 200, 200, 200, 200),
    "requestPasswordReset": (202, 202, 202, 202, 202),
    # The token is the authority, not the caller: whoever holds it sets the password.
    "confirmPasswordReset": (204, 204, 204, 204, 204),
    # Public documents, the same for every caller: the owner's draft is in neither.
    "getPostsFeed": (200, 200, 200, 200, 200),
    "getSitemap": (200, 200, 200, 200, 200),
    # Webhook subscriptions are the admins' alone.
    "listWebhooks": (401, 403, 403, 403, 200),
    "createWebhook": (401, 403, 403, 403, 201),
    "getWebhook": (401, 403, 403, 403, 200),
    "updateWebhook": (401, 403, 403, 403, 200),
    "deleteWebhook": (401, 403, 403, 403, 204),
    "rotateWebhookSecret": (401, 403, 403, 403, 200),
    "listWebhookDeliveries": (401, 403, 403, 403, 200),
    "redeliverWebhookDelivery": (401, 403, 403, 403, 202),
}
ERROR_CODES = {401: "UNAUTHENTICATED", 403: "FORBIDDEN", 404: "NOT_FOUND"}
NEW_PASSWORD = "a brand new passphrase"
# What each operation's world needs beyond the owner's draft, session and the category.
UPLOADED = {"completeAttachment"}
PROCESSED = {"deleteAttachment", "getJob", "listAttachments"}
RESET = {"confirmPasswordReset"}
WEBHOOKS = {op for op in MATRIX if "Webhook" in op}
# A public address: the SSRF rule refuses loopback and private ones.
WEBHOOK_URL = "https://93.184.215.14/hooks/blog"
# The owner's post is in the trash; the operation names the post's revision 1.
TRASHED = {"restorePost", "listTrashedPosts"}
REVISION = {"getPostRevision", "restorePostRevision"}


@dataclass
class World:
    owner: Actor
    post: dict[str, Any]
    etag: str
    category: dict[str, Any]
    owner_session_id: str
    # An attachment whose file is in S3 and which nobody has completed yet.
    uploaded_id: str | None = None
    # An attachment completed and processed by the worker, and its job.
    processed_id: str | None = None
    job_id: str | None = None
    reset_token: str | None = None
    # A tag, which the owner's post does not carry.
    tag: dict[str, Any] = field(default_factory=dict)
    # An admin's webhook subscription, with its secret, and one delivery of it.
    webhook: dict[str, Any] = field(default_factory=dict)
    delivery_id: str | None = None
    revision_id: str | None = None


async def build_world(
    client: httpx.AsyncClient, database: Database, settings: Settings, operation_id: str
) -> World:
    owner = await make_actor(client, database, kind="owner")
    staff = await make_actor(client, database, role="admin", kind="setup")
    category = await client.post("/v1/categories", json={"name": "Cat"}, headers=staff.headers)
    created = await client.post("/v1/posts", json={"title": "Draft"}, headers=owner.headers)
    sessions = data(await client.get("/v1/sessions", headers=owner.headers))
    assert len(sessions) == 1
    world = World(
        owner=owner,
        post=data(created, 201),
        etag=created.headers["ETag"],
        category=data(category, 201),
        owner_session_id=sessions[0]["id"],
    )
    tag = await client.post("/v1/tags", json={"name": "Tag"}, headers=staff.headers)
    world.tag = data(tag, 201)
    post_id = world.post["id"]
    if operation_id in UPLOADED:
        started = await start_upload(client, owner, post_id)
        await upload(started, PNG)
        world.uploaded_id = started["attachment"]["id"]
    if operation_id in PROCESSED:
        world.processed_id, world.job_id = await completed_upload(client, owner, post_id)
        assert await run_worker(settings) >= 1
    if operation_id in RESET:
        assert owner.email is not None
        world.reset_token = await request_token(client, settings, owner.email)
    if operation_id in REVISION:
        revisions = await client.get(f"/v1/posts/{post_id}/revisions", headers=owner.headers)
        world.revision_id = data(revisions)[0]["id"]
    if operation_id in TRASHED:
        trashed = await client.delete(f"/v1/posts/{post_id}", headers=owner.headers)
        assert trashed.status_code == 204
    if operation_id in WEBHOOKS:
        body = {"url": WEBHOOK_URL, "eventTypes": ["category.created"]}
        made = await client.post("/v1/webhooks", json=body, headers=staff.headers)
        world.webhook = data(made, 201)
        await client.post("/v1/categories", json={"name": "Hooked"}, headers=staff.headers)
        path = f"/v1/webhooks/{world.webhook['id']}/deliveries"
        [delivery] = data(await client.get(path, headers=staff.headers))
        world.delivery_id = delivery["id"]
    return world


def path_values(world: World) -> dict[str, str]:
    """What the world's objects are called in paths (an id of nothing where it has none)."""
    return {
        "userId": str(world.owner.user_id),
        "sessionId": world.owner_session_id,
        "categoryId": world.category["id"],
        "tagId": world.tag["id"],
        "postId": world.post["id"],
        "slug": world.post["slug"],
        "attachmentId": world.uploaded_id or world.processed_id or str(uuid.uuid4()),
        "jobId": world.job_id or str(uuid.uuid4()),
        "token": world.reset_token or secrets.token_urlsafe(32),
        "webhookId": world.webhook.get("id") or str(uuid.uuid4()),
        "deliveryId": world.delivery_id or str(uuid.uuid4()),
        "revisionId": world.revision_id or str(uuid.uuid4()),
    }


def missing_values() -> dict[str, str]:
    """Path values that name nothing at all."""
    return {
        "userId": str(uuid.uuid4()),
        "sessionId": str(uuid.uuid4()),
        "categoryId": str(uuid.uuid4()),
        "tagId": str(uuid.uuid4()),
        "postId": str(uuid.uuid4()),
        "slug": f"nothing-here-{uuid.uuid4().hex[:8]}",
        "attachmentId": str(uuid.uuid4()),
        "jobId": str(uuid.uuid4()),
        "token": secrets.token_urlsafe(32),
        "webhookId": str(uuid.uuid4()),
        "deliveryId": str(uuid.uuid4()),
        "revisionId": str(uuid.uuid4()),
    }


def request_options(operation_id: str, world: World) -> dict[str, Any]:
    """The body and headers of one valid call of the operation."""
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
        "createTag": {"name": f"Tag {uuid.uuid4().hex[:6]}"},
        "updateTag": {"name": "Renamed"},
        "createPost": {"title": "Another"},
        "updatePost": {"title": "Edited"},
        "createAttachment": {"filename": "a.png", "contentType": "image/png", "size": 10},
        "requestPasswordReset": {"email": world.owner.email},
        "confirmPasswordReset": {"password": NEW_PASSWORD},
        "createWebhook": {"url": WEBHOOK_URL, "eventTypes": ["tag.created"]},
        "updateWebhook": {"active": False},
    }
    options: dict[str, Any] = {}
    if operation_id in bodies:
        options["json"] = bodies[operation_id]
    if operation_id in {"updatePost", "restorePostRevision"}:
        options["headers"] = {"If-Match": world.etag}
    return options


async def send(
    client: httpx.AsyncClient,
    operation_id: str,
    values: dict[str, str],
    options: dict[str, Any],
    caller: Actor,
) -> httpx.Response:
    spec = OPERATIONS[operation_id]
    headers = {**options.get("headers", {}), **caller.headers}
    body = {key: value for key, value in options.items() if key != "headers"}
    return await client.request(spec.method, spec.path.format(**values), headers=headers, **body)


def refusal(response: httpx.Response, status: int) -> dict[str, Any]:
    """The error of a refusal, without the trace id that differs between any two answers."""
    error = assert_error(response, status, ERROR_CODES[status])
    return {key: value for key, value in error.items() if key != "traceId"}


@dataclass(frozen=True)
class Answer:
    """A 2xx answer, with what it takes to check it and what it did."""

    client: httpx.AsyncClient
    settings: Settings
    world: World
    kind: str
    caller: Actor
    response: httpx.Response


def no_body(answer: Answer) -> None:
    assert answer.response.content == b""


async def me(answer: Answer, token: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    return await answer.client.get("/v1/users/me", headers=headers)


async def owners_view(answer: Answer, path: str) -> httpx.Response:
    return await answer.client.get(path, headers=answer.world.owner.headers)


def stamped(expected: dict[str, Any], got: dict[str, Any], *keys: str) -> dict[str, Any]:
    """expected with got's values for keys the server stamps (ids, times)."""
    return {**expected, **{key: got[key] for key in keys}}


async def health(answer: Answer) -> None:
    assert answer.response.json() == {"status": "ok"}


async def registered(answer: Answer) -> None:
    got = data(answer.response, 201)
    email = json.loads(answer.response.request.content)["email"]
    expected = {"email": email, "displayName": "New", "bio": "", "role": "author"}
    assert got == stamped(expected, got, "id", "createdAt", "updatedAt")


async def current_user(answer: Answer) -> None:
    got = data(answer.response)
    assert got["id"] == str(answer.caller.user_id)
    assert got["email"] == answer.caller.email
    assert got["role"] == ("author" if answer.kind in {"owner", "other"} else answer.kind)


async def updated_current_user(answer: Answer) -> None:
    got = data(answer.response)
    assert (got["id"], got["email"], got["bio"]) == (
        str(answer.caller.user_id),
        answer.caller.email,
        "Hi",
    )


async def public_profile(answer: Answer) -> None:
    got = data(answer.response)
    owner = answer.world.owner
    expected = {"id": str(owner.user_id), "displayName": "Test User", "bio": "", "role": "author"}
    assert got == stamped(expected, got, "createdAt")


async def promoted(answer: Answer) -> None:
    got = data(answer.response)
    owner = answer.world.owner
    expected = {"id": str(owner.user_id), "displayName": "Test User", "bio": "", "role": "editor"}
    assert got == stamped(expected, got, "createdAt")
    profile = await answer.client.get(f"/v1/users/{owner.user_id}")
    assert data(profile)["role"] == "editor"


async def new_session(answer: Answer) -> None:
    got = data(answer.response, 201)
    assert set(got) == {"id", "token", "expiresAt"}
    assert got["id"] != answer.world.owner_session_id
    # Whoever asks, the session is the account's whose password was given.
    assert data(await me(answer, got["token"]))["id"] == str(answer.world.owner.user_id)


async def own_sessions(answer: Answer) -> None:
    got = data(answer.response)
    assert [session["current"] for session in got] == [True]
    assert (got[0]["id"] == answer.world.owner_session_id) is (answer.kind == "owner")


async def current_session_ended(answer: Answer) -> None:
    no_body(answer)
    assert answer.caller.token is not None
    assert_error(await me(answer, answer.caller.token), 401, "UNAUTHENTICATED")


async def owners_session_ended(answer: Answer) -> None:
    no_body(answer)
    assert answer.world.owner.token is not None
    assert_error(await me(answer, answer.world.owner.token), 401, "UNAUTHENTICATED")


async def categories(answer: Answer) -> None:
    assert data(answer.response) == [answer.world.category]


async def created_category(answer: Answer) -> None:
    got = data(answer.response, 201)
    name = json.loads(answer.response.request.content)["name"]
    expected = {"name": name, "slug": name.lower().replace(" ", "-"), "description": ""}
    assert got == stamped(expected, got, "id", "createdAt", "updatedAt")


async def category(answer: Answer) -> None:
    assert data(answer.response) == answer.world.category


async def updated_category(answer: Answer) -> None:
    got = data(answer.response)
    assert got == stamped({**answer.world.category, "description": "New"}, got, "updatedAt")
    assert got["updatedAt"] > answer.world.category["updatedAt"]


async def category_deleted(answer: Answer) -> None:
    no_body(answer)
    after = await owners_view(answer, f"/v1/categories/{answer.world.category['id']}")
    assert_error(after, 404, "NOT_FOUND")


async def tags(answer: Answer) -> None:
    assert data(answer.response) == [answer.world.tag]


async def created_tag(answer: Answer) -> None:
    got = data(answer.response, 201)
    name = json.loads(answer.response.request.content)["name"]
    expected = {"name": name, "slug": name.lower().replace(" ", "-")}
    assert got == stamped(expected, got, "id", "createdAt", "updatedAt")
    assert data(await answer.client.get(f"/v1/tags/{got['id']}")) == got


async def tag(answer: Answer) -> None:
    assert data(answer.response) == answer.world.tag


async def updated_tag(answer: Answer) -> None:
    got = data(answer.response)
    assert got == stamped({**answer.world.tag, "name": "Renamed"}, got, "updatedAt")
    assert got["updatedAt"] > answer.world.tag["updatedAt"]


async def tag_deleted(answer: Answer) -> None:
    no_body(answer)
    after = await owners_view(answer, f"/v1/tags/{answer.world.tag['id']}")
    assert_error(after, 404, "NOT_FOUND")


async def posts(answer: Answer) -> None:
    listed = [post["id"] for post in data(answer.response)]
    assert listed == ([answer.world.post["id"]] if answer.kind in MANAGERS else [])


async def created_post(answer: Answer) -> None:
    got = data(answer.response, 201)
    assert (got["title"], got["status"], got["authorId"]) == (
        "Another",
        "draft",
        str(answer.caller.user_id),
    )
    assert got["id"] != answer.world.post["id"]


async def the_post(answer: Answer) -> None:
    assert data(answer.response) == answer.world.post


async def updated_post(answer: Answer) -> None:
    got = data(answer.response)
    assert got == stamped({**answer.world.post, "title": "Edited"}, got, "slug", "updatedAt")
    assert got["updatedAt"] > answer.world.post["updatedAt"]


async def post_deleted(answer: Answer) -> None:
    no_body(answer)
    after = await owners_view(answer, f"/v1/posts/{answer.world.post['id']}")
    assert_error(after, 404, "NOT_FOUND")


async def view_counted(answer: Answer) -> None:
    assert data(answer.response) == {"postId": answer.world.post["id"], "viewCount": 1}


async def attachments(answer: Answer) -> None:
    got = data(answer.response)
    assert [(a["id"], a["status"], a["jobId"]) for a in got] == [
        (answer.world.processed_id, "ready", answer.world.job_id)
    ]


async def upload_started(answer: Answer) -> None:
    got = data(answer.response, 201)
    attachment = got["attachment"]
    expected = {
        "postId": answer.world.post["id"],
        "filename": "a.png",
        "contentType": "image/png",
        "size": 10,
        "status": "pending",
        "jobId": None,
        "downloadUrl": None,
    }
    assert attachment == stamped(expected, attachment, "id", "createdAt")
    assert got["upload"]["fields"]["key"].endswith(f"/{attachment['id']}")


async def upload_completed(answer: Answer) -> None:
    got = data(answer.response, 202)
    assert (got["id"], got["postId"], got["status"]) == (
        answer.world.uploaded_id,
        answer.world.post["id"],
        "processing",
    )
    assert uuid.UUID(got["jobId"])
    # The job the answer names is the one that processes this upload.
    assert await run_worker(answer.settings) >= 1
    listed = data(await owners_view(answer, f"/v1/posts/{answer.world.post['id']}/attachments"))
    assert [(a["id"], a["status"], a["jobId"]) for a in listed] == [
        (answer.world.uploaded_id, "ready", got["jobId"])
    ]


async def attachment_deleted(answer: Answer) -> None:
    no_body(answer)
    listed = await owners_view(answer, f"/v1/posts/{answer.world.post['id']}/attachments")
    assert data(listed) == []


async def job(answer: Answer) -> None:
    got = data(answer.response)
    assert got == stamped(
        {
            "id": answer.world.job_id,
            "status": "succeeded",
            "error": None,
            "result": {"width": 64, "height": 32, "format": "png"},
        },
        got,
        "createdAt",
        "updatedAt",
    )


async def reset_requested(answer: Answer) -> None:
    assert data(answer.response, 202) == {"status": "accepted"}
    owner = answer.world.owner
    assert owner.email is not None
    await run_worker(answer.settings)
    mails = await asyncio.to_thread(mail_for, answer.settings, owner.email)
    assert [mail["type"] for mail in mails] == ["password_reset.requested"]


async def revisions(answer: Answer) -> None:
    got = data(answer.response)
    assert [(r["number"], r["snapshot"]["title"]) for r in got] == [(1, "Draft")]


async def revision(answer: Answer) -> None:
    got = data(answer.response)
    assert (got["id"], got["postId"], got["number"]) == (
        answer.world.revision_id,
        answer.world.post["id"],
        1,
    )


async def revision_restored(answer: Answer) -> None:
    got = data(answer.response)
    assert got == stamped(answer.world.post, got, "updatedAt", "viewCount")
    assert answer.response.headers["ETag"] != answer.world.etag


async def trashed_posts(answer: Answer) -> None:
    listed = [post["id"] for post in data(answer.response)]
    assert listed == ([answer.world.post["id"]] if answer.kind in MANAGERS else [])


async def post_restored(answer: Answer) -> None:
    assert data(answer.response)["id"] == answer.world.post["id"]
    data(await owners_view(answer, f"/v1/posts/{answer.world.post['id']}"))


async def feed(answer: Answer) -> None:
    assert answer.response.headers["Content-Type"] == "application/atom+xml"
    parsed = feedparser.parse(answer.response.content)
    assert (parsed.bozo, parsed.version) == (False, "atom10")
    assert parsed.entries == []


async def sitemap(answer: Answer) -> None:
    assert answer.response.headers["Content-Type"] == "application/xml"
    urls = sitemap_urls(answer.response.text)
    assert urls == [{"loc": f"{answer.settings.public_base_url}/"}]


async def password_reset(answer: Answer) -> None:
    no_body(answer)
    owner = answer.world.owner
    assert owner.email is not None
    await login(answer.client, owner.email, NEW_PASSWORD)


def shown(webhook: dict[str, Any]) -> dict[str, Any]:
    """A subscription as reads show it: without the secret."""
    return {key: value for key, value in webhook.items() if key != "secret"}


async def webhooks(answer: Answer) -> None:
    assert data(answer.response) == [shown(answer.world.webhook)]


async def created_webhook(answer: Answer) -> None:
    got = data(answer.response, 201)
    assert got["secret"].startswith("whsec_")
    read = await answer.client.get(f"/v1/webhooks/{got['id']}", headers=answer.caller.headers)
    assert data(read) == shown(got)


async def webhook(answer: Answer) -> None:
    assert data(answer.response) == shown(answer.world.webhook)


async def updated_webhook(answer: Answer) -> None:
    got = data(answer.response)
    expected = {**shown(answer.world.webhook), "active": False}
    assert got == stamped(expected, got, "updatedAt")


async def webhook_deleted(answer: Answer) -> None:
    no_body(answer)
    path = f"/v1/webhooks/{answer.world.webhook['id']}"
    assert (await answer.client.get(path, headers=answer.caller.headers)).status_code == 404


async def rotated_secret(answer: Answer) -> None:
    got = data(answer.response)
    assert got["secret"].startswith("whsec_")
    assert got["secret"] != answer.world.webhook["secret"]
    assert shown(got) == stamped(shown(answer.world.webhook), got, "updatedAt")


async def webhook_deliveries(answer: Answer) -> None:
    [delivery] = data(answer.response)
    assert (delivery["id"], delivery["eventType"]) == (answer.world.delivery_id, "category.created")


async def redelivered(answer: Answer) -> None:
    got = data(answer.response, 202)
    assert (got["id"], got["status"], got["attempts"]) == (answer.world.delivery_id, "pending", 0)


# What each operation's success must carry (and, for a change, have done).
SUCCESSES: dict[str, Callable[[Answer], Awaitable[None]]] = {
    "getHealth": health,
    "registerUser": registered,
    "getCurrentUser": current_user,
    "updateCurrentUser": updated_current_user,
    "getUser": public_profile,
    "updateUserRole": promoted,
    "createSession": new_session,
    "listSessions": own_sessions,
    "deleteCurrentSession": current_session_ended,
    "deleteSession": owners_session_ended,
    "listCategories": categories,
    "createCategory": created_category,
    "getCategory": category,
    "updateCategory": updated_category,
    "deleteCategory": category_deleted,
    "listTags": tags,
    "createTag": created_tag,
    "getTag": tag,
    "updateTag": updated_tag,
    "deleteTag": tag_deleted,
    "listPosts": posts,
    "createPost": created_post,
    "getPost": the_post,
    "getPostBySlug": the_post,
    "updatePost": updated_post,
    "deletePost": post_deleted,
    "recordPostView": view_counted,
    "listAttachments": attachments,
    "createAttachment": upload_started,
    "completeAttachment": upload_completed,
    "deleteAttachment": attachment_deleted,
    "getJob": job,
    "listPostRevisions": revisions,
    "getPostRevision": revision,
    "restorePostRevision": revision_restored,
    "restorePost": post_restored,
    "listTrashedPosts": trashed_posts,
    "requestPasswordReset": reset_requested,
    "confirmPasswordReset": password_reset,
    "getPostsFeed": feed,
    "getSitemap": sitemap,
    "listWebhooks": webhooks,
    "createWebhook": created_webhook,
    "getWebhook": webhook,
    "updateWebhook": updated_webhook,
    "deleteWebhook": webhook_deleted,
    "rotateWebhookSecret": rotated_secret,
    "listWebhookDeliveries": webhook_deliveries,
    "redeliverWebhookDelivery": redelivered,
}


def test_matrix_covers_the_contract() -> None:
    assert set(MATRIX) == set(OPERATIONS)
    succeeding = {operation for operation, row in MATRIX.items() if min(row) < 300}
    assert set(SUCCESSES) == succeeding
    assert {status for row in MATRIX.values() for status in row if status >= 300} <= set(
        ERROR_CODES
    )


@pytest.mark.parametrize("caller_kind", CALLERS)
@pytest.mark.parametrize("operation_id", sorted(MATRIX))
async def test_status(
    client: httpx.AsyncClient,
    database: Database,
    settings: Settings,
    operation_id: str,
    caller_kind: str,
) -> None:
    world = await build_world(client, database, settings, operation_id)
    if caller_kind == "anonymous":
        caller = ANONYMOUS
    elif caller_kind == "owner":
        caller = world.owner
    else:
        role = "author" if caller_kind == "other" else caller_kind
        caller = await make_actor(client, database, role=role, kind=caller_kind)
    options = request_options(operation_id, world)
    response = await send(client, operation_id, path_values(world), options, caller)
    expected = MATRIX[operation_id][CALLERS.index(caller_kind)]
    assert response.status_code == expected, response.text
    if expected >= 300:
        # Refused for an object that exists exactly as for one that does not.
        absent = await send(client, operation_id, missing_values(), options, caller)
        assert refusal(response, expected) == refusal(absent, expected)
        return
    await SUCCESSES[operation_id](Answer(client, settings, world, caller_kind, caller, response))
