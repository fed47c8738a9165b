"""An object hidden from the caller answers exactly as a missing one, on every operation of the
contract that names an object in its path, for every kind of caller (docs/spec.md, Roles).

The operations come from the contract (generated/operations.py), so a new one is a new test
here: it fails until CASES says how to make an object hidden from a caller for it, or
NOTHING_HIDDEN says why no object of it can be hidden (which the policy is asked to confirm).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from app.platform.authz import Authorizer, Principal, Resource
from generated.operations import OPERATIONS, OperationSpec
from tests.attachments import samples
from tests.fixtures.actors import ANONYMOUS, PASSWORD, Actor
from tests.helpers import data, eventually

PATH_PARAMETER = re.compile(r"\{(\w+)\}")
# Every operation whose path names something.
NAMED = {
    operation_id: spec
    for operation_id, spec in OPERATIONS.items()
    if PATH_PARAMETER.search(spec.path)
}
KINDS = ("anonymous", "author", "other_author", "editor", "admin")
STAFF = frozenset({"editor", "admin"})
# Compared as everything else is, but for these: they differ between any two responses.
UNCOMPARED_HEADERS = {"x-trace-id", "date"}
PNG = samples.png(8, 8)


@dataclass(frozen=True)
class Case:
    """How to call an operation on an object hidden from the caller, and on a missing one."""

    # What the path names: post, slug, attachment (of a post), session, job, revision (of a
    # post) or trashed (a post in the trash).
    target: str
    json: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # The kinds of caller the contract shows the hidden object to: for them it is not hidden,
    # and the answer must not be 404.
    seen_by: frozenset[str] = frozenset()


UPLOAD = {"filename": "pic.png", "contentType": "image/png", "size": len(PNG)}
CASES = {
    "getPost": Case("post", seen_by=STAFF),
    # A slug names the published post, or else the caller's own: staff reach drafts by id.
    "getPostBySlug": Case("slug"),
    "updatePost": Case("post", json={"title": "Renamed"}, headers={"If-Match": "*"}, seen_by=STAFF),
    "deletePost": Case("post", seen_by=STAFF),
    "recordPostView": Case("post", seen_by=STAFF),
    "listAttachments": Case("post", seen_by=STAFF),
    "createAttachment": Case("post", json=UPLOAD, seen_by=STAFF),
    "completeAttachment": Case("attachment", seen_by=STAFF),
    "deleteAttachment": Case("attachment", seen_by=STAFF),
    # Owner-only, whatever the role.
    "deleteSession": Case("session"),
    "getJob": Case("job"),
    # Revisions and the trash: for who may edit the post.
    "listPostRevisions": Case("post", seen_by=STAFF),
    "getPostRevision": Case("revision", seen_by=STAFF),
    "restorePostRevision": Case("revision", headers={"If-Match": "*"}, seen_by=STAFF),
    "restorePost": Case("trashed", seen_by=STAFF),
}
WEBHOOKS_ARE_ADMINS = "webhooks are the admins' alone: each exists for every admin, others get 403"
# Operations naming objects that no caller is kept from seeing, and why.
NOTHING_HIDDEN = {
    "getUser": "public profiles: every account exists for every caller",
    "updateUserRole": "public profiles: every account exists for every caller",
    "getCategory": "categories are public",
    "updateCategory": "categories are public",
    "deleteCategory": "categories are public",
    "getTag": "tags are public",
    "updateTag": "tags are public",
    "deleteTag": "tags are public",
    "confirmPasswordReset": "a secret token, nobody's object: every unusable one answers alike",
    "getWebhook": WEBHOOKS_ARE_ADMINS,
    "updateWebhook": WEBHOOKS_ARE_ADMINS,
    "deleteWebhook": WEBHOOKS_ARE_ADMINS,
    "rotateWebhookSecret": WEBHOOKS_ARE_ADMINS,
    "listWebhookDeliveries": WEBHOOKS_ARE_ADMINS,
    "redeliverWebhookDelivery": WEBHOOKS_ARE_ADMINS,
}
# Which path parameters each target fills.
TARGET_PARAMETERS = {
    "post": {"postId"},
    "slug": {"slug"},
    "attachment": {"postId", "attachmentId"},
    "session": {"sessionId"},
    "job": {"jobId"},
    "revision": {"postId", "revisionId"},
    "trashed": {"postId"},
}


def missing(target: str) -> dict[str, str]:
    """Path parameters naming nothing at all."""
    if target == "slug":
        return {"slug": f"nothing-here-{uuid.uuid4().hex[:8]}"}
    return {name: str(uuid.uuid4()) for name in TARGET_PARAMETERS[target]}


async def call(
    client: httpx.AsyncClient,
    spec: OperationSpec,
    case: Case,
    parameters: dict[str, str],
    actor: Actor,
) -> httpx.Response:
    path = PATH_PARAMETER.sub(lambda name: parameters[name[1]], spec.path)
    return await client.request(
        spec.method,
        path,
        json=case.json,
        headers={**actor.headers, **case.headers},
    )


def comparable(response: httpx.Response) -> tuple[int, bytes, list[tuple[str, str]]]:
    """Status, body with its trace id blanked, and every header but the trace id and date."""
    trace_id = response.headers["X-Trace-Id"]
    body = response.content.replace(trace_id.encode(), b"<trace-id>")
    headers = sorted(
        (name.lower(), value)
        for name, value in response.headers.multi_items()
        if name.lower() not in UNCOMPARED_HEADERS
    )
    return response.status_code, body, headers


@dataclass
class World:
    """Objects of an owner, made through the API."""

    client: httpx.AsyncClient
    _shared: dict[tuple[str, uuid.UUID | None], dict[str, str]] = field(default_factory=dict)

    async def draft(self, owner: Actor) -> dict[str, Any]:
        # A title of its own: a slug another post of the caller holds would name that post.
        title = f"Hidden draft {uuid.uuid4().hex[:8]}"
        response = await self.client.post("/v1/posts", json={"title": title}, headers=owner.headers)
        created: dict[str, Any] = data(response, 201)
        return created

    async def upload(self, owner: Actor, post_id: str) -> dict[str, Any]:
        response = await self.client.post(
            f"/v1/posts/{post_id}/attachments", json=UPLOAD, headers=owner.headers
        )
        started: dict[str, Any] = data(response, 201)
        return started

    async def session(self, owner: Actor) -> dict[str, str]:
        response = await self.client.post(
            "/v1/sessions", json={"email": owner.email, "password": PASSWORD}
        )
        return {"sessionId": data(response, 201)["id"]}

    async def job(self, owner: Actor) -> dict[str, str]:
        post_id = (await self.draft(owner))["id"]
        started = await self.upload(owner, post_id)
        async with httpx.AsyncClient() as s3:
            sent = await s3.post(
                started["upload"]["url"], data=started["upload"]["fields"], files={"file": PNG}
            )
        assert sent.status_code in {200, 201, 204}, sent.text
        attachment_id = started["attachment"]["id"]
        completed = await self.client.post(
            f"/v1/posts/{post_id}/attachments/{attachment_id}/complete", headers=owner.headers
        )
        job_id: str = data(completed, 202)["jobId"]

        async def read() -> int:
            answer = await self.client.get(f"/v1/jobs/{job_id}", headers=owner.headers)
            return answer.status_code

        await eventually(read, until=lambda status: status == 200)
        return {"jobId": job_id}

    async def hidden(self, target: str, owner: Actor) -> dict[str, str]:
        """Path parameters naming an object of owner's: fresh for posts and attachments (a
        caller the contract shows them to may change them), made once for sessions and jobs
        (which nobody but the owner sees)."""
        if target in {"post", "slug"}:
            post = await self.draft(owner)
            return {"postId": post["id"]} if target == "post" else {"slug": post["slug"]}
        if target == "attachment":
            post_id = (await self.draft(owner))["id"]
            started = await self.upload(owner, post_id)
            return {"postId": post_id, "attachmentId": started["attachment"]["id"]}
        if target == "revision":
            post_id = (await self.draft(owner))["id"]
            path = f"/v1/posts/{post_id}/revisions"
            (first,) = data(await self.client.get(path, headers=owner.headers))
            return {"postId": post_id, "revisionId": first["id"]}
        if target == "trashed":
            post_id = (await self.draft(owner))["id"]
            deleted = await self.client.delete(f"/v1/posts/{post_id}", headers=owner.headers)
            assert deleted.status_code == 204
            return {"postId": post_id}
        makers: dict[str, Callable[[Actor], Awaitable[dict[str, str]]]] = {
            "session": self.session,
            "job": self.job,
        }
        key = (target, owner.user_id)
        if key not in self._shared:
            self._shared[key] = await makers[target](owner)
        return self._shared[key]


def test_every_case_is_an_operation_of_the_contract_that_names_an_object() -> None:
    assert set(CASES).isdisjoint(NOTHING_HIDDEN)
    assert set(CASES) | set(NOTHING_HIDDEN) <= set(NAMED), "stale entries: the contract dropped"
    for operation_id, case in CASES.items():
        named = set(PATH_PARAMETER.findall(NAMED[operation_id].path))
        assert TARGET_PARAMETERS[case.target] == named, operation_id


@pytest.mark.parametrize("operation_id", sorted(set(NAMED) - set(NOTHING_HIDDEN)))
async def test_a_hidden_object_answers_exactly_as_a_missing_one(
    operation_id: str,
    client: httpx.AsyncClient,
    author: Actor,
    other_author: Actor,
    editor: Actor,
    admin: Actor,
) -> None:
    if operation_id not in CASES:
        pytest.fail(
            f"{operation_id} ({NAMED[operation_id].path}) names an object, and this test does "
            "not know how to hide one from a caller: add it to CASES, or to NOTHING_HIDDEN with "
            "the reason no caller is kept from any such object"
        )
    case, spec = CASES[operation_id], NAMED[operation_id]
    callers = {
        "anonymous": ANONYMOUS,
        "author": author,
        "other_author": other_author,
        "editor": editor,
        "admin": admin,
    }
    assert tuple(callers) == KINDS
    world = World(client)
    owners_objects: list[tuple[Actor, dict[str, str]]] = []

    for kind, caller in callers.items():
        # Someone else's: the other author's for the author, the author's for everyone else.
        owner = callers["other_author"] if kind == "author" else callers["author"]
        parameters = await world.hidden(case.target, owner)
        hidden = await call(client, spec, case, parameters, caller)
        absent = await call(client, spec, case, missing(case.target), caller)
        if kind in case.seen_by:
            assert hidden.status_code != 404, (kind, hidden.text)
            continue
        assert comparable(hidden) == comparable(absent), kind
        owners_objects.append((owner, parameters))

    # The hidden objects were real: their owners get something other than 404.
    for owner, parameters in owners_objects:
        answer = await call(client, spec, case, parameters, owner)
        assert answer.status_code != 404, answer.text
        if case.target in {"session", "job"}:
            break  # one object for every caller: the first look settles it


@pytest.mark.parametrize("operation_id", sorted(set(NAMED) & set(NOTHING_HIDDEN)))
def test_the_policy_hides_nothing_an_operation_without_a_case_names(
    operation_id: str, authorizer: Authorizer
) -> None:
    """No object of any type is hidden from any kind of caller for this operation."""
    subjects = [None] + [
        Principal(user_id=uuid.uuid4(), role=role, session_id=uuid.uuid4())
        for role in ("author", "editor", "admin")
    ]
    for principal in subjects:
        for resource_type in ("post", "session", "job", "user", "category"):
            resource = Resource(type=resource_type, owner_id=uuid.uuid4(), status="draft")
            decision = authorizer.decide(
                operation=operation_id, principal=principal, resource=resource
            )
            assert not decision.hide, (operation_id, principal, resource_type)
