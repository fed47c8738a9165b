"""URL slugs derived from titles and names."""

from __future__ import annotations

import re
import unicodedata

MAX_LENGTH = 120
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(text: str, *, fallback: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NON_ALNUM.sub("-", ascii_text.lower()).strip("-")[:MAX_LENGTH].rstrip("-")
    return slug or fallback
