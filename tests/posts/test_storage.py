"""Where a post's files live: staged (where forms write) and final (served), and deleting a
post's uploads removes both kinds, of that post only."""

from __future__ import annotations

import uuid

import pytest

from app.platform.aws import s3
from app.platform.aws.clients import AwsClients
from app.platform.db.database import Database
from app.platform.db.unit_of_work import UnitOfWork
from app.posts import storage
from tests.aws_helpers import put_object


def test_a_staging_key_is_never_a_final_key() -> None:
    post_id, attachment_id = uuid.uuid4(), uuid.uuid4()
    staging = storage.staging_key(post_id, attachment_id)
    final = storage.final_key(post_id, attachment_id)

    assert staging == f"staging/posts/{post_id}/{attachment_id}"
    assert final == f"posts/{post_id}/{attachment_id}"
    assert (storage.is_final(staging), storage.is_final(final)) == (False, True)
    # Neither prefix holds the other's keys, so deleting one kind never touches the other.
    assert not final.startswith(storage.staging_prefix(post_id))
    assert not staging.startswith(storage.uploads_prefix(post_id))


@pytest.mark.parametrize(
    "key",
    [
        "posts/{p}/{a}",
        "staging/posts/{p}",
        "staging/posts/{p}/{a}/more",
        "staging/other/{p}/{a}",
        "staging/posts/not-a-uuid/{a}",
    ],
)
def test_only_staging_keys_this_app_makes_are_parsed(key: str) -> None:
    assert storage.parse_staging_key(key.format(p=uuid.uuid4(), a=uuid.uuid4())) is None


def test_a_staging_key_names_its_post_and_attachment() -> None:
    post_id, attachment_id = uuid.uuid4(), uuid.uuid4()
    parsed = storage.parse_staging_key(storage.staging_key(post_id, attachment_id))
    assert parsed == (post_id, attachment_id)


async def test_deleting_a_posts_uploads_removes_its_staged_and_final_files_only(
    database: Database, clients: AwsClients
) -> None:
    post_id, other_post_id = uuid.uuid4(), uuid.uuid4()
    attachment_id, other_attachment_id = uuid.uuid4(), uuid.uuid4()
    gone = [
        storage.staging_key(post_id, attachment_id),
        storage.final_key(post_id, attachment_id),
        storage.staging_key(post_id, uuid.uuid4()),
    ]
    kept = [
        storage.staging_key(other_post_id, other_attachment_id),
        storage.final_key(other_post_id, other_attachment_id),
    ]
    for key in gone + kept:
        await put_object(clients, key=key, body=b"x")

    async def unit(uow: UnitOfWork) -> None:
        storage.delete_uploads(uow, post_id=post_id)

    await database.transaction(unit)

    assert [await s3.head(clients, key=key) for key in gone] == [None] * len(gone)
    assert all([await s3.head(clients, key=key) is not None for key in kept])
