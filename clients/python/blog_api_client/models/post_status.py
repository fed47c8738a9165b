from typing import Literal

PostStatus = Literal["archived", "draft", "published"]

POST_STATUS_VALUES: set[PostStatus] = {
    "archived",
    "draft",
    "published",
}


def check_post_status(value: str) -> PostStatus:
    if value in POST_STATUS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {POST_STATUS_VALUES!r}")
