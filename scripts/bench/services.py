"""What every benchmark runs against: PostgreSQL, Redis and the AWS emulator, the schema migrated.

PostgreSQL and Redis are the ones TEST_DATABASE_URL and TEST_REDIS_URL name, else started here;
a started Redis shares the load generator's core (it runs on another host in production). The
emulator serves on loopback in this process. `services()` yields the environment a served app
needs to reach them, with a fresh pepper and the app's logs down to warnings.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from app.settings import Settings
from scripts.dev.aws_emulator import aws_emulator
from tests.fixtures.services import RedisProcess, free_port, given_or_started, postgres_server

ROOT = Path(__file__).resolve().parents[2]
SERVER_CPU, CLIENT_CPU = 0, 1


@dataclass(frozen=True)
class Services:
    env: dict[str, str]
    database_url: str
    redis_url: str


@contextlib.contextmanager
def redis_off_the_server_core() -> Iterator[str]:
    server = RedisProcess()
    server.start()
    assert server.process is not None
    os.sched_setaffinity(server.process.pid, {CLIENT_CPU})
    try:
        yield server.url
    finally:
        server.stop()


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    """Servers started in here inherit /dev/null as stdout: the app's metric line per request
    is still written, but not into the report."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "wb") as devnull:
        os.dup2(devnull.fileno(), 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


@contextlib.contextmanager
def services() -> Iterator[Services]:
    pepper = secrets.token_urlsafe(48)
    with (
        given_or_started("TEST_DATABASE_URL", postgres_server) as database_url,
        given_or_started("TEST_REDIS_URL", redis_off_the_server_core) as redis_url,
        aws_emulator(free_port(), Settings(token_pepper=pepper)) as aws_env,
    ):
        env = {
            **os.environ,
            **aws_env,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "TOKEN_PEPPER": pepper,
            "LOG_LEVEL": "WARNING",
        }
        subprocess.run(
            [sys.executable, "-m", "alembic", "upgrade", "head"], env=env, cwd=ROOT, check=True
        )
        yield Services(env, database_url, redis_url)
