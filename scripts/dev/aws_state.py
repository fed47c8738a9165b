"""The embedded AWS emulator's state on disk, so that `make run` keeps what it stored.

moto keeps every resource in process memory: one BackendDict per service, holding a backend per
account and region (moto.core.base_backend). moto 5.2 persists nothing itself: /moto-api/reset
only clears, and its recorder can only re-send the requests it logged, which does not rebuild
the state (a replayed receive hands out new receipt handles, so the recorded delete after it
misses and a finished job comes back) and logs every request, reads included, forever. Its
backends are plain Python objects, though, and they pickle once the locks and conditions inside
them (SQS queues, S3 keys) are written as fresh ones. So a snapshot is a pickle of the backends
of the services the app uses, written atomically (a temporary file, then os.replace) every 30 s
and at every clean stop, and loaded into moto's BackendDicts before the emulator serves its
first request. The app still talks to the emulator over HTTP with boto3.

A snapshot is only as trustworthy as code (unpickling runs what it names): it is the file this
module wrote under var/, never one from elsewhere. One that cannot be read (corrupt, or written
by another moto version) is moved aside with a warning, and the emulator starts empty.
"""

from __future__ import annotations

import contextlib
import copyreg
import io
import logging
import os
import pickle
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import moto
from moto.core.base_backend import BackendDict, BaseBackend, backend_lock
from moto.dynamodb.models import dynamodb_backends
from moto.s3.models import s3_backends
from moto.sns.models import sns_backends
from moto.sqs.models import sqs_backends

log = logging.getLogger(__name__)

FORMAT = 1
# The services whose resources scripts/dev/bootstrap_aws.py creates, by moto's service name.
BACKENDS: Mapping[str, BackendDict[Any]] = {
    "dynamodb": dynamodb_backends,
    "s3": s3_backends,
    "sqs": sqs_backends,
    "sns": sns_backends,
}
# Periodic snapshots bound what a hard kill (SIGKILL, a crash, power loss) can lose.
DEFAULT_EVERY_SECONDS = 30.0
# A request mutating a backend while it is pickled (see RequestGate) makes pickle fail with
# "changed size during iteration"; the next attempt sees the finished change.
PICKLE_ATTEMPTS = 5


class UnreadableSnapshot(Exception):
    """The file is not a snapshot this module can restore."""


def _fresh(factory: Callable[[], object]) -> Callable[[object], tuple[Any, ...]]:
    """A reducer that pickles any object as a call of factory with no arguments."""
    return lambda _: (factory, ())


class _Pickler(pickle.Pickler):
    # A lock or condition holds no data: it is written as "make a new one" (the live one, and
    # a long poll waiting on it, are untouched). The table is this pickler's own, so pickling
    # elsewhere in the process still refuses locks.
    dispatch_table = MappingProxyType(
        {
            **copyreg.dispatch_table,
            type(threading.Lock()): _fresh(threading.Lock),
            type(threading.RLock()): _fresh(threading.RLock),
            threading.Condition: _fresh(threading.Condition),
        }
    )


# What every BackendDict holds besides its backends; anything else (S3's bucket_accounts, the
# bucket namespace shared by all accounts) is state, and goes into the snapshot with them.
_PLAIN = frozenset(vars(BackendDict(BaseBackend, "probe")))


def snapshot(backends: Mapping[str, BackendDict[Any]] = BACKENDS) -> bytes:
    """The backends as one pickle (one graph, so objects they share stay shared)."""
    services = {
        name: {
            "backends": {account: dict(regions) for account, regions in backend_dict.items()},
            "extras": {k: v for k, v in vars(backend_dict).items() if k not in _PLAIN},
        }
        for name, backend_dict in backends.items()
    }
    state = {"format": FORMAT, "moto": moto.__version__, "services": services}
    for attempt in range(1, PICKLE_ATTEMPTS + 1):
        buffer = io.BytesIO()
        try:
            _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(state)
        except RuntimeError:
            if attempt == PICKLE_ATTEMPTS:
                raise
            time.sleep(0.01)
        else:
            return buffer.getvalue()
    raise AssertionError("unreachable")


def _dict(value: object, what: str) -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise UnreadableSnapshot(f"{what} is not a mapping")
    return value


def load(blob: bytes, backends: Mapping[str, BackendDict[Any]] = BACKENDS) -> int:
    """Put the backends of a snapshot into the BackendDicts; the number of backends put.

    Raises UnreadableSnapshot, having changed nothing, when blob is not a whole snapshot of
    this format, written by this moto version.
    """
    try:
        state = pickle.loads(blob)  # noqa: S301 - our own file under var/; see the docstring
    except Exception as error:
        raise UnreadableSnapshot(f"not a readable pickle ({error!r})") from error
    state = _dict(state, "the snapshot")
    if state.get("format") != FORMAT:
        raise UnreadableSnapshot(f"not a snapshot of format {FORMAT}")
    if state.get("moto") != moto.__version__:
        raise UnreadableSnapshot(
            f"written by moto {state.get('moto')}, this is moto {moto.__version__}"
        )
    placed: list[tuple[BackendDict[Any], str, str, BaseBackend]] = []
    extras: list[tuple[BackendDict[Any], dict[str, Any]]] = []
    for name, service in _dict(state.get("services"), "services").items():
        backend_dict = backends.get(name)
        if backend_dict is None:
            raise UnreadableSnapshot(f"an unexpected service {name!r}")
        service = _dict(service, name)
        for account, regions in _dict(service.get("backends"), f"{name} backends").items():
            for region, backend in _dict(regions, f"{name} account {account}").items():
                if not isinstance(backend, backend_dict.backend):
                    raise UnreadableSnapshot(f"{name}/{account}/{region} is not a backend")
                placed.append((backend_dict, account, region, backend))
        extras.append((backend_dict, _dict(service.get("extras"), f"{name} extras")))
    with backend_lock:
        for backend_dict, account, region, backend in placed:
            backend_dict[account][region] = backend
        for backend_dict, attributes in extras:
            vars(backend_dict).update(attributes)
    return len(placed)


def write_atomically(path: Path, blob: bytes) -> None:
    """Replace path with blob: a reader (or a crash) sees the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(blob)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def restore(path: Path, backends: Mapping[str, BackendDict[Any]] = BACKENDS) -> bool:
    """Load the snapshot at path, if there is a readable one; never raises for a bad file.

    A missing file starts empty. An unreadable one starts empty with a warning, and is moved to
    <name>.unreadable so that the next snapshot does not overwrite what it held.
    """
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        log.info("no AWS emulator snapshot at %s: starting empty", path)
        return False
    except OSError as error:
        log.warning("cannot read the AWS emulator snapshot %s (%s): starting empty", path, error)
        return False
    try:
        count = load(blob, backends)
    except UnreadableSnapshot as error:
        aside = path.with_name(path.name + ".unreadable")
        with contextlib.suppress(OSError):
            os.replace(path, aside)
        log.warning(
            "the AWS emulator snapshot %s is unreadable (%s): starting empty; moved it to %s",
            path,
            error,
            aside,
        )
        return False
    log.info("restored the AWS emulator from %s (%d backends)", path, count)
    return True


class RequestGate:
    """Lets the emulator's requests run side by side, and a snapshot run alone between them.

    A request holds it while it runs; quiet() waits until none runs and holds off new ones while
    the snapshot is taken. Requests that may wait long (SQS long polls) skip the gate: they only
    mark messages received, and a snapshot taken beside one is retried (PICKLE_ATTEMPTS).
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._running = 0

    @contextlib.contextmanager
    def request(self) -> Iterator[None]:
        with self._condition:
            self._running += 1
        try:
            yield
        finally:
            with self._condition:
                self._running -= 1
                if self._running == 0:
                    self._condition.notify_all()

    @contextlib.contextmanager
    def quiet(self, timeout: float) -> Iterator[bool]:
        """Hold off new requests; yields whether the running ones finished within timeout."""
        with self._condition:
            yield self._condition.wait_for(lambda: self._running == 0, timeout=timeout)


class StateKeeper:
    """Restores the emulator's state from path at start, and snapshots it there every `every`
    seconds (in a daemon thread) and at close."""

    def __init__(
        self,
        path: Path,
        every: float = DEFAULT_EVERY_SECONDS,
        backends: Mapping[str, BackendDict[Any]] = BACKENDS,
    ) -> None:
        self.path = path
        self.every = every
        self.backends = backends
        self.gate = RequestGate()
        self._last: bytes | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.restored = False

    def restore(self) -> bool:
        """Before the emulator serves: load the snapshot, if a readable one is there."""
        self.restored = restore(self.path, self.backends)
        return self.restored

    def save(self, *, wait: float = 5.0, force: bool = False) -> bool:
        """Snapshot between requests; whether a new file was written.

        When requests are still running after `wait` seconds, a periodic save skips this round
        and a forced one (at close) snapshots anyway.
        """
        with self.gate.quiet(wait) as quiet:
            if not quiet and not force:
                return False
            blob = snapshot(self.backends)
        if blob == self._last:
            return False
        write_atomically(self.path, blob)
        self._last = blob
        return True

    def start(self) -> None:
        self._thread = threading.Thread(target=self._every, name="aws-state", daemon=True)
        self._thread.start()

    def _every(self) -> None:
        while not self._stopping.wait(self.every):
            try:
                self.save()
            except Exception:
                log.warning("AWS emulator snapshot to %s failed", self.path, exc_info=True)

    def close(self) -> None:
        """Stop the periodic saves and take the last snapshot (the emulator no longer serves)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
        try:
            if self.save(wait=30.0, force=True):
                log.info("saved the AWS emulator's state to %s", self.path)
        except Exception:
            log.exception("could not save the AWS emulator's state to %s", self.path)
