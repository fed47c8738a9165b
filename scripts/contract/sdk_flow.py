"""A user's whole journey through the generated Python client (clients/python) against the app.

Register, log in, write a post and revise it under ETags, publish, page through the posts, read
one by slug, count views, attach an image through the presigned form, follow its job, list the
sessions and log out. Every answer is checked as the client's typed models, not only by status.
tests/scripts/contract/test_sdk_flow.py runs it against the served app, and
scripts/contract/prism_flow.py runs it through Prism's validating proxy.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, TypeVar
from uuid import UUID

import httpx
from blog_api_client import AuthenticatedClient, Client
from blog_api_client.api.attachments import (
    complete_attachment,
    create_attachment,
    list_attachments,
)
from blog_api_client.api.jobs import get_job
from blog_api_client.api.posts import (
    create_post,
    get_post,
    get_post_by_slug,
    list_posts,
    record_post_view,
    update_post,
)
from blog_api_client.api.sessions import create_session, delete_current_session, list_sessions
from blog_api_client.api.users import get_current_user, register_user
from blog_api_client.models import (
    Attachment,
    AttachmentCreate,
    AttachmentEnvelope,
    AttachmentListEnvelope,
    AttachmentUploadEnvelope,
    ErrorCode,
    ErrorEnvelope,
    Job,
    JobEnvelope,
    JobResult,
    NewSessionEnvelope,
    Post,
    PostCreate,
    PostEnvelope,
    PostListEnvelope,
    PostUpdate,
    PresignedUpload,
    SessionCreate,
    SessionListEnvelope,
    UserCreate,
    UserEnvelope,
    ViewCountEnvelope,
)
from blog_api_client.types import UNSET, Response, Unset

from tests.attachments.samples import png

T = TypeVar("T")
IMAGE = png(64, 32)
PASSWORD = secrets.token_urlsafe(16)
JOB_DEADLINE_SECONDS = 60.0


class FlowError(AssertionError):
    """An answer the contract, or the flow's own expectation, does not allow."""


@dataclass(frozen=True)
class FlowResult:
    """What the flow saw, for a caller that wants to check more than the flow does."""

    user_id: UUID
    post: Post
    pages: list[list[UUID]]
    attachment: Attachment
    job: Job
    sent_invalid_requests: bool


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise FlowError(message)


def answer(response: Response[Any], status: HTTPStatus, model: type[T]) -> T:
    """The parsed body of a response that must have this status and parse as this model."""
    expect(
        response.status_code == status,
        f"expected {status.value}, got {response.status_code.value}: {response.content[:500]!r}",
    )
    parsed = response.parsed
    if not isinstance(parsed, model):
        raise FlowError(f"{status.value} did not parse as {model.__name__}: {parsed!r}")
    success = getattr(parsed, "success", status < HTTPStatus.BAD_REQUEST)
    expect(success is (status < HTTPStatus.BAD_REQUEST), f"a {status.value} with success={success}")
    return parsed


def error(response: Response[Any], status: HTTPStatus, code: ErrorCode) -> None:
    envelope = answer(response, status, ErrorEnvelope)
    expect(envelope.error.code == code, f"expected {code}, got {envelope.error.code}")


def etag_of(response: Response[Any]) -> str:
    etag = response.headers.get("ETag")
    if not etag:
        raise FlowError(f"no ETag on a {response.status_code.value}")
    return etag


def without_if_match(request: httpx.Request) -> None:
    """The SDK will not send updatePost without If-Match (the contract requires it); this hook
    takes it off on the wire, as a forgetful client or a careless proxy would."""
    del request.headers["If-Match"]


@contextlib.contextmanager
def signed_up(base_url: str, timeout: httpx.Timeout) -> Iterator[tuple[AuthenticatedClient, UUID]]:
    """Register a fresh author and log in: a client with the session's token, and the user id."""
    email = f"sdk-{secrets.token_hex(6)}@example.com"
    with Client(base_url=base_url, timeout=timeout, raise_on_unexpected_status=True) as anonymous:
        registered = register_user.sync_detailed(
            client=anonymous,
            body=UserCreate(email=email, password=PASSWORD, display_name="SDK Reader"),
        )
        login = create_session.sync_detailed(
            client=anonymous, body=SessionCreate(email=email, password=PASSWORD)
        )
    created = answer(registered, HTTPStatus.CREATED, UserEnvelope)
    expect(created.data.email == email, f"registered as {created.data.email}")
    expect(created.data.role == "author", f"registered with role {created.data.role}")
    expect(bool(registered.headers.get("Location")), "a 201 without Location")
    token = answer(login, HTTPStatus.CREATED, NewSessionEnvelope).data.token
    client = AuthenticatedClient(
        base_url=base_url, token=token, timeout=timeout, raise_on_unexpected_status=True
    )
    with client:
        me = answer(get_current_user.sync_detailed(client=client), HTTPStatus.OK, UserEnvelope)
        expect(me.data.id == created.data.id, "the token is someone else's")
        yield client, created.data.id


def update_without_if_match(
    client: AuthenticatedClient, post_id: UUID, base_url: str, timeout: httpx.Timeout
) -> None:
    forgetful = AuthenticatedClient(
        base_url=base_url,
        token=client.token,
        timeout=timeout,
        raise_on_unexpected_status=True,
        httpx_args={"event_hooks": {"request": [without_if_match]}},
    )
    with forgetful:
        missing = update_post.sync_detailed(
            post_id, client=forgetful, body=PostUpdate(body="Blind update."), if_match="*"
        )
    error(missing, HTTPStatus.PRECONDITION_REQUIRED, "PRECONDITION_REQUIRED")


def write_and_revise(
    client: AuthenticatedClient, base_url: str, timeout: httpx.Timeout, *, send_invalid: bool
) -> Post:
    """Create a draft, revalidate it, update it under If-Match (stale, missing, right), publish."""
    created = create_post.sync_detailed(
        client=client, body=PostCreate(title="Field notes", body="First draft.")
    )
    draft = answer(created, HTTPStatus.CREATED, PostEnvelope).data
    expect(draft.status == "draft" and draft.published_at is None, f"{draft!r}")
    expect(draft.slug == "field-notes", f"slug {draft.slug!r}")
    first_etag = etag_of(created)

    unchanged = get_post.sync_detailed(draft.id, client=client, if_none_match=first_etag)
    expect(unchanged.status_code == HTTPStatus.NOT_MODIFIED, f"{unchanged.status_code}")
    expect(unchanged.parsed is None and unchanged.content == b"", "a 304 with a body")
    expect(etag_of(unchanged) == first_etag, "a 304 with another ETag")

    revised = update_post.sync_detailed(
        draft.id, client=client, body=PostUpdate(body="Second draft."), if_match=first_etag
    )
    expect(answer(revised, HTTPStatus.OK, PostEnvelope).data.body == "Second draft.", "unrevised")
    second_etag = etag_of(revised)
    expect(second_etag != first_etag, "an update kept the ETag")

    stale = update_post.sync_detailed(
        draft.id, client=client, body=PostUpdate(body="Lost update."), if_match=first_etag
    )
    error(stale, HTTPStatus.PRECONDITION_FAILED, "PRECONDITION_FAILED")
    if send_invalid:
        update_without_if_match(client, draft.id, base_url, timeout)

    published = update_post.sync_detailed(
        draft.id,
        client=client,
        body=PostUpdate(status="published"),
        if_match=second_etag,
    )
    post = answer(published, HTTPStatus.OK, PostEnvelope).data
    expect(post.status == "published", f"status {post.status}")
    expect(post.published_at is not None, "published without publishedAt")
    expect(post.body == "Second draft.", "a refused update changed the post")
    expect(etag_of(published) not in {first_etag, second_etag}, "publishing kept the ETag")
    return post


def page_through(
    client: AuthenticatedClient, author_id: UUID, expected: list[UUID]
) -> list[list[UUID]]:
    """List the author's posts one per page, following nextCursor until it is null."""
    pages: list[list[UUID]] = []
    cursor: str | Unset = UNSET
    # One page per post, and one more in case the last full page still names a cursor.
    for _ in range(len(expected) + 2):
        response = list_posts.sync_detailed(
            client=client, author_id=author_id, limit=1, cursor=cursor
        )
        page = answer(response, HTTPStatus.OK, PostListEnvelope)
        expect(page.meta.limit == 1, f"meta.limit {page.meta.limit}")
        pages.append([item.id for item in page.data])
        if page.meta.next_cursor is None:
            break
        cursor = page.meta.next_cursor
    else:
        raise FlowError(f"nextCursor still set after {len(pages)} pages: {pages}")
    seen = [post_id for page_ids in pages for post_id in page_ids]
    expect(seen == expected, f"pages {pages}, expected {expected} newest first")
    expect(all(len(page_ids) <= 1 for page_ids in pages), f"pages {pages} over the limit")
    return pages


def count_views(client: AuthenticatedClient, post: Post) -> None:
    """The caller's views count once in the window; the post read by slug reports that count."""
    counts = [
        answer(
            record_post_view.sync_detailed(post.id, client=client),
            HTTPStatus.OK,
            ViewCountEnvelope,
        ).data
        for _ in range(2)
    ]
    expect([c.view_count for c in counts] == [1, 1], f"view counts {counts}")
    expect(all(c.post_id == post.id for c in counts), "a view counted on another post")
    by_slug = answer(
        get_post_by_slug.sync_detailed(post.slug, client=client), HTTPStatus.OK, PostEnvelope
    ).data
    expect(by_slug.id == post.id, f"slug {post.slug} names {by_slug.id}")
    expect(by_slug.view_count == 1, f"viewCount {by_slug.view_count} after one view")


def send_form(upload: PresignedUpload, content: bytes, timeout: httpx.Timeout) -> None:
    """The presigned form goes to the object store, not to the API, so plain httpx sends it."""
    expect(upload.method == "POST", f"upload method {upload.method}")
    fields = upload.fields.to_dict()
    sent = httpx.post(upload.url, data=fields, files={"file": content}, timeout=timeout)
    expect(sent.status_code in {200, 201, 204}, f"upload {sent.status_code}: {sent.text[:500]}")


def wait_for_job(client: AuthenticatedClient, job_id: UUID) -> Job:
    deadline = time.monotonic() + JOB_DEADLINE_SECONDS
    while True:
        job = answer(get_job.sync_detailed(job_id, client=client), HTTPStatus.OK, JobEnvelope).data
        expect(job.id == job_id, f"asked for job {job_id}, got {job.id}")
        if job.status in {"succeeded", "failed"}:
            return job
        expect(time.monotonic() < deadline, f"job still {job.status} after {JOB_DEADLINE_SECONDS}s")
        time.sleep(0.25)


def attach_image(
    client: AuthenticatedClient, post_id: UUID, timeout: httpx.Timeout
) -> tuple[Attachment, Job]:
    """Start an upload, send the file with the presigned form, complete it, follow the job."""
    body = AttachmentCreate(filename="cover.png", content_type="image/png", size=len(IMAGE))
    started = answer(
        create_attachment.sync_detailed(post_id, client=client, body=body),
        HTTPStatus.CREATED,
        AttachmentUploadEnvelope,
    ).data
    pending = started.attachment
    expect(pending.status == "pending", f"a new upload is {pending.status}")
    expect(pending.post_id == post_id and pending.size == len(IMAGE), f"{pending!r}")
    send_form(started.upload, IMAGE, timeout)

    completed = answer(
        complete_attachment.sync_detailed(post_id, pending.id, client=client),
        HTTPStatus.ACCEPTED,
        AttachmentEnvelope,
    ).data
    expect(completed.status == "processing", f"completed is {completed.status}")
    if completed.job_id is None:
        raise FlowError("a completed upload without a job")
    job = wait_for_job(client, completed.job_id)
    expect(job.status == "succeeded", f"job {job.status}: {job.error}")
    if not isinstance(job.result, JobResult):
        raise FlowError(f"a succeeded job without a result: {job.result!r}")
    result = (job.result.width, job.result.height, job.result.format_)
    expect(result == (64, 32, "png"), f"job result {result}")

    listed = answer(
        list_attachments.sync_detailed(post_id, client=client),
        HTTPStatus.OK,
        AttachmentListEnvelope,
    )
    expect(listed.meta.count == 1 and len(listed.data) == 1, f"attachments {listed.data!r}")
    ready = listed.data[0]
    expect(ready.id == pending.id and ready.status == "ready", f"{ready!r}")
    expect(ready.job_id == job.id, f"attachment job {ready.job_id}, started {job.id}")
    if ready.download_url is None:
        raise FlowError("a ready attachment without a download URL")
    downloaded = httpx.get(ready.download_url, timeout=timeout)
    expect(downloaded.content == IMAGE, f"download {downloaded.status_code}, not the upload")
    return ready, job


def log_out(client: AuthenticatedClient) -> None:
    """The one session is the current one; after logout its token answers 401."""
    sessions = answer(
        list_sessions.sync_detailed(client=client), HTTPStatus.OK, SessionListEnvelope
    )
    expect(sessions.meta.count == 1 and len(sessions.data) == 1, f"sessions {sessions.data!r}")
    expect(sessions.data[0].current, "the only session is not the current one")
    ended = delete_current_session.sync_detailed(client=client)
    expect(ended.status_code == HTTPStatus.NO_CONTENT, f"logout {ended.status_code}")
    error(
        get_current_user.sync_detailed(client=client),
        HTTPStatus.UNAUTHORIZED,
        "UNAUTHENTICATED",
    )


def publish_more(client: AuthenticatedClient, titles: list[str]) -> list[UUID]:
    ids = []
    for title in titles:
        created = create_post.sync_detailed(
            client=client, body=PostCreate(title=title, status="published")
        )
        post = answer(created, HTTPStatus.CREATED, PostEnvelope).data
        expect(post.status == "published" and post.published_at is not None, f"{post!r}")
        ids.append(post.id)
    return ids


def run_flow(base_url: str, *, send_invalid_requests: bool = True) -> FlowResult:
    """Walk the flow against the API at base_url; raise FlowError at the first unexpected answer.

    send_invalid_requests=False leaves out the one request that breaks the contract on purpose
    (updatePost without its required If-Match, which the app answers 428), for a validating
    proxy that refuses it before the app sees it."""
    timeout = httpx.Timeout(30.0)
    with signed_up(base_url, timeout) as (client, user_id):
        post = write_and_revise(client, base_url, timeout, send_invalid=send_invalid_requests)
        newer = publish_more(client, ["Second dispatch", "Third dispatch"])
        pages = page_through(client, user_id, [*reversed(newer), post.id])
        count_views(client, post)
        attachment, job = attach_image(client, post.id, timeout)
        log_out(client)
    return FlowResult(
        user_id=user_id,
        post=post,
        pages=pages,
        attachment=attachment,
        job=job,
        sent_invalid_requests=send_invalid_requests,
    )
