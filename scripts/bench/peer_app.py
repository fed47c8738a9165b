"""The code-first peer: the post routes as a competent team would write them without a contract.

Usage: uvicorn --factory scripts.bench.peer_app:create_app (scripts/bench/bench_peer.py serves it)

It reads and writes the app's own migrated tables through the app's ORM models (the `tags`
relationship loads with a post, as in the app), checks bearer tokens against the app's sessions
with one joined query in the request's own database session, reads the view count with one
DynamoDB GetItem in a worker thread, and answers the app's envelope with the same fields.

What it leaves out, which the app does inside the request: the policy engine (a plain `if`
instead), rate limits, revisions, outbox rows and their delivery after the commit (cache
invalidations, events, webhooks), the trace id, access log and metrics line, the security
headers, slug checks before the insert (the unique indexes answer 409 instead).
"""

# No `from __future__ import annotations`: the routes are closures, and FastAPI must see their
# dependencies as objects, not as names it cannot resolve from the module.
import asyncio
import hashlib
import hmac
import re
import unicodedata
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

import boto3.session
from botocore.config import Config
from fastapi import Depends, FastAPI, Header, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from app.platform.db.models import LoginSession, Post, User
from app.settings import Settings

NO_NUL = r"^[^\x00]*$"
EDITORS = ("editor", "admin")


class PostIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=200, pattern=NO_NUL)
    body: str = Field(default="", max_length=100_000, pattern=NO_NUL)
    status: Literal["draft", "published", "archived"] = "draft"


class PostPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(default=None, min_length=1, max_length=200, pattern=NO_NUL)
    body: str | None = Field(default=None, max_length=100_000, pattern=NO_NUL)
    status: Literal["draft", "published", "archived"] | None = None


class TagOut(BaseModel):
    id: uuid.UUID
    name: str
    slug: str


class PostOut(BaseModel):
    id: uuid.UUID
    title: str
    slug: str
    body: str
    status: str
    categoryId: uuid.UUID | None
    authorId: uuid.UUID
    tags: list[TagOut]
    publishedAt: AwareDatetime | None
    publishAt: AwareDatetime | None
    createdAt: AwareDatetime
    updatedAt: AwareDatetime
    viewCount: int | None


class PostEnvelope(BaseModel):
    success: Literal[True] = True
    data: PostOut
    error: None = None


class Caller(BaseModel):
    user_id: uuid.UUID
    role: str


def slugify(title: str) -> str:
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:120].rstrip("-") or "post"


def etag(post: Post) -> str:
    return f'"{post.id.hex[:12]}-{post.version}"'


def to_out(post: Post, view_count: int | None) -> PostOut:
    return PostOut(
        id=post.id,
        title=post.title,
        slug=post.slug,
        body=post.body,
        status=post.status,
        categoryId=post.category_id,
        authorId=post.author_id,
        tags=[TagOut(id=t.id, name=t.name, slug=t.slug) for t in post.tags],
        publishedAt=post.published_at,
        publishAt=post.publish_at,
        createdAt=post.created_at,
        updatedAt=post.updated_at,
        viewCount=view_count,
    )


def create_app() -> FastAPI:
    settings = Settings()
    engine = create_async_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_pre_ping=True,
    )
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    dynamodb: Any = boto3.session.Session(region_name=settings.aws_region).client(
        "dynamodb",
        endpoint_url=settings.aws_endpoint_url,
        config=Config(max_pool_connections=settings.aws_max_pool_connections),
    )
    pepper = settings.token_pepper.get_secret_value().encode()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await engine.dispose()
        dynamodb.close()

    app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)

    @app.exception_handler(HTTPException)
    async def envelope_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        error = {"code": str(exc.status_code), "message": str(exc.detail), "details": []}
        body = {"success": False, "data": None, "error": error}
        return JSONResponse(body, status_code=exc.status_code)

    async def db() -> AsyncIterator[AsyncSession]:
        async with sessions() as session:
            yield session

    async def caller(
        session: Annotated[AsyncSession, Depends(db)],
        authorization: Annotated[str | None, Header()] = None,
    ) -> Caller | None:
        if authorization is None:
            return None
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise HTTPException(401, "Send a bearer token.")
        token_hash = hmac.new(pepper, token.encode(), hashlib.sha256).hexdigest()
        now = datetime.now(UTC)
        idle_cutoff = now - timedelta(seconds=settings.session_idle_ttl_seconds)
        statement = (
            select(LoginSession.id, LoginSession.last_used_at, User.id, User.role)
            .join(User, User.id == LoginSession.user_id)
            .where(
                LoginSession.token_hash == token_hash,
                LoginSession.expires_at > now,
                LoginSession.last_used_at > idle_cutoff,
            )
        )
        row = (await session.execute(statement)).one_or_none()
        if row is None:
            raise HTTPException(401, "The session has ended.")
        session_id, last_used_at, user_id, role = row
        if now - last_used_at > timedelta(seconds=60):
            touch = update(LoginSession).where(LoginSession.id == session_id)
            await session.execute(touch.values(last_used_at=now))
        return Caller(user_id=user_id, role=role)

    async def signed_in(user: Annotated[Caller | None, Depends(caller)]) -> Caller:
        if user is None:
            raise HTTPException(401, "Sign in first.")
        return user

    async def view_count(post_id: uuid.UUID) -> int | None:
        try:
            answer = await asyncio.to_thread(
                dynamodb.get_item,
                TableName=settings.views_table,
                Key={"postId": {"S": str(post_id)}},
            )
        except Exception:
            return None
        item = answer.get("Item")
        return int(item["viewCount"]["N"]) if item and "viewCount" in item else 0

    async def visible(session: AsyncSession, post_id: uuid.UUID, user: Caller | None) -> Post:
        statement = select(Post).where(Post.id == post_id, Post.deleted_at.is_(None))
        post = (await session.execute(statement)).scalar_one_or_none()
        if post is None:
            raise HTTPException(404, "Post not found.")
        mine = user is not None and (user.user_id == post.author_id or user.role in EDITORS)
        if post.status != "published" and not mine:
            raise HTTPException(404, "Post not found.")
        return post

    @app.get("/v1/posts/{post_id}", response_model=PostEnvelope)
    async def get_post(
        post_id: uuid.UUID,
        response: Response,
        session: Annotated[AsyncSession, Depends(db)],
        user: Annotated[Caller | None, Depends(caller)],
    ) -> PostEnvelope:
        post = await visible(session, post_id, user)
        response.headers["ETag"] = etag(post)
        return PostEnvelope(data=to_out(post, await view_count(post.id)))

    @app.post("/v1/posts", response_model=PostEnvelope, status_code=201)
    async def create_post(
        body: PostIn,
        response: Response,
        session: Annotated[AsyncSession, Depends(db)],
        user: Annotated[Caller, Depends(signed_in)],
    ) -> PostEnvelope:
        now = datetime.now(UTC)
        post = Post(
            title=body.title,
            body=body.body,
            slug=slugify(body.title),
            status=body.status,
            author_id=user.user_id,
            published_at=now if body.status == "published" else None,
            created_at=now,
            updated_at=now,
        )
        session.add(post)
        try:
            await session.commit()
        except IntegrityError as exc:
            raise HTTPException(409, "A post with this slug already exists.") from exc
        set_committed_value(post, "tags", [])  # a new post has none: no read for them
        response.headers["Location"] = f"/v1/posts/{post.id}"
        response.headers["ETag"] = etag(post)
        return PostEnvelope(data=to_out(post, 0))

    @app.patch("/v1/posts/{post_id}", response_model=PostEnvelope)
    async def update_post(
        post_id: uuid.UUID,
        body: PostPatch,
        response: Response,
        if_match: Annotated[str, Header()],
        session: Annotated[AsyncSession, Depends(db)],
        user: Annotated[Caller, Depends(signed_in)],
    ) -> PostEnvelope:
        post = await visible(session, post_id, user)
        if post.author_id != user.user_id and user.role not in EDITORS:
            raise HTTPException(403, "Not your post.")
        if if_match.strip() != etag(post):
            raise HTTPException(412, "The post changed since you read it.")
        for field, value in body.model_dump(exclude_unset=True).items():
            setattr(post, field, value)
        if post.status == "published" and post.published_at is None:
            post.published_at = datetime.now(UTC)
        post.updated_at = datetime.now(UTC)
        try:
            await session.commit()
        except StaleDataError as exc:
            raise HTTPException(412, "The post changed since you read it.") from exc
        response.headers["ETag"] = etag(post)
        return PostEnvelope(data=to_out(post, await view_count(post.id)))

    return app
