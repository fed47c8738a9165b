"""What the contract run's hooks do outside the fuzzer's requests, as a client of the API would:
log in, post a file to an upload form, fetch a password reset token from the mail queue, and
give the admin and the author back a role the fuzzer changed.

The run (scripts/contract/contract_test.py) passes the base URL, the admin's credentials and id,
the author's email and id, and the AWS emulator's environment.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Mapping
from typing import Any

import httpx

from app.platform.aws.clients import AwsClients
from app.settings import Settings

TIMEOUT = 30
MAIL_WAIT_SECONDS = 20
ADMIN_ROLE = "admin"
PEER_ROLE = "author"
# The names of the two identities in the WFC document; schemathesis.toml names them too.
ADMIN_IDENTITY = "admin"
PEER_IDENTITY = "author"


def base_url() -> str:
    return os.environ["CONTRACT_BASE_URL"]


def admin_id() -> str:
    return os.environ["CONTRACT_ADMIN_ID"]


def peer_id() -> str:
    return os.environ["CONTRACT_PEER_ID"]


def login(email: str | None = None, password: str | None = None) -> str:
    """A new session's bearer token; the admin's unless told otherwise."""
    response = httpx.post(
        f"{base_url()}/v1/sessions",
        json={
            "email": email or os.environ["CONTRACT_EMAIL"],
            "password": password or os.environ["CONTRACT_PASSWORD"],
        },
        timeout=TIMEOUT,
    )
    response.raise_for_status()
    token: str = response.json()["data"]["token"]
    return token


def is_live(token: str) -> bool:
    response = httpx.get(
        f"{base_url()}/v1/users/me", headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT
    )
    return response.status_code == 200


class AdminSession:
    """The admin's one session for the run, logged in again once something ended it."""

    def __init__(self) -> None:
        self._token: str | None = None

    def token(self) -> str:
        if self._token is None:
            self._token = login()
        return self._token

    def carried_by(self, headers: Mapping[str, Any] | None) -> bool:
        return self._token is not None and (headers or {}).get("Authorization") == (
            f"Bearer {self._token}"
        )

    def check(self) -> None:
        """Forget the token if its session has ended, so that the next call logs in."""
        if self._token is not None and not is_live(self._token):
            self._token = None

    def drop(self) -> None:
        self._token = None


def upload(form: Mapping[str, Any], *, content_type: str, size: int) -> None:
    """Post a file of the declared type and size to a presigned form, as a client would.

    Its bytes are not an image: the job that checks them then has something to refuse.
    """
    fields = {**form["fields"], "Content-Type": content_type}
    files = {"file": ("upload", b"\0" * size, content_type)}
    response = httpx.post(form["url"], data=fields, files=files, timeout=TIMEOUT)
    response.raise_for_status()


def set_role(email: str, role: str) -> None:
    command = [sys.executable, "-m", "app.cli", "set-role", "--email", email, "--role", role]
    subprocess.run(command, check=True, capture_output=True)


def restore_admin(role: str) -> bool:
    """Make the admin an admin again after the fuzzer changed its role; whether that was needed.

    The change also ended the admin's sessions, which the hooks' next call logs in again for.
    """
    if role == ADMIN_ROLE:
        return False
    set_role(os.environ["CONTRACT_EMAIL"], ADMIN_ROLE)
    return True


def restore_peer(role: str) -> bool:
    """Make the author an author again: as an editor or an admin it may read what the admin owns.

    Its sessions ended with the change; schemathesis logs it in again at its next refresh.
    """
    if role == PEER_ROLE:
        return False
    set_role(os.environ["CONTRACT_PEER_EMAIL"], PEER_ROLE)
    return True


def login_account() -> dict[str, str]:
    """The email and password of an account of its own, registered now: logins that succeed,
    whose sessions never crowd out the admin's."""
    body = {
        "email": f"login-{secrets.token_hex(4)}@example.com",
        "password": secrets.token_urlsafe(16),
        "displayName": "Login",
    }
    httpx.post(f"{base_url()}/v1/users", json=body, timeout=TIMEOUT).raise_for_status()
    return {"email": body["email"], "password": body["password"]}


class ResetTokens:
    """Real password reset tokens, for an account of their own so no reset touches the admin."""

    def __init__(self, settings: Settings) -> None:
        self.email = f"reset-{secrets.token_hex(4)}@example.com"
        self._registered = False
        self._aws = AwsClients(settings)

    def _register(self) -> None:
        body = {"email": self.email, "password": secrets.token_urlsafe(16), "displayName": "Reset"}
        httpx.post(f"{base_url()}/v1/users", json=body, timeout=TIMEOUT).raise_for_status()
        self._registered = True

    def fresh(self) -> str:
        """Request a reset and wait for its mail, which the run's job worker sends."""
        if not self._registered:
            self._register()
        response = httpx.post(
            f"{base_url()}/v1/password-resets", json={"email": self.email}, timeout=TIMEOUT
        )
        response.raise_for_status()
        sqs = self._aws.sqs()
        url = self._aws.queue_url(self._aws.settings.mail_queue)
        deadline = time.monotonic() + MAIL_WAIT_SECONDS
        while time.monotonic() < deadline:
            answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            for message in answer.get("Messages", []):
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                mail = json.loads(message["Body"])
                if mail.get("email") == self.email:
                    token: str = mail["token"]
                    return token
        raise TimeoutError(f"no reset mail for {self.email} within {MAIL_WAIT_SECONDS} s")


# A host under .invalid never resolves (RFC 6761), so the URL passes the webhook URL check
# (a name that does not resolve yet is allowed) and nothing is ever sent to it.
SEEDED_WEBHOOK_URL = "https://contract-run.invalid/hook"


def webhook_exists(token: str, webhook_id: str) -> bool:
    headers = {"Authorization": f"Bearer {token}"}
    found = httpx.get(f"{base_url()}/v1/webhooks/{webhook_id}", headers=headers, timeout=TIMEOUT)
    return found.status_code == 200


def seeded_delivery(token: str, event_types: list[str]) -> tuple[str, str]:
    """A webhook's id and one of its deliveries' ids, for redeliverWebhookDelivery: a webhook
    subscribed to every event type, then a category made so that an event is recorded for it."""
    headers = {"Authorization": f"Bearer {token}"}
    created = httpx.post(
        f"{base_url()}/v1/webhooks",
        json={"url": SEEDED_WEBHOOK_URL, "eventTypes": event_types},
        headers=headers,
        timeout=TIMEOUT,
    )
    created.raise_for_status()
    webhook_id: str = created.json()["data"]["id"]
    httpx.post(
        f"{base_url()}/v1/categories",
        json={"name": f"Seeded {secrets.token_hex(4)}"},
        headers=headers,
        timeout=TIMEOUT,
    ).raise_for_status()
    listed = httpx.get(
        f"{base_url()}/v1/webhooks/{webhook_id}/deliveries", headers=headers, timeout=TIMEOUT
    )
    listed.raise_for_status()
    delivery_id: str = listed.json()["data"][0]["id"]
    return webhook_id, delivery_id
