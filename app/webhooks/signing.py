"""Signing secrets: drawn, sealed at rest, and used to sign deliveries as Standard Webhooks says.

A secret is `whsec_` and the base64 of 32 random bytes; the bytes key the HMAC. It is stored
sealed with AES-256-GCM under a key from the settings, bound to its webhook's id, so a row's
secret cannot be moved to another row, and the stored text alone signs nothing.
"""

from __future__ import annotations

import base64
import secrets
import uuid
from collections.abc import Sequence
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from standardwebhooks.webhooks import Webhook as StandardWebhook

PREFIX = "whsec_"
SECRET_BYTES = 32
NONCE_BYTES = 12


class SealBroken(Exception):
    """A sealed secret that this key does not open: another key, or altered text."""


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def seal(secret: str, *, key: bytes, webhook_id: uuid.UUID) -> str:
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, secret.encode(), webhook_id.bytes)
    return base64.b64encode(nonce + sealed).decode()


def unseal(sealed: str, *, key: bytes, webhook_id: uuid.UUID) -> str:
    raw = base64.b64decode(sealed)
    try:
        plain = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], webhook_id.bytes)
    except InvalidTag as exc:
        raise SealBroken(str(webhook_id)) from exc
    return plain.decode()


def signature(*, secrets: Sequence[str], msg_id: str, timestamp: datetime, body: str) -> str:
    """The webhook-signature header: one `v1,<base64 HMAC-SHA256>` per secret, space-separated,
    over `msg_id.timestamp.body` (the Standard Webhooks library's own signing)."""
    return " ".join(
        StandardWebhook(secret).sign(msg_id=msg_id, timestamp=timestamp, data=body)
        for secret in secrets
    )
