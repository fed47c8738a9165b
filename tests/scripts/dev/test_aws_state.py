"""The emulator's snapshot and restore, on backends of the test's own.

The session's emulator (tests/fixtures/aws.py) serves moto's global BackendDicts in this
process; these tests never touch them, only fresh BackendDicts passed in.
"""

from __future__ import annotations

import logging
import pickle
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import moto
import pytest
from moto.core.base_backend import BackendDict
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import DynamoDBBackend
from moto.s3.models import S3Backend, S3BackendDict, s3_backends
from moto.sns.models import SNSBackend
from moto.sqs.models import SQSBackend
from moto.utilities.utils import PARTITION_NAMES

from scripts.dev import aws_state
from scripts.dev.aws_state import StateKeeper, UnreadableSnapshot

Backends = Mapping[str, BackendDict[Any]]
REGION = "us-east-1"
TABLE = "views"


def fresh() -> Backends:
    """Empty BackendDicts for the services aws_state keeps, unknown to moto's server."""
    return {
        "dynamodb": BackendDict(DynamoDBBackend, "dynamodb"),
        "s3": S3BackendDict(
            S3Backend, "s3", use_boto3_regions=False, additional_regions=PARTITION_NAMES
        ),
        "sqs": BackendDict(SQSBackend, "sqs"),
        "sns": BackendDict(SNSBackend, "sns"),
    }


def dynamodb(backends: Backends) -> DynamoDBBackend:
    backend: DynamoDBBackend = backends["dynamodb"][DEFAULT_ACCOUNT_ID][REGION]
    return backend


def s3(backends: Backends) -> S3Backend:
    backend: S3Backend = backends["s3"][DEFAULT_ACCOUNT_ID]["aws"]
    return backend


def sqs(backends: Backends) -> SQSBackend:
    backend: SQSBackend = backends["sqs"][DEFAULT_ACCOUNT_ID][REGION]
    return backend


def views(backends: Backends) -> str | None:
    item = dynamodb(backends).get_item(TABLE, {"postId": {"S": "p1"}})
    if item is None:
        return None
    count: str = item.to_json()["Attributes"]["views"]["N"]
    return count


def is_empty(backends: Backends) -> bool:
    return all(len(backend_dict) == 0 for backend_dict in backends.values())


@pytest.fixture
def bucket() -> Iterator[str]:
    """A bucket name of this test's own (moto keeps S3's bucket namespace process-wide)."""
    name = f"snapshot-{uuid.uuid4().hex[:12]}"
    yield name
    s3_backends.bucket_accounts.pop(name, None)


@pytest.fixture
def stored(bucket: str) -> Backends:
    """Backends holding a view count, an uploaded file and a queued message."""
    backends = fresh()
    dynamodb(backends).create_table(
        TABLE,
        schema=[{"AttributeName": "postId", "KeyType": "HASH"}],
        throughput=None,
        attr=[{"AttributeName": "postId", "AttributeType": "S"}],
        global_indexes=None,
        indexes=None,
        streams=None,
        billing_mode="PAY_PER_REQUEST",
        sse_specification=None,
        tags=[],
        deletion_protection_enabled=None,
        warm_throughput=None,
    )
    dynamodb(backends).put_item(TABLE, {"postId": {"S": "p1"}, "views": {"N": "3"}})
    s3(backends).create_bucket(bucket, REGION)
    # moto records the bucket's owner in the global S3BackendDict, whatever the backend's.
    backends["s3"].bucket_accounts[bucket] = s3_backends.bucket_accounts[bucket]  # type: ignore[attr-defined]
    s3(backends).put_object(bucket, "posts/p1/pic.png", b"\x89PNG the bytes")
    sqs(backends).create_queue("jobs")
    sqs(backends).send_message("jobs", "job one")
    return backends


def assert_holds_what_was_stored(backends: Backends, bucket: str) -> None:
    assert views(backends) == "3"
    assert s3(backends).get_object(bucket, "posts/p1/pic.png").value == b"\x89PNG the bytes"  # type: ignore[union-attr]
    received = sqs(backends).receive_message("jobs", 10, 0, 30)
    assert [m.body for m in received] == ["job one"]
    # The queue's condition came back as a working one: a new message is announced and read.
    sqs(backends).send_message("jobs", "job two")
    received = sqs(backends).receive_message("jobs", 10, 1, 30)
    assert [m.body for m in received] == ["job two"]


class TestSnapshot:
    def test_a_restored_snapshot_holds_tables_files_and_messages(
        self, stored: Backends, bucket: str
    ) -> None:
        blob = aws_state.snapshot(stored)
        restored = fresh()

        assert aws_state.load(blob, restored) == 3  # dynamodb, s3 and sqs; sns was never used
        assert_holds_what_was_stored(restored, bucket)

    def test_the_s3_bucket_namespace_comes_back(self, stored: Backends, bucket: str) -> None:
        restored = fresh()
        aws_state.load(aws_state.snapshot(stored), restored)
        assert restored["s3"].bucket_accounts[bucket] == ("aws", DEFAULT_ACCOUNT_ID)  # type: ignore[attr-defined]

    def test_locks_pickle_as_fresh_ones_in_snapshots_only(self, stored: Backends) -> None:
        aws_state.snapshot(stored)
        with pytest.raises(TypeError):
            pickle.dumps(threading.Lock())


class TestKeeper:
    def test_save_then_restore_through_the_file(
        self, tmp_path: Path, stored: Backends, bucket: str
    ) -> None:
        path = tmp_path / "var" / "aws-state.pickle"
        assert StateKeeper(path, backends=stored).save()

        keeper = StateKeeper(path, backends=fresh())
        assert keeper.restore()
        assert keeper.restored
        assert_holds_what_was_stored(keeper.backends, bucket)
        assert sorted(p.name for p in path.parent.iterdir()) == ["aws-state.pickle"]

    def test_an_unchanged_state_is_not_written_again(
        self, tmp_path: Path, stored: Backends
    ) -> None:
        keeper = StateKeeper(tmp_path / "state.pickle", backends=stored)
        assert keeper.save()
        assert not keeper.save()
        sqs(stored).send_message("jobs", "job two")
        assert keeper.save()

    def test_periodic_snapshots_while_running(
        self, tmp_path: Path, stored: Backends, bucket: str
    ) -> None:
        path = tmp_path / "state.pickle"
        keeper = StateKeeper(path, every=0.05, backends=stored)
        keeper.start()
        try:
            deadline = time.monotonic() + 10
            while not path.exists() and time.monotonic() < deadline:
                time.sleep(0.02)
            assert path.exists(), "no periodic snapshot within 10 s"
        finally:
            keeper.close()
        restored = fresh()
        aws_state.load(path.read_bytes(), restored)
        assert_holds_what_was_stored(restored, bucket)

    def test_a_snapshot_waits_for_running_requests(self, tmp_path: Path, stored: Backends) -> None:
        keeper = StateKeeper(tmp_path / "state.pickle", backends=stored)
        with keeper.gate.request():
            assert not keeper.save(wait=0.05), "a periodic save skips a busy round"
            assert not keeper.path.exists()
            assert keeper.save(wait=0.05, force=True), "the last save does not give up"

    def test_a_failed_write_keeps_the_previous_snapshot(
        self, tmp_path: Path, stored: Backends, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        keeper = StateKeeper(tmp_path / "state.pickle", backends=stored)
        keeper.save()
        before = keeper.path.read_bytes()
        sqs(stored).send_message("jobs", "job two")

        def full_disk(*_: object) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr("os.replace", full_disk)
        with pytest.raises(OSError, match="No space"):
            keeper.save()
        assert keeper.path.read_bytes() == before
        assert [p.name for p in tmp_path.iterdir()] == ["state.pickle"], "no temporary file left"

    def test_close_never_raises(
        self,
        tmp_path: Path,
        stored: Backends,
        monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        def broken(_: object) -> bytes:
            raise RuntimeError("dictionary changed size during iteration")

        monkeypatch.setattr(aws_state, "snapshot", broken)
        keeper = StateKeeper(tmp_path / "state.pickle", backends=stored)
        with caplog.at_level(logging.ERROR, logger=aws_state.__name__):
            keeper.close()
        assert "could not save" in caplog.text


def unreadable_snapshots() -> list[Any]:
    whole = aws_state.snapshot(fresh())
    other_moto = pickle.dumps({"format": aws_state.FORMAT, "moto": "0.0.1", "services": {}})
    other_format = pickle.dumps({"format": 99, "moto": moto.__version__, "services": {}})
    not_a_backend = pickle.dumps(
        {
            "format": aws_state.FORMAT,
            "moto": moto.__version__,
            "services": {"sqs": {"backends": {DEFAULT_ACCOUNT_ID: {REGION: "x"}}, "extras": {}}},
        }
    )
    unknown_service = pickle.dumps(
        {"format": aws_state.FORMAT, "moto": moto.__version__, "services": {"ec2": {}}}
    )
    return [
        pytest.param(b"", id="empty"),
        pytest.param(b"not a pickle at all", id="garbage"),
        pytest.param(whole[: len(whole) // 2], id="truncated"),
        pytest.param(pickle.dumps(["a", "list"]), id="another-pickle"),
        pytest.param(other_format, id="other-format"),
        pytest.param(other_moto, id="other-moto-version"),
        pytest.param(not_a_backend, id="not-a-backend"),
        pytest.param(unknown_service, id="unknown-service"),
    ]


class TestUnreadable:
    def test_a_missing_snapshot_starts_empty(
        self, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        backends = fresh()
        with caplog.at_level(logging.INFO, logger=aws_state.__name__):
            assert not aws_state.restore(tmp_path / "none.pickle", backends)
        assert is_empty(backends)
        assert "starting empty" in caplog.text
        assert not [r for r in caplog.records if r.levelno >= logging.WARNING]

    @pytest.mark.parametrize("blob", unreadable_snapshots())
    def test_an_unreadable_snapshot_starts_empty_with_a_warning(
        self,
        tmp_path: Path,
        blob: bytes,
        caplog: pytest.LogCaptureFixture,
        stored: Backends,
        bucket: str,
    ) -> None:
        path = tmp_path / "aws-state.pickle"
        path.write_bytes(blob)
        keeper = StateKeeper(path, backends=fresh())

        with caplog.at_level(logging.WARNING, logger=aws_state.__name__):
            assert not keeper.restore()
        assert is_empty(keeper.backends), "nothing half-restored"
        [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert "unreadable" in warning.getMessage()
        assert "starting empty" in warning.getMessage()
        # What it held is kept aside, and the next snapshot goes where it was.
        assert (tmp_path / "aws-state.pickle.unreadable").read_bytes() == blob
        assert StateKeeper(path, backends=stored).save()
        assert aws_state.restore(path, fresh())

    @pytest.mark.parametrize("blob", unreadable_snapshots())
    def test_load_raises_and_changes_nothing(self, blob: bytes) -> None:
        backends = fresh()
        with pytest.raises(UnreadableSnapshot):
            aws_state.load(blob, backends)
        assert is_empty(backends)
