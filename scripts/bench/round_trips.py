"""What one request of each kind costs in calls to the services: the inputs of docs/scale.md.

Usage: python -m scripts.bench.round_trips [--repeat N]

Serves the blog app (with its cache, and once more with CACHE_ENABLED=false) against PostgreSQL,
Redis and the AWS emulator, with a counting proxy in front of the emulator. For each kind of
request it sends N of them after one warm-up and prints, per request: Redis commands (INFO
commandstats), database transactions and rows written (pg_stat_database) and AWS calls by
operation. These are counts, not times, so a busy machine does not change them. Everything the
request's outbox delivers after its commit (invalidations, events) is counted with it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import secrets
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import asyncpg
import httpx
import redis

from scripts.bench.bench_cache import served
from scripts.bench.services import quiet_stdout, services
from scripts.contract.contract_test import UNTHROTTLED

# A first request on a loaded machine may take seconds (argon2, a cold connection pool).
HTTP = httpx.Client(timeout=60)
# An idle backend flushes its pg_stat_database counts within 10 s (PostgreSQL 15's
# PGSTAT_IDLE_INTERVAL); a snapshot waits that long.
STATS_SETTLE_SECONDS = 11.0


@dataclass
class AwsCalls:
    seen: Counter[str]
    lock: threading.Lock


def _operation(*, method: str, target: str | None, body: bytes) -> str:
    """The AWS operation: JSON protocols name it in a header, query protocols in the body, and
    what has neither is S3's REST API."""
    if target:
        return target.rpartition(".")[2]
    for part in body.decode(errors="replace").split("&"):
        if part.startswith("Action="):
            return part[len("Action=") :]
    return f"S3 {method}"


@contextlib.contextmanager
def counting_proxy(upstream: str, calls: AwsCalls) -> Iterator[str]:
    target = urlsplit(upstream)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length", 0) or 0)
            body = self.rfile.read(length) if length else b""
            with calls.lock:
                operation = _operation(
                    method=self.command, target=self.headers.get("X-Amz-Target"), body=body
                )
                calls.seen[operation] += 1
            conn = http.client.HTTPConnection(target.hostname or "127.0.0.1", target.port)
            try:
                conn.request(self.command, self.path, body=body, headers=dict(self.headers))
                answer = conn.getresponse()
                payload = answer.read()
            finally:
                conn.close()
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in {"content-length", "transfer-encoding", "connection"}:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@dataclass(frozen=True)
class Snapshot:
    redis_commands: Counter[str]
    transactions: int
    rows_written: int
    aws: Counter[str]


class Meter:
    def __init__(self, *, database_url: str, redis_url: str, calls: AwsCalls) -> None:
        self.database_url = database_url.replace("postgresql+asyncpg://", "postgresql://")
        self.redis = redis.Redis.from_url(redis_url)
        self.calls = calls

    def snapshot(self) -> Snapshot:
        time.sleep(STATS_SETTLE_SECONDS)
        stats = self.redis.info("commandstats")
        commands = Counter(
            {name.removeprefix("cmdstat_"): int(v["calls"]) for name, v in stats.items()}
        )
        row = _pg_stats(self.database_url)
        with self.calls.lock:
            aws = Counter(self.calls.seen)
        return Snapshot(commands, row[0], row[1], aws)


def _pg_stats(url: str) -> tuple[int, int]:
    async def read() -> tuple[int, int]:
        conn = await asyncpg.connect(url)
        try:
            record = await conn.fetchrow(
                "SELECT xact_commit + xact_rollback AS xacts,"
                " tup_inserted + tup_updated + tup_deleted AS written"
                " FROM pg_stat_database WHERE datname = current_database()"
            )
        finally:
            await conn.close()
        assert record is not None
        return int(record["xacts"]), int(record["written"])

    return asyncio.run(read())


@dataclass(frozen=True)
class Cost:
    name: str
    redis: dict[str, float]
    transactions: float
    rows_written: float
    aws: dict[str, float]

    @property
    def redis_commands(self) -> float:
        return sum(self.redis.values())


def _per(after: Counter[str], before: Counter[str], own: Counter[str], n: int) -> dict[str, float]:
    changed = {key: (after[key] - before[key] - own[key]) / n for key in after}
    return {key: value for key, value in changed.items() if value > 0}


class Session:
    """Snapshots in a chain: each one ends a kind's window and starts the next one's."""

    def __init__(self, meter: Meter) -> None:
        self.meter = meter
        first = meter.snapshot()
        self.last = meter.snapshot()
        # What a snapshot itself costs (INFO, the stats query), from a window with nothing sent.
        self.own_redis = self.last.redis_commands - first.redis_commands
        self.own_xacts = self.last.transactions - first.transactions

    def measure(self, name: str, send: Callable[[], None], *, repeat: int) -> Cost:
        send()
        before = self.meter.snapshot()
        for _ in range(repeat):
            send()
        after = self.last = self.meter.snapshot()
        return Cost(
            name=name,
            redis=_per(after.redis_commands, before.redis_commands, self.own_redis, repeat),
            transactions=(after.transactions - before.transactions - self.own_xacts) / repeat,
            rows_written=(after.rows_written - before.rows_written) / repeat,
            aws=_per(after.aws, before.aws, Counter(), repeat),
        )


def _account(base: str) -> dict[str, str]:
    email = f"rt-{secrets.token_hex(4)}@example.com"
    password = secrets.token_urlsafe(16)
    user = {"email": email, "password": password, "displayName": "Meter"}
    HTTP.post(f"{base}/v1/users", json=user).raise_for_status()
    login = HTTP.post(f"{base}/v1/sessions", json={"email": email, "password": password})
    token = login.raise_for_status().json()["data"]["token"]
    return {"Authorization": f"Bearer {token}", "email": email, "password": password}


def costs(base: str, session: Session, *, repeat: int, cached: bool) -> list[Cost]:
    account = _account(base)
    auth = {"Authorization": account["Authorization"]}
    body = {"title": "Measured", "body": "Lorem ipsum. " * 80, "status": "published"}

    def create() -> str:
        """A new post; its id."""
        answer = HTTP.post(
            f"{base}/v1/posts",
            json={**body, "title": f"Measured {uuid.uuid4().hex[:8]}"},
            headers={**auth, "Idempotency-Key": uuid.uuid4().hex},
        )
        post_id: str = answer.raise_for_status().json()["data"]["id"]
        return post_id

    post_id = create()
    etag = {"value": HTTP.get(f"{base}/v1/posts/{post_id}").raise_for_status().headers["ETag"]}

    def created() -> None:
        create()

    def update() -> None:
        answer = HTTP.patch(
            f"{base}/v1/posts/{post_id}",
            json={"title": f"Edited {uuid.uuid4().hex[:8]}"},
            headers={**auth, "If-Match": etag["value"]},
        )
        etag["value"] = answer.raise_for_status().headers["ETag"]

    def read() -> None:
        HTTP.get(f"{base}/v1/posts/{post_id}").raise_for_status()

    def page() -> None:
        HTTP.get(f"{base}/v1/posts?limit=20").raise_for_status()

    def view() -> None:
        # A new viewer each time (its own User-Agent), so every view is counted.
        agent = {"User-Agent": f"meter-{uuid.uuid4().hex}"}
        HTTP.post(f"{base}/v1/posts/{post_id}/views", headers=agent).raise_for_status()

    def login() -> None:
        credentials = {"email": account["email"], "password": account["password"]}
        HTTP.post(f"{base}/v1/sessions", json=credentials).raise_for_status()

    label = "cached" if cached else "uncached"
    kinds: list[tuple[str, Callable[[], None]]] = [
        (f"getPost ({label}, anonymous)", read),
        (f"listPosts limit=20 ({label}, anonymous)", page),
    ]
    if cached:
        kinds += [
            ("createPost", created),
            ("updatePost", update),
            ("recordPostView (counted)", view),
            ("createSession (login)", login),
        ]
    return [session.measure(name, send, repeat=repeat) for name, send in kinds]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    calls = AwsCalls(Counter(), threading.Lock())
    with (
        services() as running,
        counting_proxy(running.env["AWS_ENDPOINT_URL"], calls) as proxy,
    ):
        # The logins measured outnumber one account's limit at one address; the limits are
        # still checked (and their commands counted), only raised past what the run sends.
        env = {**running.env, **UNTHROTTLED, "AWS_ENDPOINT_URL": proxy}
        session = Session(
            Meter(database_url=running.database_url, redis_url=running.redis_url, calls=calls)
        )
        results: list[Cost] = []
        for cached in (True, False):
            with contextlib.ExitStack() as stack:
                with quiet_stdout():
                    app = stack.enter_context(
                        served("app.main:create_app", {**env, "CACHE_ENABLED": str(cached)})
                    )
                base = f"http://{app.host}:{app.port}"
                results += costs(base, session, repeat=args.repeat, cached=cached)
    print(f"per request, mean of {args.repeat} after one warm-up")
    print(f"{'request':40} {'redis':>6} {'db tx':>6} {'rows':>6}  aws calls; redis commands")
    for cost in results:
        aws = ", ".join(f"{op} {n:g}" for op, n in sorted(cost.aws.items())) or "-"
        commands = ", ".join(f"{c} {n:g}" for c, n in sorted(cost.redis.items())) or "-"
        print(
            f"{cost.name:40} {cost.redis_commands:6.1f} {cost.transactions:6.1f}"
            f" {cost.rows_written:6.1f}  {aws}; {commands}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
