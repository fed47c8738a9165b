"""`make run` keeps what it stored across a clean stop and start.

Starts `python -m scripts.dev.run_local` as `make run` does, with free ports, in a temporary
working directory (its own var/ and SQLite database, never the developer's), stores through
the API, stops it with SIGINT (then SIGTERM), starts it again and reads it all back.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from app.settings import Settings
from scripts.dev.aws_emulator import FAKE_CREDENTIALS
from tests.attachments import samples
from tests.fixtures.services import free_port
from tests.helpers import data

ROOT = Path(__file__).resolve().parents[3]
PNG = samples.png(40, 20)
PASSWORD = "correct horse battery"
PROBE_QUEUE = "restart-probe"


@dataclass(frozen=True)
class Local:
    """Where one `make run` lives: its directory, environment and ports."""

    cwd: Path
    env: dict[str, str]
    port: int
    aws_port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def aws_url(self) -> str:
        return f"http://127.0.0.1:{self.aws_port}"

    @property
    def state(self) -> Path:
        return self.cwd / "var" / "aws-state.pickle"


@pytest.fixture
def local(tmp_path: Path) -> Local:
    """A working directory with a migrated SQLite database, and an environment that names
    nothing of the test run's own (no AWS endpoint, no database, no Redis)."""
    settings_names = {name.upper() for name in Settings.model_fields}
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.upper().startswith("AWS_") and name.upper() not in settings_names
    }
    env.update(
        PYTHONPATH=str(ROOT),
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/blog.db",
        TOKEN_PEPPER="restart-test-pepper-" + "x" * 32,
        METRICS_ENABLED="false",
    )
    migrate = [sys.executable, "-m", "alembic", "-c", str(ROOT / "alembic.ini"), "upgrade", "head"]
    subprocess.run(migrate, cwd=tmp_path, env=env, check=True, capture_output=True)
    return Local(cwd=tmp_path, env=env, port=free_port(), aws_port=free_port())


@contextlib.contextmanager
def running(local: Local, stop: signal.Signals, log: str) -> Iterator[httpx.Client]:
    """`make run` serving; stopped with `stop` on the way out, which must end it cleanly."""
    command = [
        sys.executable,
        "-m",
        "scripts.dev.run_local",
        "--port",
        str(local.port),
        "--aws-port",
        str(local.aws_port),
    ]
    log_path = local.cwd / log
    with log_path.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=local.cwd, env=local.env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        with httpx.Client(base_url=local.base_url, timeout=10) as client:
            wait_until_up(client, process, log_path)
            yield client
        process.send_signal(stop)
        # uvicorn ends quietly on SIGINT; SIGTERM unwinds as SystemExit(143) after it.
        returncode = process.wait(timeout=60)
        assert returncode in {0, 128 + stop}, log_path.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def wait_until_up(client: httpx.Client, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"make run exited with {process.returncode}:\n{log.read_text()}")
        with contextlib.suppress(httpx.TransportError):
            if client.get("/health").status_code == 200:
                return
        time.sleep(0.2)
    pytest.fail(f"make run did not answer /health within 90 s:\n{log.read_text()}")


def eventually(check: Any, what: str, timeout: float = 30) -> Any:
    """check()'s first truthy answer, polled until timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = check()
        if answer:
            return answer
        time.sleep(0.2)
    pytest.fail(f"{what}: not within {timeout} s")


def sqs(local: Local) -> Any:
    return boto3.client(
        "sqs",
        endpoint_url=local.aws_url,
        region_name="us-east-1",
        aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=FAKE_CREDENTIALS["AWS_SESSION_TOKEN"],
    )


def log_in(client: httpx.Client) -> dict[str, str]:
    body = {"email": "restart@example.com", "password": PASSWORD}
    token = data(client.post("/v1/sessions", json=body), 201)["token"]
    return {"Authorization": f"Bearer {token}"}


def ready_attachment(client: httpx.Client, post_id: str) -> dict[str, Any] | None:
    listed = data(client.get(f"/v1/posts/{post_id}/attachments"))
    ready = [a for a in listed if a["status"] == "ready" and a["downloadUrl"]]
    return ready[0] if ready else None


def view_count(client: httpx.Client, post_id: str) -> int:
    count: int = data(client.get(f"/v1/posts/{post_id}"))["viewCount"]
    return count


def download(url: str) -> bytes:
    response = httpx.get(url, timeout=10)
    assert response.status_code == 200, response.text
    return response.content


def test_a_clean_stop_and_start_keep_what_make_run_stored(local: Local) -> None:
    with running(local, signal.SIGINT, "first.log") as client:
        user = {"email": "restart@example.com", "password": PASSWORD, "displayName": "Restart"}
        data(client.post("/v1/users", json=user), 201)
        auth = log_in(client)
        post = {"title": "Kept across restarts", "status": "published"}
        post_id = data(client.post("/v1/posts", json=post, headers=auth), 201)["id"]
        # Three readers (one view per reader and window is counted).
        counts = [
            data(client.post(f"/v1/posts/{post_id}/views", headers={"User-Agent": f"r{n}"}))[
                "viewCount"
            ]
            for n in range(3)
        ]
        assert counts == [1, 2, 3]

        declared = {"filename": "pic.png", "contentType": "image/png", "size": len(PNG)}
        started = data(
            client.post(f"/v1/posts/{post_id}/attachments", json=declared, headers=auth), 201
        )
        form = started["upload"]
        uploaded = httpx.post(form["url"], data=form["fields"], files={"file": PNG}, timeout=10)
        assert uploaded.status_code in {200, 201, 204}, uploaded.text
        attachment_id = started["attachment"]["id"]
        completed = client.post(
            f"/v1/posts/{post_id}/attachments/{attachment_id}/complete", headers=auth
        )
        job_id = data(completed, 202)["jobId"]
        attachment = eventually(lambda: ready_attachment(client, post_id), "attachment ready")
        assert download(attachment["downloadUrl"]) == PNG
        job = data(client.get(f"/v1/jobs/{job_id}", headers=auth))
        assert job["status"] == "succeeded", job

        probe = sqs(local)
        probe_url = probe.create_queue(QueueName=PROBE_QUEUE)["QueueUrl"]
        probe.send_message(QueueUrl=probe_url, MessageBody="still queued")

    assert local.state.is_file(), "no snapshot after SIGINT"

    with running(local, signal.SIGTERM, "second.log") as client:
        assert "state restored from" in (local.cwd / "second.log").read_text()
        assert view_count(client, post_id) == 3
        auth = log_in(client)
        assert data(client.get(f"/v1/jobs/{job_id}", headers=auth)) == job
        attachment = ready_attachment(client, post_id)
        assert attachment is not None, "the ready attachment is gone"
        assert attachment["id"] == attachment_id
        assert download(attachment["downloadUrl"]) == PNG
        probe = sqs(local)
        probe_url = probe.get_queue_url(QueueName=PROBE_QUEUE)["QueueUrl"]
        message = probe.receive_message(QueueUrl=probe_url, WaitTimeSeconds=1)["Messages"]
        assert [m["Body"] for m in message] == ["still queued"]
        fourth = client.post(f"/v1/posts/{post_id}/views", headers={"User-Agent": "r3"})
        assert data(fourth)["viewCount"] == 4

    with running(local, signal.SIGINT, "third.log") as client:
        assert view_count(client, post_id) == 4, "what the second run stored survives SIGTERM"
