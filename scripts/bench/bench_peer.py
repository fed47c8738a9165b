"""The blog app without its cache against a code-first peer: a post read, createPost, updatePost.

Usage: python -m scripts.bench.bench_peer [--connections N] [--seconds S] [--rounds R]

Serves the blog app with CACHE_ENABLED=false and the peer (scripts/bench/peer_app.py) on the
same migrated PostgreSQL, Redis and AWS emulator, with bench_cache's harness: one uvicorn worker
each on the first core, the load generator on the second, keep-alive connections each sending
one request at a time, rounds interleaving every target. Every write is a distinct valid write:
createPost sends a unique title, updatePost edits a pool of posts per connection in turn with
the ETag of its last answer as If-Match. Any answer but a 2xx stops the run. The writes' rate
limit is raised past what the run sends: the app still checks it on every write. The post's view
count is read as each side reads it: the peer with a GetItem per request, the app from the
counter's hash in Redis, seeded by one GetItem on the post's first read (docs/cache.md, "View
counts"); CACHE_ENABLED=false turns off the post cache, not the counter.

Not a test: it prints req/s, p50, p99 and the server's CPU time per request of each, and the
ratios app/peer (above 1.00 the app is ahead in req/s; below 1.00 it is ahead in latency and
CPU).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import secrets
import statistics
import sys
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from scripts.bench.bench_cache import (
    Result,
    Server,
    _best,
    _cpu_between,
    load,
    prepare_post,
    served,
)
from scripts.bench.services import CLIENT_CPU, SERVER_CPU, quiet_stdout, services

TARGETS = ("app", "peer")
OPERATIONS = ("GET /v1/posts/{postId}", "createPost", "updatePost")
POOL_PER_CONNECTION = 4
BODY = "Lorem ipsum. " * 80


def sign_up(base: str) -> str:
    """A new author's bearer token."""
    email = f"bench-{secrets.token_hex(4)}@example.com"
    password = secrets.token_urlsafe(16)
    user = {"email": email, "password": password, "displayName": "Bench"}
    httpx.post(f"{base}/v1/users", json=user).raise_for_status()
    login = httpx.post(f"{base}/v1/sessions", json={"email": email, "password": password})
    token: str = login.raise_for_status().json()["data"]["token"]
    return token


def _request(method: str, host: str, path: str, headers: dict[str, str], body: object) -> bytes:
    payload = json.dumps(body).encode()
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Accept: application/json"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}", "", ""]
    return "\r\n".join(lines).encode() + payload


def _header(head: bytes, name: bytes) -> bytes | None:
    for line in head.split(b"\r\n"):
        key, _, value = line.partition(b":")
        if key.strip().lower() == name:
            return value.strip()
    return None


@dataclass
class Writes:
    """What one connection sends next, and what it learns from each answer."""

    next_request: Callable[[], bytes]
    answered: Callable[[bytes], None] = lambda head: None


@dataclass
class Pool:
    """Posts one connection edits in turn, each with the ETag of its last answer."""

    ids: list[str]
    etags: dict[str, str]
    turn: Iterator[str] = field(init=False)
    current: str = ""

    def __post_init__(self) -> None:
        self.turn = itertools.cycle(self.ids)


async def _write_connection(
    host: str, port: int, writes: Writes, until: float, record_from: float, latencies: list[float]
) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    done = 0
    try:
        while (now := time.perf_counter()) < until:
            writer.write(writes.next_request())
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(_header(head, b"content-length") or 0)
            body = await reader.readexactly(length)
            if not head.startswith(b"HTTP/1.1 2"):
                raise SystemExit(f"unexpected answer: {head[:60]!r} {body[:300]!r}")
            writes.answered(head)
            if now >= record_from:
                latencies.append(time.perf_counter() - now)
                done += 1
    finally:
        writer.close()
    return done


async def load_writes(
    name: str, server: Server, connections: list[Writes], *, seconds: float
) -> Result:
    """As bench_cache.load, with each connection's own sequence of requests."""
    warmup = 1.0
    start = time.perf_counter()
    record_from, until = start + warmup, start + warmup + seconds
    latencies: list[float] = []
    cpu = asyncio.create_task(_cpu_between(server.pid, record_from, until))
    counts = await asyncio.gather(
        *(
            _write_connection(server.host, server.port, w, until, record_from, latencies)
            for w in connections
        )
    )
    return Result(name, sum(counts), seconds, latencies, await cpu)


def creates(server: Server, *, target: str, token: str, connections: int) -> list[Writes]:
    serial = itertools.count()
    headers = {"Authorization": f"Bearer {token}"}

    def next_request() -> bytes:
        title = f"Bench {target} {secrets.token_hex(4)} {next(serial)}"
        body = {"title": title, "body": BODY}
        return _request("POST", server.host, "/v1/posts", headers, body)

    return [Writes(next_request) for _ in range(connections)]


def pools(server: Server, *, target: str, token: str, connections: int) -> list[Pool]:
    """POOL_PER_CONNECTION fresh posts per connection, created through the target itself."""
    base, auth = f"http://{server.host}:{server.port}", {"Authorization": f"Bearer {token}"}
    made: list[Pool] = []
    with httpx.Client(base_url=base, headers=auth) as client:
        for c in range(connections):
            ids, etags = [], {}
            for p in range(POOL_PER_CONNECTION):
                title = f"Pool {target} {secrets.token_hex(4)} {c} {p}"
                answer = client.post("/v1/posts", json={"title": title, "body": BODY})
                post_id = answer.raise_for_status().json()["data"]["id"]
                ids.append(post_id)
                etags[post_id] = answer.headers["ETag"]
            made.append(Pool(ids, etags))
    return made


def updates(server: Server, *, token: str, pools: list[Pool]) -> list[Writes]:
    serial = itertools.count()

    def writes(pool: Pool) -> Writes:
        def next_request() -> bytes:
            pool.current = next(pool.turn)
            headers = {"Authorization": f"Bearer {token}", "If-Match": pool.etags[pool.current]}
            body = {"title": f"Edited {secrets.token_hex(4)} {next(serial)}"}
            return _request("PATCH", server.host, f"/v1/posts/{pool.current}", headers, body)

        def answered(head: bytes) -> None:
            etag = _header(head, b"etag")
            if etag is None:
                raise SystemExit("updatePost answered without an ETag")
            pool.etags[pool.current] = etag.decode()

        return Writes(next_request, answered)

    return [writes(pool) for pool in pools]


def _run(
    args: argparse.Namespace, servers: dict[str, Server], post_id: str
) -> dict[str, list[Result]]:
    tokens = {t: sign_up(f"http://{servers['app'].host}:{servers['app'].port}") for t in TARGETS}
    pooled = {
        t: pools(servers[t], target=t, token=tokens[t], connections=args.connections)
        for t in TARGETS
    }
    n, seconds = args.connections, args.seconds

    def job(operation: str, target: str) -> Coroutine[Any, Any, Result]:
        server, token, name = servers[target], tokens[target], f"{target} {operation}"
        if operation == "createPost":
            writes = creates(server, target=target, token=token, connections=n)
            return load_writes(name, server, writes, seconds=seconds)
        if operation == "updatePost":
            writes = updates(server, token=token, pools=pooled[target])
            return load_writes(name, server, writes, seconds=seconds)
        return load(name, server, f"/v1/posts/{post_id}", connections=n, seconds=seconds)

    runs: dict[str, list[Result]] = {}
    # Rounds interleave the targets, so drift in the machine's load hits them alike.
    for _ in range(args.rounds):
        for operation in OPERATIONS:
            for target in TARGETS:
                result = asyncio.run(job(operation, target))
                runs.setdefault(f"{operation}|{target}", []).append(result)
    return runs


def same_post(app_body: bytes, peer_body: bytes) -> None:
    """The peer must answer the app's fields with the app's values, or the race is not fair."""
    app, peer = json.loads(app_body), json.loads(peer_body)
    if app != peer:
        raise SystemExit(f"the peer's post differs from the app's:\n{app}\n{peer}")


def _report(args: argparse.Namespace, runs: dict[str, list[Result]], body_bytes: int) -> None:
    print(
        f"{args.connections} connections, median of {args.rounds} interleaved rounds of "
        f"{args.seconds:.0f} s, one uvicorn worker per app on CPU {SERVER_CPU}, load generator "
        f"on CPU {CLIENT_CPU}; app with CACHE_ENABLED=false; post body {body_bytes} bytes"
    )
    print(f"{'operation':24} {'target':6} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'cpu us':>8}")
    for operation in OPERATIONS:
        best, cpu = {}, {}
        for target in TARGETS:
            rounds = runs[f"{operation}|{target}"]
            best[target] = r = _best(rounds)
            cpu[target] = statistics.median(x.cpu_us for x in rounds)
            print(
                f"{operation:24} {target:6} {r.rps:8.0f} {r.percentile(50):8.2f} "
                f"{r.percentile(99):8.2f} {cpu[target]:8.0f}"
            )
        app, peer = best["app"], best["peer"]
        print(
            f"{operation:24} {'÷':6} {app.rps / peer.rps:8.2f} "
            f"{app.percentile(50) / peer.percentile(50):8.2f} "
            f"{app.percentile(99) / peer.percentile(99):8.2f} {cpu['app'] / cpu['peer']:8.2f}"
        )
    print(
        "÷: app over peer. cpu us: the server's CPU time per request (median of the rounds); "
        "its ratio is the throughput ratio a CPU-bound server would show, inverted."
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.sched_setaffinity(0, {CLIENT_CPU})
    with services() as running, contextlib.ExitStack() as stack:
        env = {
            **running.env,
            "CACHE_ENABLED": "false",
            "RATELIMIT_WRITES_PER_USER": "1000000000/60",
        }
        with quiet_stdout():
            servers = {
                "app": stack.enter_context(served("app.main:create_app", env)),
                "peer": stack.enter_context(served("scripts.bench.peer_app:create_app", env)),
            }
        app_base = f"http://{servers['app'].host}:{servers['app'].port}"
        post_id = prepare_post(app_base)
        body = httpx.get(f"{app_base}/v1/posts/{post_id}").raise_for_status().content
        peer_base = f"http://{servers['peer'].host}:{servers['peer'].port}"
        same_post(body, httpx.get(f"{peer_base}/v1/posts/{post_id}").raise_for_status().content)
        runs = _run(args, servers, post_id)
    _report(args, runs, len(body))
    return 0


if __name__ == "__main__":
    sys.exit(main())
