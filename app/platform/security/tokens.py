"""Opaque bearer tokens: 256 random bits, stored only as a keyed hash."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

TOKEN_BYTES = 32
_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str, *, pepper: bytes) -> str:
    return hmac.new(pepper, token.encode(), hashlib.sha256).hexdigest()


def looks_like_token(token: str) -> bool:
    return _SHAPE.match(token) is not None
