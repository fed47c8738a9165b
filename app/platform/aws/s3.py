"""S3 helpers: presigned forms and URLs, object checks, reads, server-side copies and deletes."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import msgspec

from app.platform.aws.calls import AwsError, call
from app.platform.aws.clients import AwsClients

if TYPE_CHECKING:
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef


class ObjectInfo(msgspec.Struct, frozen=True):
    size: int
    content_type: str
    last_modified: datetime
    # Names one version of the object's bytes: a copy can be made conditional on it.
    etag: str = ""


class Download(msgspec.Struct, frozen=True):
    """What a download URL names, and the headers it makes S3 answer with."""

    key: str
    content_type: str
    content_disposition: str


class PresignedPost(msgspec.Struct, frozen=True):
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


async def presigned_gets(
    clients: AwsClients, *, objects: list[Download], expires_in: int
) -> list[str]:
    """Download URLs for these objects, signed in one worker-thread hop.

    Each URL also pins the response's Content-Type and Content-Disposition (signed, so a
    client cannot change them), whatever metadata the stored object carries.
    """
    bucket, s3 = clients.settings.uploads_bucket, clients.s3()

    def sign() -> list[str]:
        return [
            s3.generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": bucket,
                    "Key": item.key,
                    "ResponseContentType": item.content_type,
                    "ResponseContentDisposition": item.content_disposition,
                },
                ExpiresIn=expires_in,
            )
            for item in objects
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
        etag=answer.get("ETag", ""),
    )


async def read_prefix(clients: AwsClients, *, key: str, max_bytes: int) -> bytes | None:
    """The object's first max_bytes bytes; None when it does not exist."""
    found = await read_start(clients, key=key, max_bytes=max_bytes)
    return None if found is None else found[0]


async def read_start(
    clients: AwsClients, *, key: str, max_bytes: int
) -> tuple[bytes, ObjectInfo] | None:
    """The object's first max_bytes bytes and what S3 says of the whole object, read in one
    request (so both describe the same version); None when it does not exist."""

    def read() -> tuple[bytes, ObjectInfo]:
        answer = clients.s3().get_object(
            Bucket=clients.settings.uploads_bucket, Key=key, Range=f"bytes=0-{max_bytes - 1}"
        )
        with answer["Body"] as body:
            data = body.read(max_bytes)
        # "bytes 0-99/1234": the size of the whole object follows the slash.
        whole = answer.get("ContentRange", "").rpartition("/")[2]
        info = ObjectInfo(
            size=int(whole) if whole.isdigit() else answer["ContentLength"],
            content_type=answer.get("ContentType", ""),
            last_modified=answer["LastModified"],
            etag=answer.get("ETag", ""),
        )
        return data, info

    try:
        return await call(read)
    except AwsError as exc:
        if exc.not_found:
            return None
        if exc.code != "InvalidRange":
            raise
    # An empty object has no byte 0 to read (S3 answers 416): nothing to read but its size.
    info = await head(clients, key=key)
    return None if info is None else (b"", info)


async def copy_once(
    clients: AwsClients,
    *,
    source: str,
    key: str,
    source_etag: str,
    content_type: str,
    content_disposition: str,
) -> bool:
    """Copy source to key inside S3, with this Content-Type and Content-Disposition; True when
    copied, False when key already existed: it is written once, never overwritten.

    The copy is of the version source_etag names, and only if key does not exist yet: checked
    first, and then by S3 itself (a conditional CopyObject), so two copies racing cannot both
    write. Either condition failing is the same 412: key existing means another copy made it;
    otherwise the source changed since it was read, and AwsError with `condition_failed` is
    raised. A missing source raises AwsError with `not_found`.
    """
    if await head(clients, key=key) is not None:
        return False
    bucket = clients.settings.uploads_bucket
    try:
        await call(
            clients.s3().copy_object,
            Bucket=bucket,
            Key=key,
            CopySource={"Bucket": bucket, "Key": source},
            CopySourceIfMatch=source_etag,
            IfNoneMatch="*",
            MetadataDirective="REPLACE",
            ContentType=content_type,
            ContentDisposition=content_disposition,
        )
    except AwsError as exc:
        if exc.condition_failed and await head(clients, key=key) is not None:
            return False
        raise
    return True


async def keys_modified_before(
    clients: AwsClients, *, prefix: str, before: datetime, limit: int
) -> list[str]:
    """Up to limit keys under prefix last modified before `before`, in key order."""
    bucket, s3 = clients.settings.uploads_bucket, clients.s3()

    def list_keys() -> list[str]:
        found: list[str] = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                if item["LastModified"] < before:
                    found.append(item["Key"])
                    if len(found) >= limit:
                        return found
        return found

    return await call(list_keys)


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
