"""S3 helpers: presigned forms and URLs, object checks, reads and deletes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from app.platform.aws.calls import AwsError, call
from app.platform.aws.clients import AwsClients

if TYPE_CHECKING:
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    size: int
    content_type: str
    last_modified: datetime


@dataclass(frozen=True, slots=True)
class PresignedPost:
    url: str
    fields: dict[str, str]


async def presigned_post(
    clients: AwsClients, *, key: str, content_type: str, size: int, expires_in: int
) -> PresignedPost:
    """A form that S3 accepts only for this key, this content type and exactly this size."""
    bucket = clients.settings.uploads_bucket
    answer: dict[str, Any] = await call(
        clients.s3().generate_presigned_post,
        Bucket=bucket,
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", size, size]],
        ExpiresIn=expires_in,
    )
    return PresignedPost(url=answer["url"], fields={k: str(v) for k, v in answer["fields"].items()})


async def presigned_gets(clients: AwsClients, *, keys: list[str], expires_in: int) -> list[str]:
    """Download URLs for these keys, signed in one worker-thread hop."""
    bucket, s3 = clients.settings.uploads_bucket, clients.s3()

    def sign() -> list[str]:
        return [
            s3.generate_presigned_url(
                "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires_in
            )
            for key in keys
        ]

    return await call(sign)


async def head(clients: AwsClients, *, key: str) -> ObjectInfo | None:
    try:
        answer = await call(
            clients.s3().head_object, Bucket=clients.settings.uploads_bucket, Key=key
        )
    except AwsError as exc:
        if exc.not_found:
            return None
        raise
    return ObjectInfo(
        size=answer["ContentLength"],
        content_type=answer.get("ContentType", ""),
        last_modified=answer["LastModified"],
    )


async def read_prefix(clients: AwsClients, *, key: str, max_bytes: int) -> bytes | None:
    """The object's first max_bytes bytes; None when it does not exist."""

    def read() -> bytes:
        answer = clients.s3().get_object(
            Bucket=clients.settings.uploads_bucket, Key=key, Range=f"bytes=0-{max_bytes - 1}"
        )
        with answer["Body"] as body:
            return body.read(max_bytes)

    try:
        return await call(read)
    except AwsError as exc:
        if exc.not_found:
            return None
        raise


async def delete(clients: AwsClients, *, key: str) -> None:
    """Delete the object; S3 answers the same whether or not it existed."""
    await call(clients.s3().delete_object, Bucket=clients.settings.uploads_bucket, Key=key)


async def delete_prefix(clients: AwsClients, *, prefix: str) -> int:
    """Delete every object whose key starts with prefix; the number deleted.

    Listed a page at a time and deleted with one DeleteObjects call per page (at most 1,000 keys).
    A key S3 refuses to delete fails the whole call, so a retry finds what is left.
    """
    bucket, s3 = clients.settings.uploads_bucket, clients.s3()

    def delete_all() -> int:
        deleted = 0
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            objects: list[ObjectIdentifierTypeDef] = [
                {"Key": item["Key"]} for item in page.get("Contents", [])
            ]
            if not objects:
                continue
            answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})
            if refused := answer.get("Errors"):
                first = refused[0]
                raise AwsError(
                    code=str(first.get("Code", "")),
                    status=0,
                    message=f"{len(refused)} of {len(objects)} objects not deleted",
                )
            deleted += len(objects)
        return deleted

    return await call(delete_all)
