"""The key scheme's shared part (docs/cache.md); each domain's cache.py names its own keys.

Bump VERSION when the format of a stored value changes.
"""

from __future__ import annotations

VERSION = "c1"
PREFIX = f"blog:{VERSION}"


def lock(key: str) -> str:
    return f"{key}:lock"
