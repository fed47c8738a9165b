"""Schemathesis over the whole contract against the app served the way the container serves it.

Starts PostgreSQL and Redis (unless TEST_DATABASE_URL and TEST_REDIS_URL are set), an AWS
emulator and a job worker, migrates the database, serves the app with uvicorn on loopback with
rate limits and upload caps too high for the fuzzer to meet, makes an admin and an author, and
runs every check and the stateful phase. Operations that still answer 501 are left out.

The two accounts are schemathesis' two identities: the run gives it schemathesis.toml with an
[auth.wfc] section naming a document of their logins. Every request goes as the admin, and
object_level_authorization replays the admin's reads of its own objects as the author.

Each run draws a fresh seed and prints it; `--seed N` (make contract SEED=N) replays a run. The
JUnit and NDJSON reports go to reports/schemathesis/; from the NDJSON one, the run prints per
phase the operations, test cases and failures, per operation the statuses it saw, and the
author's replays. Exits with schemathesis' status, or 1 when an operation's valid requests got
only 401, 403 or 404, or when nothing was replayed as the author.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from app.settings import Settings
from scripts.contract import fuzz_state, run_summary
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
        # The contract has no WebSocket: without a protocol for it, uvicorn does not import the
        # websockets package, about 20 ms of every cold start. An upgrade request is answered as
        # plain HTTP.
        "--ws",
        "none",
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


def load_spec() -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load((ROOT / "spec" / "openapi.yaml").read_text())
    return spec


def not_served_yet(spec: dict[str, Any]) -> list[str]:
    return sorted(
        op["operationId"]
        for item in spec["paths"].values()
        for method, op in item.items()
        if method in METHODS and "501" in op["responses"]
    )


# The hooks log in before every authenticated call; rate_limits.py meets the real limits.
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
# Uploads the fuzzer leaves pending would otherwise soon refuse every new one (409).
UNCAPPED = {"ATTACHMENTS_PENDING_PER_POST": "1000000", "ATTACHMENTS_PENDING_PER_USER": "1000000"}
# The fuzzer subscribes webhooks to random hosts: the worker must not post to them.
NO_OUTBOUND = {"WEBHOOKS_DELIVER": "false"}
REPORTS = ROOT / "reports" / "schemathesis"
CONFIG = ROOT / "schemathesis.toml"
NDJSON_REPORT = REPORTS / "events.ndjson"
# The worker logs at INFO, which would bury schemathesis' output.
WORKER_LOG = REPORTS / "worker.log"


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


@contextlib.contextmanager
def job_worker(env: Mapping[str, str], *, log: Path = WORKER_LOG) -> Iterator[None]:
    """The worker runs the jobs the run starts (uploads, the mail of password resets), in a
    process of its own as Lambda's SQS trigger would; its output goes to `log`."""
    command = [sys.executable, "-m", "app.worker.poller", "--wait-seconds", "1"]
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as sink:
        process = subprocess.Popen(command, env=dict(env), cwd=ROOT, stdout=sink, stderr=sink)
        try:
            yield
        finally:
            process.terminate()
            process.wait(timeout=20)


@contextlib.contextmanager
def served_stack(limits: Mapping[str, str]) -> Iterator[tuple[str, dict[str, str]]]:
    """The base URL of the app served on a migrated database, with `limits` over the defaults,
    and the environment it runs in."""
    pepper = secrets.token_urlsafe(48)
    with (
        given_or_started("TEST_DATABASE_URL", postgres_server) as url,
        given_or_started("TEST_REDIS_URL", redis_server) as redis_url,
        tempfile.TemporaryDirectory() as cache_dir,
        aws_emulator(free_port(), Settings(token_pepper=pepper)) as aws_env,
    ):
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("RATELIMIT_")}
        env = {
            **inherited,
            **image_env(Path(cache_dir)),
            **ON_THIS_MACHINE,
            **NO_OUTBOUND,
            **limits,
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
            yield base, env


@dataclass(frozen=True)
class Account:
    id: str
    email: str


def make_account(base: str, env: dict[str, str], role: str) -> Account:
    """A new account with PASSWORD; registration makes an author, set-role anything else."""
    email = f"contract-{role}-{secrets.token_hex(4)}@example.com"
    body = {"email": email, "password": PASSWORD, "displayName": f"Contract {role}"}
    # Hashing the password can take a while on a busy machine.
    response = httpx.post(f"{base}/v1/users", json=body, timeout=60)
    response.raise_for_status()
    if role != fuzz_state.PEER_ROLE:
        subprocess.run(
            [sys.executable, "-m", "app.cli", "set-role", "--email", email, "--role", role],
            env=env,
            cwd=ROOT,
            check=True,
        )
    return Account(id=response.json()["data"]["id"], email=email)


def auth_document(accounts: Mapping[str, Account]) -> dict[str, Any]:
    """The WFC document [auth.wfc] reads: a login through createSession per identity."""
    login = {
        "verb": "POST",
        "endpoint": "/v1/sessions",
        "contentType": "application/json",
        "token": {
            "extractFrom": "body",
            "extractSelector": "/data/token",
            "sendIn": "header",
            "sendName": "Authorization",
            "sendTemplate": "Bearer {token}",
        },
    }
    return {
        "auth": [
            {
                "name": name,
                "loginEndpointAuth": {
                    **login,
                    "payloadUserPwd": {
                        "username": account.email,
                        "usernameField": "email",
                        "password": PASSWORD,
                        "passwordField": "password",
                    },
                },
            }
            for name, account in accounts.items()
        ]
    }


def run_config(document: Path) -> str:
    """schemathesis.toml with the two identities, whose logins `document` holds.

    Kept out of schemathesis.toml because schemathesis loads [auth.wfc] with any schema, in any
    process that finds the file, and this document exists only while the run does.
    """
    admin, peer = fuzz_state.ADMIN_IDENTITY, fuzz_state.PEER_IDENTITY
    section = [
        "",
        "[auth.wfc]",
        f"path = {json.dumps(str(document))}",
        # Every request goes as the admin; the author answers only the check's replays.
        f"user = {json.dumps(admin)}",
        f"peers = {json.dumps([admin, peer])}",
        # A role change by the fuzzer ends the author's sessions (the hooks give the role back).
        "refresh_interval = 60",
    ]
    return CONFIG.read_text() + "\n".join(section) + "\n"


PHASES = "examples,coverage,fuzzing,stateful"


def schemathesis_command(
    base: str,
    *,
    config: Path,
    seed: int,
    max_examples: int,
    skip: list[str],
    phases: str = PHASES,
) -> list[str]:
    command = [
        str(BIN / "schemathesis"),
        "--config-file",
        str(config),
        "run",
        f"{base}/openapi.json",
        "--checks",
        "all",
        "--phases",
        phases,
        "--max-examples",
        str(max_examples),
        "--seed",
        str(seed),
        "--report",
        "junit,ndjson",
        "--report-junit-path",
        str(REPORTS / "junit.xml"),
        "--report-ndjson-path",
        str(NDJSON_REPORT),
        "--workers",
        "1",
    ]
    for operation_id in skip:
        command += ["--exclude-operation-id", operation_id]
    return command


def verdict(status: int, spec: dict[str, Any], skip: list[str]) -> int:
    """Print what the run did; 1 when an operation was never tested past a refusal, or when
    object_level_authorization sent nothing as the peer."""
    if not NDJSON_REPORT.is_file():
        print(f"schemathesis wrote no {NDJSON_REPORT.name}: nothing to summarize")
        return status or 1
    served = sorted(set(run_summary.operation_ids(spec).values()) - set(skip))
    summary = run_summary.summarize(
        run_summary.events(NDJSON_REPORT),
        run_summary.operation_ids(spec),
        peer=fuzz_state.PEER_IDENTITY,
    )
    print("\n".join(run_summary.render(summary, served)))
    starved = run_summary.starved(summary, served)
    if starved:
        print(f"valid requests got only 401, 403 or 404 from: {', '.join(starved)}")
        return status or 1
    if run_summary.unchecked_authorization(summary):
        print(f"object_level_authorization sent nothing as {fuzz_state.PEER_IDENTITY}")
        return status or 1
    return status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-examples", type=int, default=50)
    parser.add_argument("--seed", type=int, help="replay the run that printed this seed")
    parser.add_argument("--phases", default=PHASES, help="a subset, to iterate on one phase")
    args = parser.parse_args()
    seed = secrets.randbelow(2**32) if args.seed is None else args.seed
    print(f"schemathesis seed: {seed} (replay with: make contract SEED={seed})", flush=True)
    spec = load_spec()
    skip = not_served_yet(spec)
    with (
        served_stack({**UNTHROTTLED, **UNCAPPED}) as (base, env),
        job_worker(env),
        tempfile.TemporaryDirectory() as secrets_dir,
    ):
        admin = make_account(base, env, fuzz_state.ADMIN_ROLE)
        author = make_account(base, env, fuzz_state.PEER_ROLE)
        # Passwords stay out of reports/: the document lives as long as the run.
        document = Path(secrets_dir) / "identities.json"
        identities = {fuzz_state.ADMIN_IDENTITY: admin, fuzz_state.PEER_IDENTITY: author}
        document.write_text(json.dumps(auth_document(identities)))
        config = Path(secrets_dir) / CONFIG.name
        config.write_text(run_config(document))
        command = schemathesis_command(
            base,
            config=config,
            seed=seed,
            max_examples=args.max_examples,
            skip=skip,
            phases=args.phases,
        )
        hooks_env = {
            **env,
            "SCHEMATHESIS_HOOKS": "scripts.contract.schemathesis_hooks",
            "CONTRACT_BASE_URL": base,
            "CONTRACT_EMAIL": admin.email,
            "CONTRACT_PASSWORD": PASSWORD,
            "CONTRACT_ADMIN_ID": admin.id,
            "CONTRACT_PEER_EMAIL": author.email,
            "CONTRACT_PEER_ID": author.id,
            "PYTHONPATH": str(ROOT),
        }
        NDJSON_REPORT.unlink(missing_ok=True)
        status = subprocess.run(command, env=hooks_env, cwd=ROOT, check=False).returncode
    return verdict(status, spec, skip)


if __name__ == "__main__":
    sys.exit(main())
