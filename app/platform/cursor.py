"""Opaque, signed keyset cursors: the last row's (createdAt, id), bound to the list's filters."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import msgspec

from app import errors


class Position(msgspec.Struct, frozen=True):
    created_at: datetime
    id: uuid.UUID


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def fingerprint(filters: Mapping[str, Any]) -> str:
    canonical = json.dumps({k: str(v) for k, v in filters.items() if v is not None}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _sign(payload: str, key: bytes) -> str:
    return _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest()[:16])


def encode(position: Position, *, filters: Mapping[str, Any], key: bytes) -> str:
    body = {"t": position.created_at.isoformat(), "i": str(position.id), "f": fingerprint(filters)}
    payload = _b64(json.dumps(body, separators=(",", ":")).encode())
    return f"{payload}.{_sign(payload, key)}"


def decode(cursor: str, *, filters: Mapping[str, Any], key: bytes) -> Position:
    """The position in cursor; InvalidCursor when it was altered or made for other filters."""
    payload, _, signature = cursor.partition(".")
    if not signature or not hmac.compare_digest(signature, _sign(payload, key)):
        raise errors.InvalidCursor()
    try:
        body = json.loads(_unb64(payload))
        position = Position(created_at=datetime.fromisoformat(body["t"]), id=uuid.UUID(body["i"]))
        same_filters = body["f"] == fingerprint(filters)
    except (ValueError, KeyError, TypeError) as exc:
        raise errors.InvalidCursor() from exc
    if not same_filters:
        raise errors.InvalidCursor("The cursor belongs to a list with other filters.")
    return position
