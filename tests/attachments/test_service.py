"""The attachments service, called in real units of work: what an upload may declare, checking
the object before trusting it, one job per completed upload, and who may touch a post's files."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import update

from app import errors
from app.attachments import service
from app.attachments.repository import AttachmentRepository
from app.jobs import repository as jobs
from app.platform.aws import s3
from app.platform.aws.clients import AwsClients
from app.platform.cache.reads import Cache
from app.platform.db.database import Database
from app.platform.db.models import Attachment, Post, User
from app.platform.db.unit_of_work import UnitOfWork
from app.platform.outbox.delivery import ID_FIELD
from app.posts import service as posts_service
from app.posts import storage
from app.settings import Settings
from tests.attachments import samples
from tests.aws_helpers import drain, put_object
from tests.fixtures.domains import Callers, add_user

PNG = samples.png(8, 8)
KINDS_ON_A_DRAFT = [
    ("anonymous", errors.Unauthenticated),
    ("author", errors.NotFound),
    ("editor", None),
    ("admin", None),
]


@pytest.fixture
async def owner(database: Database) -> User:
    return await add_user(database)


@pytest.fixture
async def post(database: Database, clients: AwsClients, owner: User) -> Post:
    return await new_post(database, clients, owner)


async def start(
    database: Database,
    clients: AwsClients,
    callers: Callers,
    post: Post,
    by: User | None,
    *,
    content_type: str = "image/png",
    size: int = len(PNG),
) -> service.Upload:
    return await database.transaction(
        lambda uow: service.create(
            uow=uow,
            clients=clients,
            caller=callers.of("createAttachment", by),
            post_id=post.id,
            filename="pic.png",
            content_type=content_type,
            size=size,
        )
    )


async def complete(
    database: Database, clients: AwsClients, callers: Callers, attachment: Attachment, by: User
) -> Attachment:
    return await database.transaction(
        lambda uow: service.complete(
            uow=uow,
            clients=clients,
            caller=callers.of("completeAttachment", by),
            post_id=attachment.post_id,
            attachment_id=attachment.id,
        )
    )


async def stored(database: Database, attachment_id: uuid.UUID) -> Attachment | None:
    return await database.transaction(lambda uow: uow.session.get(Attachment, attachment_id))


async def set_columns(database: Database, attachment_id: uuid.UUID, **values: object) -> None:
    async def unit(uow: UnitOfWork) -> None:
        await uow.session.execute(
            update(Attachment).where(Attachment.id == attachment_id).values(**values)
        )

    await database.transaction(unit)


async def list_of(
    database: Database, clients: AwsClients, callers: Callers, post: Post, by: User | None
) -> list[service.Listed]:
    return await database.transaction(
        lambda uow: service.list_completed(
            uow=uow, clients=clients, caller=callers.of("listAttachments", by), post_id=post.id
        )
    )


async def new_post(database: Database, clients: AwsClients, author: User) -> Post:
    return await database.transaction(
        lambda uow: posts_service.create(
            uow=uow,
            settings=clients.settings,
            author_id=author.id,
            title="More pictures",
            body="",
            slug=None,
            category_id=None,
            status="draft",
        )
    )


async def open_uploads(database: Database, post: Post) -> int:
    async def count(uow: UnitOfWork) -> int:
        found = await AttachmentRepository(uow.session).open_uploads(
            now=datetime.now(UTC), post_id=post.id
        )
        return found.count

    return await database.transaction(count)


def refusal(message: str, kind: str) -> tuple[errors.FieldProblem, ...]:
    return (errors.FieldProblem("upload", message, kind),)


class TestCreate:
    @pytest.mark.parametrize("content_type", ["image/svg+xml", "application/pdf", "image/bmp"])
    async def test_only_the_four_image_types_are_accepted(
        self,
        database: Database,
        clients: AwsClients,
        callers: Callers,
        post: Post,
        owner: User,
        content_type: str,
    ) -> None:
        with pytest.raises(errors.ValidationFailed) as raised:
            await start(database, clients, callers, post, owner, content_type=content_type)
        message = "Only PNG, JPEG, WebP and GIF images are accepted."
        assert raised.value.details == refusal(message, "content_type")

    @pytest.mark.parametrize("size", [0, -1, service.MAX_BYTES + 1])
    async def test_a_size_outside_one_byte_to_10_mib_is_refused(
        self,
        database: Database,
        clients: AwsClients,
        callers: Callers,
        post: Post,
        owner: User,
        size: int,
    ) -> None:
        with pytest.raises(errors.ValidationFailed) as raised:
            await start(database, clients, callers, post, owner, size=size)
        assert raised.value.details == refusal("An attachment is at most 10 MiB.", "size")

    @pytest.mark.parametrize("size", [1, service.MAX_BYTES])
    async def test_the_limits_are_inclusive(
        self,
        database: Database,
        clients: AwsClients,
        callers: Callers,
        post: Post,
        owner: User,
        size: int,
    ) -> None:
        started = await start(database, clients, callers, post, owner, size=size)
        assert started.attachment.size == size

    async def test_a_pending_attachment_under_the_posts_staging_prefix(
        self, database: Database, clients: AwsClients, callers: Callers, post: Post, owner: User
    ) -> None:
        before = datetime.now(UTC)
        started = await start(database, clients, callers, post, owner)
        attachment = started.attachment

        # The form writes to the staging key only; the final key is written by the job alone.
        assert attachment.object_key == f"staging/posts/{post.id}/{attachment.id}"
        assert not storage.is_final(started.form.fields["key"])
        assert (attachment.status, attachment.uploader_id, attachment.job_id) == (
            "pending",
            owner.id,
            None,
        )
        assert started.expires_at == attachment.upload_expires_at
        assert before + service.UPLOAD_TTL <= started.expires_at
        assert started.expires_at <= datetime.now(UTC) + service.UPLOAD_TTL
        assert started.form.fields["key"] == attachment.object_key
        assert started.form.fields["Content-Type"] == "image/png"
        kept = await stored(database, attachment.id)
        assert kept is not None
        assert kept.status == "pending"

    @pytest.mark.parametrize(("kind", "expected"), KINDS_ON_A_DRAFT)
    async def test_on_a_draft_by_kind_of_caller(
        self,
        database: Database,
        clients: AwsClients,
        callers: Callers,
        post: Post,
        kind: str,
        expected: type[errors.AppError] | None,
    ) -> None:
        caller = None if kind == "anonymous" else await add_user(database, role=kind)
        if expected is None:
            assert caller is not None
            started = await start(database, clients, callers, post, caller)
            assert started.attachment.uploader_id == caller.id
            return
        with pytest.raises(expected):
            await start(database, clients, callers, post, caller)


class TestUploadsInProgress:
    """At most ATTACHMENTS_PENDING_PER_POST uploads in progress on a post, and
    ATTACHMENTS_PENDING_PER_USER by one uploader; completing, deleting or letting a form
    expire frees a slot."""

    @pytest.fixture
    def capped(self, settings: Settings) -> Iterator[AwsClients]:
        made = AwsClients(
            settings.model_copy(
                update={"attachments_pending_per_post": 2, "attachments_pending_per_user": 3}
            )
        )
        yield made
        made.close()

    async def refused(
        self, database: Database, clients: AwsClients, callers: Callers, post: Post, by: User
    ) -> errors.AppError:
        with pytest.raises(errors.TooManyPendingUploads) as raised:
            await start(database, clients, callers, post, by)
        return raised.value

    async def test_a_post_takes_at_most_its_cap_from_anyone(
        self,
        database: Database,
        cache: Cache,
        capped: AwsClients,
        callers: Callers,
        post: Post,
        owner: User,
    ) -> None:
        first = await start(database, capped, callers, post, owner)
        await start(database, capped, callers, post, owner)

        refusal = await self.refused(database, capped, callers, post, owner)
        editor = await add_user(database, role="editor")
        by_editor = await self.refused(database, capped, callers, post, editor)

        assert (refusal.status_code, refusal.code) == (409, "TOO_MANY_PENDING_UPLOADS")
        assert refusal.message.startswith("This post has the most uploads in progress allowed (2)")
        assert by_editor.message == refusal.message
        wait = (first.expires_at - datetime.now(UTC)).total_seconds()
        assert 0 < int(refusal.headers["Retry-After"]) <= wait + 1
        assert await open_uploads(database, post) == 2
        # Another post of the same author has room of its own.
        await start(database, capped, callers, await new_post(database, capped, owner), owner)

    async def test_a_user_takes_at_most_their_cap_across_posts(
        self,
        database: Database,
        cache: Cache,
        capped: AwsClients,
        callers: Callers,
        post: Post,
        owner: User,
    ) -> None:
        other = await new_post(database, capped, owner)
        await start(database, capped, callers, post, owner)
        await start(database, capped, callers, post, owner)
        await start(database, capped, callers, other, owner)

        refusal = await self.refused(database, capped, callers, other, owner)

        assert refusal.message.startswith("You have the most uploads in progress allowed (3)")
        # Someone else may still upload to the same post.
        editor = await add_user(database, role="editor")
        assert (await start(database, capped, callers, other, editor)).attachment.id

    async def test_completing_deleting_or_an_expired_form_frees_a_slot(
        self,
        database: Database,
        cache: Cache,
        capped: AwsClients,
        callers: Callers,
        post: Post,
        owner: User,
    ) -> None:
        completed = (await start(database, capped, callers, post, owner)).attachment
        expired = (await start(database, capped, callers, post, owner)).attachment
        await self.refused(database, capped, callers, post, owner)

        await put_object(capped, key=completed.object_key, body=PNG)
        await complete(database, capped, callers, completed, owner)
        deleted = (await start(database, capped, callers, post, owner)).attachment
        await self.refused(database, capped, callers, post, owner)

        await set_columns(
            database, expired.id, upload_expires_at=datetime.now(UTC) - timedelta(seconds=1)
        )
        await start(database, capped, callers, post, owner)
        await self.refused(database, capped, callers, post, owner)

        await database.transaction(
            lambda uow: service.delete(
                uow=uow,
                caller=callers.of("deleteAttachment", owner),
                post_id=post.id,
                attachment_id=deleted.id,
            )
        )
        await start(database, capped, callers, post, owner)
        await self.refused(database, capped, callers, post, owner)


class TestComplete:
    async def test_nothing_uploaded_yet_is_a_conflict_and_keeps_the_form(
        self, database: Database, clients: AwsClients, callers: Callers, post: Post, owner: User
    ) -> None:
        started = await start(database, clients, callers, post, owner)
        with pytest.raises(errors.Conflict, match="No file was uploaded"):
            await complete(database, clients, callers, started.attachment, owner)
        kept = await stored(database, started.attachment.id)
        assert kept is not None
        assert kept.status == "pending"

    @pytest.mark.parametrize(
        ("body", "content_type", "message", "kind"),
        [
            (PNG + b"x", "image/png", f"The file has {len(PNG) + 1} bytes, not the", "size"),
            (PNG, "image/gif", "The file's content type differs", "content_type"),
        ],
        ids=["size", "content_type"],
    )
    async def test_an_object_unlike_its_declaration_is_deleted_and_refused(
        self,
        database: Database,
        clients: AwsClients,
        callers: Callers,
        post: Post,
        owner: User,
        body: bytes,
        content_type: str,
        message: str,
        kind: str,
    ) -> None:
        started = await start(database, clients, callers, post, owner)
        key = started.attachment.object_key
        await put_object(clients, key=key, body=body, content_type=content_type)

        with pytest.raises(errors.ValidationFailed) as raised:
            await complete(database, clients, callers, started.attachment, owner)

        (problem,) = raised.value.details
        assert (problem.location, problem.type) == ("upload", kind)
        assert problem.message.startswith(message)
        assert await s3.head(clients, key=key) is None
        kept = await stored(database, started.attachment.id)
        assert kept is not None
        assert (kept.status, kept.job_id) == ("pending", None)

    async def test_a_file_that_arrived_after_the_form_expired_is_refused(
        self, database: Database, clients: AwsClients, callers: Callers, post: Post, owner: User
    ) -> None:
        started = await start(database, clients, callers, post, owner)
        await put_object(clients, key=started.attachment.object_key, body=PNG)
        past = datetime.now(UTC) - timedelta(minutes=1)
        await set_columns(database, started.attachment.id, upload_expires_at=past)

        with pytest.raises(errors.ValidationFailed) as raised:
            await complete(database, clients, callers, started.attachment, owner)

        message = "The file arrived after the upload form expired."
        assert raised.value.details == refusal(message, "expired")

    async def test_a_checked_upload_gets_one_queued_job_once(
        self, database: Database, clients: AwsClients, callers: Callers, post: Post, owner: User
    ) -> None:
        await asyncio.to_thread(drain, clients, clients.settings.jobs_queue)
        started = await start(database, clients, callers, post, owner)
        await put_object(clients, key=started.attachment.object_key, body=PNG)

        done = await complete(database, clients, callers, started.attachment, owner)

        assert done.status == "processing"
        assert done.job_id is not None
        job = await jobs.get(clients, job_id=done.job_id)
        assert job is not None
        assert (job.owner_id, job.attachment_id, job.status) == (owner.id, done.id, "queued")
        messages = await asyncio.to_thread(drain, clients, clients.settings.jobs_queue)
        sent = {"type": jobs.PROCESS_ATTACHMENT, "jobId": str(done.job_id)}
        (message,) = messages
        # Its outbox id, which a consumer deduplicates on.
        assert uuid.UUID(message.pop(ID_FIELD))
        assert message == {**sent, "attachmentId": str(done.id), "postId": str(post.id)}
        with pytest.raises(errors.Conflict, match="already completed"):
            await complete(database, clients, callers, started.attachment, owner)
        kept = await stored(database, done.id)
        assert kept is not None
        assert (kept.status, kept.job_id) == ("processing", done.job_id)

    async def test_nothing_uploaded_before_the_form_expired_is_a_conflict_that_says_so(
        self, database: Database, clients: AwsClients, callers: Callers, post: Post, owner: User
    ) -> None:
        started = await start(database, clients, callers, post, owner)
        past = datetime.now(UTC) - timedelta(seconds=1)
        await set_columns(database, started.attachment.id, upload_expires_at=past)

        with pytest.raises(errors.Conflict, match="expired before a file arrived"):
            await complete(database, clients, callers, started.attachment, owner)

    async def test_an_unknown_attachment_is_not_found(
        self, database: Database, clients: AwsClients, callers: Callers, post: Post, owner: User
    ) -> None:
        ghost = Attachment(id=uuid.uuid4(), post_id=post.id)
        with pytest.raises(errors.NotFound, match="Attachment not found"):
            await complete(database, clients, callers, ghost, owner)


class TestListAndDelete:
    async def test_a_ready_row_still_naming_a_staging_key_gets_no_url(
        self, database: Database, clients: AwsClients, callers: Callers, post: Post, owner: User
    ) -> None:
        attachment = (await start(database, clients, callers, post, owner)).attachment
        await put_object(clients, key=attachment.object_key, body=PNG)
        await set_columns(database, attachment.id, status="ready")

        listed = await list_of(database, clients, callers, post, owner)

        assert [(item.attachment.id, item.download_url) for item in listed] == [
            (attachment.id, None)
        ]

    async def test_the_list_leaves_out_pending_uploads_and_links_only_ready_files(
        self, database: Database, clients: AwsClients, callers: Callers, post: Post, owner: User
    ) -> None:
        pending = (await start(database, clients, callers, post, owner)).attachment
        processing = (await start(database, clients, callers, post, owner)).attachment
        ready = (await start(database, clients, callers, post, owner)).attachment
        final = storage.final_key(post.id, ready.id)
        await set_columns(database, processing.id, status="processing")
        await set_columns(database, ready.id, status="ready", object_key=final)

        listed = await list_of(database, clients, callers, post, owner)

        by_id = {item.attachment.id: item.download_url for item in listed}
        assert set(by_id) == {processing.id, ready.id}
        assert pending.id not in by_id
        assert by_id[processing.id] is None
        url = by_id[ready.id]
        assert url is not None
        assert urlsplit(url).path.endswith(f"/{final}")
        query = parse_qs(urlsplit(url).query)
        assert query["response-content-type"] == ["image/png"]
        assert query["response-content-disposition"] == [
            "attachment; filename=\"pic.png\"; filename*=UTF-8''pic.png"
        ]

    @pytest.mark.parametrize(
        ("kind", "manages"),
        [
            ("anonymous", False),
            ("stranger", False),
            ("owner", True),
            ("editor", True),
            ("admin", True),
        ],
    )
    async def test_only_those_who_manage_the_post_see_work_in_progress(
        self,
        database: Database,
        cache: Cache,
        clients: AwsClients,
        callers: Callers,
        owner: User,
        kind: str,
        manages: bool,
    ) -> None:
        published = await database.transaction(
            lambda uow: posts_service.create(
                uow=uow,
                settings=clients.settings,
                author_id=owner.id,
                title="Public pictures",
                body="",
                slug=None,
                category_id=None,
                status="published",
            )
        )
        rows = {}
        for status in ("pending", "processing", "ready", "rejected"):
            attachment = (await start(database, clients, callers, published, owner)).attachment
            final = storage.final_key(published.id, attachment.id)
            job_id = None if status == "pending" else uuid.uuid4()
            await set_columns(
                database, attachment.id, status=status, job_id=job_id, object_key=final
            )
            rows[status] = (attachment.id, job_id)
        by = {
            "anonymous": None,
            "stranger": await add_user(database),
            "owner": owner,
            "editor": await add_user(database, role="editor"),
            "admin": await add_user(database, role="admin"),
        }[kind]

        listed = await list_of(database, clients, callers, published, by)

        shown = {item.attachment.status: (item.attachment.id, item.job_id) for item in listed}
        if manages:
            assert shown == {s: rows[s] for s in ("processing", "ready", "rejected")}
        else:
            assert shown == {"ready": (rows["ready"][0], None)}
        assert all(item.download_url for item in listed if item.attachment.status == "ready")

    async def test_a_delete_removes_the_objects_and_the_row(
        self, database: Database, clients: AwsClients, callers: Callers, post: Post, owner: User
    ) -> None:
        attachment = (await start(database, clients, callers, post, owner)).attachment
        final = storage.final_key(post.id, attachment.id)
        await put_object(clients, key=attachment.object_key, body=PNG)
        await put_object(clients, key=final, body=PNG)

        await database.transaction(
            lambda uow: service.delete(
                uow=uow,
                caller=callers.of("deleteAttachment", owner),
                post_id=post.id,
                attachment_id=attachment.id,
            )
        )

        assert await s3.head(clients, key=attachment.object_key) is None
        assert await s3.head(clients, key=final) is None
        assert await stored(database, attachment.id) is None

    async def test_a_stranger_cannot_delete_a_file_of_a_draft(
        self, database: Database, clients: AwsClients, callers: Callers, post: Post, owner: User
    ) -> None:
        attachment = (await start(database, clients, callers, post, owner)).attachment
        await put_object(clients, key=attachment.object_key, body=PNG)
        stranger = await add_user(database)

        with pytest.raises(errors.NotFound):
            await database.transaction(
                lambda uow: service.delete(
                    uow=uow,
                    caller=callers.of("deleteAttachment", stranger),
                    post_id=post.id,
                    attachment_id=attachment.id,
                )
            )

        assert await s3.head(clients, key=attachment.object_key) is not None
        assert await stored(database, attachment.id) is not None


class TestContentDisposition:
    @pytest.mark.parametrize(
        ("filename", "expected"),
        [
            ("pic.png", "attachment; filename=\"pic.png\"; filename*=UTF-8''pic.png"),
            (
                'a"b\\c.png',
                "attachment; filename=\"a_b_c.png\"; filename*=UTF-8''a%22b%5Cc.png",
            ),
            (
                "ünï cödé.png",
                'attachment; filename="_n_ c_d_.png"; '
                "filename*=UTF-8''%C3%BCn%C3%AF%20c%C3%B6d%C3%A9.png",
            ),
            (
                "x\r\nSet-Cookie: a=b.png",
                'attachment; filename="x__Set-Cookie_ a_b.png"; '
                "filename*=UTF-8''x%0D%0ASet-Cookie%3A%20a%3Db.png",
            ),
        ],
        ids=["plain", "quotes", "non-ascii", "header-injection"],
    )
    def test_a_download_is_saved_under_its_name_whatever_the_name_holds(
        self, filename: str, expected: str
    ) -> None:
        disposition = service.content_disposition(filename)
        assert disposition == expected
        assert disposition.isascii()
        assert disposition.isprintable()
