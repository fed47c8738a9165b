"""The pre-routing cached read takes what it accepts from the generated routes, never by hand."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from starlette.types import Message, Receive, Scope, Send

from app.http.fastpath import CachedReadMiddleware, cached_reads
from app.platform.cache.entry import Entry
from app.posts import cache as posts_cache
from generated.main import contract_routes

ROOT = Path(__file__).resolve().parents[2]
SLUG_LIMITS = "          maxLength: 120\n          pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$'\n"
SLUG_PATH = "  /v1/posts/by-slug/{slug}:\n"


def keys_for(paths: list[str], reads: list[object]) -> list[str | None]:
    found: list[str | None] = []
    for path in paths:
        keys = [read.key_for(path) for read in reads]  # type: ignore[attr-defined]
        found.append(next((key for key in keys if key is not None), None))
    return found


def test_the_table_holds_the_contracts_post_reads() -> None:
    reads = cached_reads(contract_routes())

    assert [read.operation_id for read in reads] == ["getPostBySlug", "getPost"]


BUILT_PROBE = """
import json, sys
from generated.main import contract_routes
from app.http.fastpath import cached_reads
routes = {route.operation_id: route for route in contract_routes()}
reads = cached_reads(routes.values())
found = [next((k for k in (r.key_for(p) for r in reads) if k), None) for p in sys.argv[1:]]
built = sorted(name for name, route in routes.items() if route.built)
print(json.dumps({"found": found, "built": built}))
"""


def test_a_route_is_built_only_when_a_path_first_matches_it() -> None:
    # A process of its own: this one's routes are built by the tests before.
    post_id = uuid.uuid4()

    def probe(*paths: str) -> dict[str, list[str | None]]:
        result = subprocess.run(
            [sys.executable, "-c", BUILT_PROBE, *paths],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        answer: dict[str, list[str | None]] = json.loads(result.stdout)
        return answer

    unmatched = probe("/health", "/v1/posts", f"/v1/posts/{post_id}/views")
    matched = probe("/health", f"/v1/posts/{post_id}")

    assert unmatched == {"found": [None, None, None], "built": []}
    assert matched == {"found": [None, posts_cache.by_id(post_id)], "built": ["getPost"]}


def test_paths_the_router_refuses_are_left_to_the_router() -> None:
    reads: list[object] = list(cached_reads(contract_routes()))
    post_id = uuid.uuid4()

    found = keys_for(
        [
            "/v1/posts/by-slug/" + "a" * 121,
            "/v1/posts/by-slug/Not_A_Slug",
            "/v1/posts/by-slug/a--b",
            "/v1/posts/not-a-uuid",
            f"/v1/posts/{post_id}/views",
            "/v1/posts/by-slug/" + "a" * 120,
            f"/v1/posts/{post_id.hex}",
        ],
        reads,
    )

    assert found == [
        None,
        None,
        None,
        None,
        None,
        posts_cache.by_slug("a" * 120),
        posts_cache.by_id(post_id),
    ]


PROBE = """
import json, sys
from generated.main import contract_routes
from app.http.fastpath import cached_reads
reads = cached_reads(contract_routes())
paths = json.loads(sys.argv[1])
print(json.dumps([next((k for k in (r.key_for(p) for r in reads) if k), None) for p in paths]))
"""


def test_a_change_to_the_contracts_slug_reaches_the_fast_path(tmp_path: Path) -> None:
    spec = (ROOT / "docs" / "spec.md").read_text()
    # The slug path parameter's own limits: other schemas (Post, Category) repeat them.
    head, path_item, rest = spec.partition(SLUG_PATH)
    parameters, operations = rest.split("    get:\n", 1)
    assert path_item
    assert parameters.count(SLUG_LIMITS) == 1
    narrower = "          maxLength: 8\n          pattern: '^[a-z]+$'\n"
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "spec.md").write_text(
        head + path_item + parameters.replace(SLUG_LIMITS, narrower) + "    get:\n" + operations
    )
    shutil.copytree(ROOT / "scripts", tmp_path / "scripts")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    subprocess.run(
        ["bash", "scripts/codegen/gen.sh", "."], cwd=tmp_path, env=env, check=True, timeout=120
    )
    paths = ["/v1/posts/by-slug/abcdefgh", "/v1/posts/by-slug/abcdefghi", "/v1/posts/by-slug/a1"]

    probe = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(paths)],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": f"{tmp_path}:{ROOT}"},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )

    assert json.loads(probe.stdout) == [posts_cache.by_slug("abcdefgh"), None, None]


async def test_a_head_hit_is_the_get_hit_without_its_body(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = Entry.of_body(b'{"success":true,"data":{"id":"x"},"error":null}')

    async def hit(**_: object) -> Entry:
        return entry

    async def unreachable(scope: Scope, receive: Receive, send: Send) -> None:
        raise AssertionError("a hit is answered before routing")

    monkeypatch.setattr(posts_cache, "cached_read", hit)
    middleware = CachedReadMiddleware(unreachable, routes=contract_routes())
    resources = SimpleNamespace(cache=SimpleNamespace(enabled=True), authorizer=None)
    answers = {}
    for method in ("GET", "HEAD"):
        sent: list[Message] = []

        async def send(message: Message) -> None:
            sent.append(message)  # noqa: B023

        async def receive() -> Message:
            return {"type": "http.request", "body": b""}

        scope: Scope = {
            "type": "http",
            "method": method,
            "path": f"/v1/posts/{uuid.uuid4()}",
            "headers": [],
            "state": {"resources": resources},
        }
        await middleware(scope, receive, send)
        start, body = sent
        answers[method] = (start["status"], start["headers"], body["body"])

    assert answers["GET"][2] == entry.body
    assert answers["HEAD"] == (*answers["GET"][:2], b"")
    assert (b"content-length", str(len(entry.body)).encode()) in answers["HEAD"][1]
