"""Schemathesis over the whole contract against the app served the way the container serves it.

Starts PostgreSQL and Redis (unless TEST_DATABASE_URL and TEST_REDIS_URL are set) and an AWS
emulator, migrates the database, serves the app with uvicorn on loopback with rate limits too high
for the fuzzer to meet, makes an admin account, and runs every check and the stateful phase.
Operations that still answer 501 are left out. Exits with schemathesis' status; the JUnit report
goes to reports/schemathesis/.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import yaml

from app.settings import Settings
from scripts.dev.aws_emulator import aws_emulator
from tests.fixtures.services import free_port, given_or_started, postgres_server, redis_server

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = secrets.token_urlsafe(16)
METHODS = {"get", "post", "put", "patch", "delete"}
HEALTH_PATH = "/health"


def serve_command(port: int) -> list[str]:
    """How the container starts the app (the Dockerfile's CMD, checked by a test)."""
    return [
        "uvicorn",
        "--factory",
        "app.main:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        # The app applies FORWARDED_ALLOW_IPS itself (app/http/middleware.py).
        "--no-proxy-headers",
    ]


def image_env(cache_dir: Path) -> dict[str, str]:
    """The settings the container image fixes, with this checkout's paths."""
    return {
        "ENVIRONMENT": "lambda",
        "DATABASE_POOL_SIZE": "1",
        "DATABASE_MAX_OVERFLOW": "0",
        "OPA_BUNDLE_PATH": str(ROOT / "opa" / "build"),
        "OPA_CACHE_DIR": str(cache_dir),
    }


# The image's ENVIRONMENT is a deployment's, which refuses to start with what runs on this machine
# instead of AWS (the emulator, a pepper in the environment; app/settings.py): runs here are local.
ON_THIS_MACHINE = {"ENVIRONMENT": "local"}


def not_served_yet() -> list[str]:
    spec = yaml.safe_load((ROOT / "spec" / "openapi.yaml").read_text())
    return sorted(
        op["operationId"]
        for item in spec["paths"].values()
        for method, op in item.items()
        if method in METHODS and "501" in op["responses"]
    )


# The hooks log in before every authenticated call; the limits themselves are tested in pytest.
UNTHROTTLED = {
    f"RATELIMIT_{name}": "1000000/60"
    for name in (
        "LOGIN_PER_ACCOUNT",
        "LOGIN_PER_ACCOUNT_IP",
        "LOGIN_PER_IP",
        "REGISTER_PER_IP",
        "PASSWORD_RESET_PER_IP",
        "PASSWORD_RESET_CONFIRM_PER_IP",
        "WRITES_PER_USER",
        "VIEWS_PER_IP",
    )
}


@contextlib.contextmanager
def served_app(env: dict[str, str], port: int) -> Iterator[str]:
    program, *arguments = serve_command(port)
    command = [str(BIN / program), *arguments]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}{HEALTH_PATH}", timeout=1).status_code == 200:
                    break
            time.sleep(0.2)
        else:
            raise SystemExit("the app did not become healthy in 60 s")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def make_admin(base: str, env: dict[str, str]) -> str:
    email = f"contract-{secrets.token_hex(4)}@example.com"
    response = httpx.post(
        f"{base}/v1/users", json={"email": email, "password": PASSWORD, "displayName": "Contract"}
    )
    response.raise_for_status()
    subprocess.run(
        [sys.executable, "-m", "app.cli", "set-role", "--email", email, "--role", "admin"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    return email


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-examples", type=int, default=50)
    parser.add_argument("--seed", type=int, default=20261126)
    args = parser.parse_args()
    pepper = secrets.token_urlsafe(48)
    with (
        given_or_started("TEST_DATABASE_URL", postgres_server) as url,
        given_or_started("TEST_REDIS_URL", redis_server) as redis_url,
        tempfile.TemporaryDirectory() as cache_dir,
        aws_emulator(free_port(), Settings(token_pepper=pepper)) as aws_env,
    ):
        env = {
            **os.environ,
            **image_env(Path(cache_dir)),
            **ON_THIS_MACHINE,
            **UNTHROTTLED,
            **aws_env,
            "DATABASE_URL": url,
            "REDIS_URL": redis_url,
            "TOKEN_PEPPER": pepper,
            "LOG_LEVEL": "WARNING",
        }
        subprocess.run(
            [sys.executable, "-m", "alembic", "upgrade", "head"], env=env, cwd=ROOT, check=True
        )
        with served_app(env, free_port()) as base:
            email = make_admin(base, env)
            command = [
                str(BIN / "schemathesis"),
                "run",
                f"{base}/openapi.json",
                "--checks",
                "all",
                "--phases",
                "examples,coverage,fuzzing,stateful",
                "--max-examples",
                str(args.max_examples),
                "--seed",
                str(args.seed),
                "--report",
                "junit",
                "--report-dir",
                "reports/schemathesis",
                "--workers",
                "1",
            ]
            for operation_id in not_served_yet():
                command += ["--exclude-operation-id", operation_id]
            hooks_env = {
                **env,
                "SCHEMATHESIS_HOOKS": "scripts.contract.schemathesis_hooks",
                "CONTRACT_BASE_URL": base,
                "CONTRACT_EMAIL": email,
                "CONTRACT_PASSWORD": PASSWORD,
                "PYTHONPATH": str(ROOT),
            }
            return subprocess.run(command, env=hooks_env, cwd=ROOT, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
