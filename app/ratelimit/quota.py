"""A rate limit's size, written in settings and env as "count/seconds" (e.g. "10/60")."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_settings import NoDecode


def _parse(value: Any) -> Any:
    if isinstance(value, str):
        count, _, seconds = value.partition("/")
        return {"count": count.strip(), "seconds": seconds.strip()}
    return value


class Quota(BaseModel):
    model_config = ConfigDict(frozen=True)

    count: int = Field(ge=1)
    seconds: int = Field(ge=1, le=86400)

    def __str__(self) -> str:
        return f"{self.count}/{self.seconds}"


# NoDecode: the env value is the "count/seconds" text, not JSON.
QuotaSetting = Annotated[Quota, NoDecode, BeforeValidator(_parse)]
