"""Uses openapi-generator's python client as a consumer would; mypy --strict checks this file.

The generated package itself is not mypy-strict clean (its templates leave functions untyped),
so it is followed silently; it raises ApiException on every non-2xx answer, a 304 included.
"""

from uuid import UUID

from blog_api_oag import ApiClient, ApiError, Configuration, ErrorEnvelope, PostsApi, PostUpdate
from blog_api_oag.exceptions import ApiException


def connect(token: str) -> PostsApi:
    return PostsApi(ApiClient(Configuration(host="http://127.0.0.1:8000", access_token=token)))


def read_title(posts: PostsApi, post_id: UUID, etag: str) -> str | None:
    try:
        answer = posts.get_post_with_http_info(post_id, if_none_match=etag)
    except ApiException as exc:
        if exc.status == 304:
            return None if exc.headers is None else exc.headers.get("ETag")
        if isinstance(exc.data, ErrorEnvelope):
            return exc.data.error.code.value
        raise
    none: ApiError | None = answer.data.error
    return answer.data.data.title if none is None else none.code.value


def rename(posts: PostsApi, post_id: UUID, etag: str, title: str) -> str:
    update = PostUpdate(title=title)
    return posts.update_post(post_id=post_id, if_match=etag, post_update=update).data.slug


def next_cursor(posts: PostsApi) -> str | None:
    return posts.list_posts(limit=20).meta.next_cursor
