"""Schemathesis hooks for the contract run: a bearer token from a real login.

A token can die mid-run (the fuzzer calls logout and revokes sessions), so every call that
needs credentials logs in afresh.
"""

from __future__ import annotations

import os
from typing import Any

import httpx
import schemathesis


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
