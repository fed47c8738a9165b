"""Uses the openapi-python-client package as a consumer would; mypy --strict proves the types."""

from http import HTTPStatus
from uuid import UUID

from blog_api_client import AuthenticatedClient
from blog_api_client.api.posts import get_post, list_posts, update_post
from blog_api_client.models import ApiError, ErrorEnvelope, PostEnvelope, PostUpdate
from blog_api_client.types import UNSET


def connect(token: str) -> AuthenticatedClient:
    return AuthenticatedClient(base_url="http://127.0.0.1:8000", token=token)


def read_title(client: AuthenticatedClient, post_id: UUID, etag: str) -> str | None:
    answer = get_post.sync_detailed(post_id, client=client, if_none_match=etag)
    if answer.status_code == HTTPStatus.NOT_MODIFIED:
        return answer.headers.get("ETag")
    if isinstance(answer.parsed, ErrorEnvelope):
        return answer.parsed.error.code
    if isinstance(answer.parsed, PostEnvelope):
        none: ApiError | None = answer.parsed.error
        return answer.parsed.data.title if none is None else none.code
    return None


def rename(client: AuthenticatedClient, post_id: UUID, etag: str, title: str) -> str | None:
    answer = update_post.sync(post_id, client=client, body=PostUpdate(title=title), if_match=etag)
    return answer.data.slug if isinstance(answer, PostEnvelope) else None


def next_cursor(client: AuthenticatedClient) -> str | None:
    page = list_posts.sync(client=client, limit=20, cursor=UNSET)
    if page is None or isinstance(page, ErrorEnvelope):
        return None
    return page.meta.next_cursor
