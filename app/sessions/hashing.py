"""How a session token is stored and looked up: its keyed hash, never the token itself."""

from __future__ import annotations

from app.platform.security import tokens
from app.settings import Settings


def hash_token(*, settings: Settings, token: str) -> str:
    return tokens.token_hash(token, pepper=settings.token_pepper.get_secret_value().encode())
