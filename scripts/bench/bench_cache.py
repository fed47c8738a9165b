"""Throughput and latency of a cached post read, against a bare FastAPI endpoint and no cache.

Usage: python -m scripts.bench.bench_cache [--connections N] [--seconds S]

Serves on loopback with one uvicorn worker pinned to the first core (Redis on the second): a bare
FastAPI app that answers the post's JSON (once from a dict, once from ready bytes), the blog app
with the cache, the same with CACHE_L1_ENABLED=false (a Redis round trip per hit), and the blog
app with CACHE_ENABLED=false. The load generator runs here, pinned
to the second core, with keep-alive connections each sending one request at a time. PostgreSQL
and Redis are started unless TEST_DATABASE_URL and TEST_REDIS_URL are set. Not a test: it prints
requests per second, p50, p99 and the ratios to the bare endpoint, and the server's CPU time per
request (read from /proc, so Linux only).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from starlette.responses import Response

from scripts.bench.services import CLIENT_CPU, ROOT, SERVER_CPU, quiet_stdout, services
from tests.fixtures.services import free_port

BIN = Path(sys.executable).parent
# Registration hashes a password: on a busy shared machine that outlasts httpx's 5 s default.
SETUP_TIMEOUT = 30.0


def bare_app() -> FastAPI:
    """The ceiling: a FastAPI route answering the same JSON with no middleware or dependencies."""
    raw = os.environ["BENCH_BODY"].encode()
    payload = json.loads(raw)
    app = FastAPI()

    @app.get("/dict")
    async def from_dict() -> dict[str, Any]:
        return payload  # type: ignore[no-any-return]

    @app.get("/bytes")
    async def from_bytes() -> Response:
        return Response(raw, media_type="application/json")

    return app


def _pin_server() -> None:
    os.sched_setaffinity(0, {SERVER_CPU})


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    pid: int


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def served(factory: str, env: dict[str, str]) -> Iterator[Server]:
    port = free_port()
    command = [
        *(str(BIN / "uvicorn"), "--factory", factory),
        *("--host", "127.0.0.1", "--port", str(port)),
        *("--no-access-log", "--log-level", "warning"),
    ]
    process = subprocess.Popen(command, env=env, cwd=ROOT, preexec_fn=_pin_server)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            time.sleep(0.2)
        yield Server("127.0.0.1", port, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=20)


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    latencies: list[float]
    server_cpu: float

    @property
    def cpu_us(self) -> float:
        """Server CPU time per request: what other load on the machine changes least."""
        return self.server_cpu / self.requests * 1e6

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, q: int) -> float:
        return statistics.quantiles(self.latencies, n=100)[q - 1] * 1000


async def _connection(
    host: str, port: int, request: bytes, until: float, record_from: float, latencies: list[float]
) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    done = 0
    try:
        while (now := time.perf_counter()) < until:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                raise SystemExit(f"unexpected answer: {head[:60]!r}")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            if now >= record_from:
                latencies.append(time.perf_counter() - now)
                done += 1
    finally:
        writer.close()
    return done


async def _cpu_between(pid: int, start: float, end: float) -> float:
    await asyncio.sleep(start - time.perf_counter())
    before = cpu_seconds(pid)
    await asyncio.sleep(end - time.perf_counter())
    return cpu_seconds(pid) - before


async def load(name: str, server: Server, path: str, *, connections: int, seconds: float) -> Result:
    host, port = server.host, server.port
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\n\r\n".encode()
    warmup = 1.0
    start = time.perf_counter()
    record_from, until = start + warmup, start + warmup + seconds
    latencies: list[float] = []
    cpu = asyncio.create_task(_cpu_between(server.pid, record_from, until))
    counts = await asyncio.gather(
        *(
            _connection(host, port, request, until, record_from, latencies)
            for _ in range(connections)
        )
    )
    if sum(counts) == 0:
        raise SystemExit(f"{name}: no request started and answered within the {seconds:.0f} s")
    return Result(name, sum(counts), seconds, latencies, await cpu)


def prepare_post(base: str) -> str:
    email = f"bench-{secrets.token_hex(4)}@example.com"
    password = secrets.token_urlsafe(16)
    user = {"email": email, "password": password, "displayName": "Bench"}
    httpx.post(f"{base}/v1/users", json=user, timeout=SETUP_TIMEOUT).raise_for_status()
    login = httpx.post(
        f"{base}/v1/sessions",
        json={"email": email, "password": password},
        timeout=SETUP_TIMEOUT,
    )
    token = login.raise_for_status().json()["data"]["token"]
    body = {"title": "A post worth caching", "body": "Lorem ipsum. " * 80, "status": "published"}
    created = httpx.post(
        f"{base}/v1/posts",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=SETUP_TIMEOUT,
    ).raise_for_status()
    post_id: str = created.json()["data"]["id"]
    return post_id


def _best(runs: list[Result]) -> Result:
    """The median round by throughput: other work on a shared machine only ever slows a round."""
    return sorted(runs, key=lambda r: r.rps)[len(runs) // 2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.sched_setaffinity(0, {CLIENT_CPU})
    with services() as running, contextlib.ExitStack() as stack:
        env = running.env
        with quiet_stdout():
            cached = stack.enter_context(served("app.main:create_app", env))
            redis_only = stack.enter_context(
                served("app.main:create_app", {**env, "CACHE_L1_ENABLED": "false"})
            )
            uncached = stack.enter_context(
                served("app.main:create_app", {**env, "CACHE_ENABLED": "false"})
            )
        base = f"http://{cached.host}:{cached.port}"
        post_id = prepare_post(base)
        path = f"/v1/posts/{post_id}"
        body = httpx.get(f"{base}{path}").raise_for_status().content
        with quiet_stdout():
            bare = stack.enter_context(
                served("scripts.bench.bench_cache:bare_app", {**env, "BENCH_BODY": body.decode()})
            )
        targets = [
            ("bare FastAPI (bytes)", bare, "/bytes"),
            ("bare FastAPI (dict)", bare, "/dict"),
            ("cached GET /v1/posts/{postId}", cached, path),
            ("cached, L1 off (Redis each hit)", redis_only, path),
            ("uncached GET /v1/posts/{postId}", uncached, path),
        ]
        # One request each first: a server's first read loads what it needs (the database
        # layer for the uncached one), which is the cold start's cost, not this one's.
        for _, server, target_path in targets:
            httpx.get(f"http://{server.host}:{server.port}{target_path}").raise_for_status()
        runs: dict[str, list[Result]] = {name: [] for name, _, _ in targets}
        # Rounds interleave the targets, so drift in the machine's load hits them alike.
        for _ in range(args.rounds):
            for name, server, target_path in targets:
                result = asyncio.run(
                    load(
                        name,
                        server,
                        target_path,
                        connections=args.connections,
                        seconds=args.seconds,
                    )
                )
                runs[name].append(result)
    results = [_best(runs[name]) for name, _, _ in targets]
    cpu = {name: statistics.median(r.cpu_us for r in runs[name]) for name, _, _ in targets}
    bare_bytes, bare_dict = results[0], results[1]
    print(
        f"{args.connections} connections, median of {args.rounds} interleaved rounds of "
        f"{args.seconds:.0f} s, one uvicorn worker per app on CPU {SERVER_CPU}, load generator "
        f"on CPU {CLIENT_CPU}, body {len(body)} bytes"
    )
    print(
        f"{'target':34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'÷bytes':>7} {'÷dict':>7}"
        f" {'cpu us':>7} {'dict cpu÷':>9}"
    )
    for r in results:
        print(
            f"{r.name:34} {r.rps:8.0f} {r.percentile(50):8.2f} {r.percentile(99):8.2f} "
            f"{r.rps / bare_bytes.rps:7.2f} {r.rps / bare_dict.rps:7.2f}"
            f" {cpu[r.name]:7.0f} {cpu[bare_dict.name] / cpu[r.name]:9.2f}"
        )
    print(
        "cpu us: the server's CPU time per request (median of the rounds); dict cpu÷: the bare "
        "dict endpoint's CPU per request over this target's, the throughput ratio a CPU-bound "
        "server would show. Other load on a shared machine moves it less than req/s."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
