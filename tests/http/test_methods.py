"""HEAD and OPTIONS on every path of the contract (RFC 9110), and 405 for the rest.

The operations and paths come from the contract itself (spec/openapi.yaml), not from the
generated routes, so a new GET operation or path is checked here without touching this file,
unless its path names a parameter SAMPLES does not know how to fill.

HEAD is compared with GET at the ASGI level: httpx drops the body of a HEAD answer itself, so
only the messages the app sends can show that it sent none.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from starlette.types import ASGIApp, Message

from tests.attachments import samples
from tests.fixtures.actors import ANONYMOUS, Actor
from tests.helpers import assert_error, data, eventually

ROOT = Path(__file__).resolve().parents[2]
SPEC: dict[str, Any] = yaml.safe_load((ROOT / "spec" / "openapi.yaml").read_text())
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PARAMETER = re.compile(r"\{(\w+)\}")
PNG = samples.png(8, 8)
# Differ between any two answers.
UNCOMPARED = {"x-trace-id", "date"}


def declared(item: dict[str, Any]) -> set[str]:
    return {method.upper() for method in item if method in METHODS}


def allow_of(item: dict[str, Any]) -> set[str]:
    """What Allow must list for a path item: its methods, HEAD beside GET, and OPTIONS."""
    methods = declared(item) | {"OPTIONS"}
    return methods | {"HEAD"} if "GET" in methods else methods


GETS = sorted(
    (item["get"]["operationId"], path) for path, item in SPEC["paths"].items() if "get" in item
)
PATHS = sorted(SPEC["paths"])


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    # Whether any body message carried bytes (a HEAD answer must send none at all).
    sent_bytes: bool

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key == name), None)

    def comparable(self) -> tuple[int, list[tuple[str, str]]]:
        return self.status, sorted(h for h in self.headers if h[0] not in UNCOMPARED)


def asgi_app(client: httpx.AsyncClient) -> ASGIApp:
    """The app behind the test client, lifespan state included."""
    transport = client._transport
    assert isinstance(transport, httpx.ASGITransport)
    return transport.app


async def raw(
    client: httpx.AsyncClient, method: str, path: str, headers: dict[str, str] | None = None
) -> Answer:
    """One request straight to the ASGI app, and every message it sent back."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"test")]
        + [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        "client": ("127.0.0.1", 50000),
        "server": ("test", 80),
    }
    sent: list[Message] = []
    requested = False

    async def receive() -> Message:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    await asgi_app(client)(scope, receive, send)
    (start,) = [m for m in sent if m["type"] == "http.response.start"]
    bodies = [m.get("body", b"") for m in sent if m["type"] == "http.response.body"]
    assert bodies, "no http.response.body message"
    return Answer(
        status=start["status"],
        headers=[(k.decode().lower(), v.decode()) for k, v in start.get("headers", [])],
        body=b"".join(bodies),
        sent_bytes=any(bodies),
    )


@dataclass
class Samples:
    """Path parameters naming real objects of one owner, made on demand through the API."""

    client: httpx.AsyncClient
    owner: Actor
    editor: Actor
    admin: Actor
    _made: dict[str, str] = field(default_factory=dict)

    async def post(self) -> dict[str, str]:
        response = await self.client.post(
            "/v1/posts",
            json={"title": f"Head {uuid.uuid4().hex[:8]}", "status": "published"},
            headers=self.owner.headers,
        )
        post = data(response, 201)
        return {"postId": post["id"], "slug": post["slug"]}

    async def category(self) -> dict[str, str]:
        name = f"Head {uuid.uuid4().hex[:8]}"
        response = await self.client.post(
            "/v1/categories", json={"name": name}, headers=self.editor.headers
        )
        return {"categoryId": data(response, 201)["id"]}

    async def tag(self) -> dict[str, str]:
        name = f"Head {uuid.uuid4().hex[:8]}"
        response = await self.client.post(
            "/v1/tags", json={"name": name}, headers=self.editor.headers
        )
        return {"tagId": data(response, 201)["id"]}

    async def revision(self) -> dict[str, str]:
        post_id = await self.value("postId")
        response = await self.client.get(
            f"/v1/posts/{post_id}/revisions", headers=self.owner.headers
        )
        return {"revisionId": data(response)[0]["id"]}

    async def webhook(self) -> dict[str, str]:
        response = await self.client.post(
            "/v1/webhooks",
            json={"url": "https://hooks.example.com/blog", "eventTypes": ["post.published"]},
            headers=self.admin.headers,
        )
        return {"webhookId": data(response, 201)["id"]}

    async def user(self) -> dict[str, str]:
        return {"userId": str(self.owner.user_id)}

    async def job(self) -> dict[str, str]:
        post_id = await self.value("postId")
        upload = {"filename": "pic.png", "contentType": "image/png", "size": len(PNG)}
        started = data(
            await self.client.post(
                f"/v1/posts/{post_id}/attachments", json=upload, headers=self.owner.headers
            ),
            201,
        )
        async with httpx.AsyncClient() as s3:
            sent = await s3.post(
                started["upload"]["url"], data=started["upload"]["fields"], files={"file": PNG}
            )
        assert sent.status_code in {200, 201, 204}, sent.text
        attachment_id = started["attachment"]["id"]
        completed = await self.client.post(
            f"/v1/posts/{post_id}/attachments/{attachment_id}/complete",
            headers=self.owner.headers,
        )
        job_id: str = data(completed, 202)["jobId"]

        async def read() -> int:
            answer = await self.client.get(f"/v1/jobs/{job_id}", headers=self.owner.headers)
            return answer.status_code

        await eventually(read, until=lambda status: status == 200)
        return {"jobId": job_id}

    def makers(self) -> dict[str, Callable[[], Awaitable[dict[str, str]]]]:
        return {
            "postId": self.post,
            "slug": self.post,
            "categoryId": self.category,
            "userId": self.user,
            "jobId": self.job,
            "tagId": self.tag,
            "revisionId": self.revision,
            "webhookId": self.webhook,
        }

    async def value(self, name: str) -> str:
        if name not in self._made:
            maker = self.makers().get(name)
            if maker is None:
                pytest.fail(
                    f"no sample for the path parameter {{{name}}}: add a maker to Samples, so "
                    "HEAD is compared with GET on a real object"
                )
            self._made.update(await maker())
        return self._made[name]

    async def path(self, template: str) -> str:
        values = {name: await self.value(name) for name in PARAMETER.findall(template)}
        return PARAMETER.sub(lambda match: values[match[1]], template)


def dummy_path(template: str) -> str:
    """A path of the template that names nothing: OPTIONS and 405 do not look the object up."""
    values = {"slug": "no-such-slug", "token": "t" * 32}
    return PARAMETER.sub(lambda m: values.get(m[1], str(uuid.uuid4())), template)


def assert_head_is_get(head: Answer, get: Answer) -> None:
    assert head.comparable() == get.comparable()
    assert not head.sent_bytes, head.body[:200]
    length = head.header("content-length")
    assert length is None or int(length) == len(get.body)


@pytest.mark.parametrize(("operation_id", "template"), GETS, ids=[g[0] for g in GETS])
async def test_every_get_operation_answers_head_as_get_without_a_body(
    operation_id: str,
    template: str,
    client: httpx.AsyncClient,
    author: Actor,
    editor: Actor,
    admin: Actor,
) -> None:
    path = await Samples(client, owner=author, editor=editor, admin=admin).path(template)
    # Webhooks are the admins' alone; every other read is open to the author of its objects.
    reader = admin if template.startswith("/v1/webhooks") else author

    for caller in (reader, ANONYMOUS):
        # The first HEAD is a cold read, the second one may be answered from the cache.
        cold = await raw(client, "HEAD", path, caller.headers)
        get = await raw(client, "GET", path, caller.headers)
        warm = await raw(client, "HEAD", path, caller.headers)

        if caller is reader:
            assert get.status == 200, (operation_id, get.body[:300])
        assert get.body, operation_id
        assert_head_is_get(cold, get)
        assert_head_is_get(warm, get)

        etag = get.header("etag")
        if etag is not None:
            revalidate = {**caller.headers, "If-None-Match": etag}
            get = await raw(client, "GET", path, revalidate)
            head = await raw(client, "HEAD", path, revalidate)
            assert get.status == 304
            assert_head_is_get(head, get)


@pytest.mark.parametrize("template", PATHS)
async def test_options_answers_204_with_the_paths_methods(
    template: str, client: httpx.AsyncClient
) -> None:
    answer = await raw(client, "OPTIONS", dummy_path(template))

    assert answer.status == 204
    assert not answer.sent_bytes
    allow = answer.header("allow")
    assert allow is not None
    assert set(allow.replace(" ", "").split(",")) == allow_of(SPEC["paths"][template])
    # Answered for anyone: no credentials, no policy, nothing looked up.
    with_garbage = await raw(
        client, "OPTIONS", dummy_path(template), {"Authorization": "Bearer nonsense"}
    )
    assert (with_garbage.status, with_garbage.header("allow")) == (204, allow)


@pytest.mark.parametrize("template", PATHS)
async def test_a_method_a_path_lacks_answers_405_with_the_envelope_and_allow(
    template: str, client: httpx.AsyncClient
) -> None:
    item = SPEC["paths"][template]
    allowed = allow_of(item)
    path = dummy_path(template)
    for method in sorted({"GET", "POST", "PUT", "PATCH", "DELETE", "TRACE"} - allowed):
        response = await client.request(method, path)
        assert_error(response, 405, "METHOD_NOT_ALLOWED")
        assert set(response.headers["Allow"].replace(" ", "").split(",")) == allowed, method
    if "GET" not in declared(item):
        # HEAD stands for a GET the path does not have: the 405 without its body.
        head = await raw(client, "HEAD", path)
        assert head.status == 405
        assert not head.sent_bytes
        assert set((head.header("allow") or "").replace(" ", "").split(",")) == allowed
        assert int(head.header("content-length") or 0) > 0


async def test_paths_outside_the_contract_are_left_to_the_router(
    client: httpx.AsyncClient,
) -> None:
    assert_error(await client.options("/v1/nope"), 404, "NOT_FOUND")
    document = await raw(client, "HEAD", "/openapi.json")
    assert document.status == 200
    assert not document.sent_bytes
    assert int(document.header("content-length") or 0) > 0
    refused = await client.post("/openapi.json")
    assert_error(refused, 405, "METHOD_NOT_ALLOWED")
    assert set(refused.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}
