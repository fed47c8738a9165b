"""Schemathesis hooks for the contract run: a bearer token from a real login, and an
Idempotency-Key per distinct valid request.

A token can die mid-run (the fuzzer calls logout and revokes sessions), so every call that
needs credentials logs in afresh.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

import httpx
import schemathesis

IDEMPOTENCY_KEY = "Idempotency-Key"
# The contract's longest key, less the suffix added below ("-" and 16 hex digits).
_KEY_ROOM = 255 - 17


@schemathesis.auth(refresh_interval=None)
class LoginAuth:
    def get(self, case: Any, context: Any) -> str:
        response = httpx.post(
            f"{os.environ['CONTRACT_BASE_URL']}/v1/sessions",
            json={
                "email": os.environ["CONTRACT_EMAIL"],
                "password": os.environ["CONTRACT_PASSWORD"],
            },
            timeout=10,
        )
        response.raise_for_status()
        token: str = response.json()["data"]["token"]
        return token

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


@schemathesis.hook
def before_call(context: Any, case: Any, **kwargs: Any) -> None:
    """A valid request sends one key per distinct request, as the contract asks of clients.

    The fuzzer draws short keys again and again; sent with another body, a reused key is
    rightly refused (422 IDEMPOTENCY_KEY_REUSED), which the positive-data check would report.
    Suffixing the drawn key with a digest of the request keeps it valid, keeps repeats of the
    same request replaying, and leaves negative cases (a malformed key among them) as drawn.
    """
    headers = case.headers or {}
    key = headers.get(IDEMPOTENCY_KEY)
    meta = case.meta
    if not isinstance(key, str) or meta is None or meta.generation.mode != "positive":
        return
    # Key order counts: the server compares the raw body, in which {"a":…,"b":…} and
    # {"b":…,"a":…} are two requests, so they must not share a key.
    request = json.dumps([case.method, case.formatted_path, case.query, case.body], default=str)
    digest = hashlib.sha256(request.encode()).hexdigest()[:16]
    headers[IDEMPOTENCY_KEY] = f"{key[:_KEY_ROOM]}-{digest}"
    case.headers = headers
