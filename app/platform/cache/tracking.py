"""Keeps the L1 (app/platform/cache/local.py) coherent through Redis' server-assisted
client-side caching: one RESP3 connection in `CLIENT TRACKING ON BCAST` mode on the cache's key
prefix, on which Redis pushes the name of every key written, deleted or expired under it,
whoever wrote it.

An L1 value is served only when, checked just before:
- the connection is up with tracking on; a drop or any error flushes the L1 and reconnects;
- nothing unread waits in it (the socket, the stream's buffer, the parser's) but heartbeat
  answers: a push Redis has already sent is never served past. While one waits, reads go to
  Redis;
- it answered a heartbeat (PING) sent less than `max_silence_seconds` ago, by both the monotonic
  and the wall clock. Its PONG comes after every push sent before it, so every change Redis made
  until then has been applied. A longer silence (Redis stalled, the event loop or the process
  held up) stops the L1 serving until the next answer, which again comes after every push sent
  before it; entries can be kept because a push is only ever lost with its connection, and a
  new connection starts empty. A silence past FLUSH_AFTER_SECONDS (a freeze and thaw) flushes
  the L1 all the same. Heartbeats are sent only while the L1 is being read.

The silence stays below REDIS_TIMEOUT_SECONDS (app/settings.py): a writer whose invalidation
cannot reach a stalled Redis answers only after that timeout, by when no other instance serves
its L1 copy any more; reads then go to Redis and, failing, to the database, as without an L1.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import select
import socket
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.asyncio.connection import AbstractConnection
from redis.exceptions import RedisError, ResponseError

from app.platform.cache.keys import PREFIX
from app.platform.cache.local import LocalCache, Reservation
from app.settings import Settings

logger = logging.getLogger(__name__)

FAILURES = (RedisError, OSError, TimeoutError)
# Heartbeats per silence bound: an answer may be late by three of them before the L1 lapses.
HEARTBEATS_PER_SILENCE = 4
# Without an L1 read for this long, heartbeats stop; the next read restarts them.
IDLE_SECONDS = 1.0
# A heartbeat unanswered for this long: the connection is taken for dead and replaced.
DEAD_AFTER_SECONDS = 1.0
# A silence this long (a freeze, a thaw) flushes the L1; a shorter one only stops it serving.
FLUSH_AFTER_SECONDS = 1.0
PONG = b"+PONG\r\n"
PEEK_BYTES = 4096
# However short REDIS_RETRY_AFTER_SECONDS is, reconnecting never spins.
MIN_RECONNECT_SECONDS = 0.1
_NEVER = (-math.inf, -math.inf)


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def time(self) -> float: ...


ConnectionFactory = Callable[[], AbstractConnection]


class UnsupportedError(Exception):
    """The client cannot check its connection for unread pushes (hiredis is required)."""


class Unread:
    """Whether the connection holds anything not yet parsed, without reading it: in hiredis'
    reader, in the stream's buffer (private to asyncio; redis-py itself reads it), or still in
    the socket (a poll, then a peek). Heartbeat answers alone do not count: they carry no
    invalidation. A closed or failed socket counts as unread."""

    def __init__(self, connection: AbstractConnection) -> None:
        opened: Any = connection
        self._reader: Any = getattr(opened._parser, "_reader", None)
        if not hasattr(self._reader, "has_data"):
            raise UnsupportedError("the connection's parser is not hiredis")
        self._stream: Any = opened._reader
        fd = opened._writer.transport.get_extra_info("socket").fileno()
        self._poller = select.poll()
        self._poller.register(fd, select.POLLIN | select.POLLPRI)
        # A duplicate of the connection's socket, only ever peeked at.
        self._socket = socket.socket(fileno=os.dup(fd))

    def __call__(self) -> bool:
        if self._reader.has_data() or self._stream.at_eof():
            return True
        buffered = self._stream._buffer
        if buffered and not _only_pongs(bytes(buffered)):
            return True
        if not self._poller.poll(0):
            return False
        try:
            waiting = self._socket.recv(PEEK_BYTES, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except BlockingIOError:
            return False
        except OSError:
            return True
        return not _only_pongs(waiting)

    def close(self) -> None:
        self._socket.close()


def _only_pongs(data: bytes) -> bool:
    """Nothing but whole heartbeat answers (an empty read is the end of the stream)."""
    return bool(data) and not data.replace(PONG, b"")


class Tracking:
    """The L1 and the tracking connection that keeps it coherent; started by `start`."""

    def __init__(
        self,
        connect: ConnectionFactory,
        *,
        local: LocalCache,
        prefix: str,
        max_silence_seconds: float,
        retry_after_seconds: float,
        clock: Clock = time,
    ) -> None:
        self.local = local
        self.prefix = prefix
        self.max_silence_seconds = max_silence_seconds
        self._connect_to = connect
        self._reconnect_after = max(retry_after_seconds, MIN_RECONNECT_SECONDS)
        self._clock = clock
        self._connection: AbstractConnection | None = None
        self._unread: Unread | None = None
        # (monotonic, wall) send time of the last heartbeat answered on this connection.
        self._synced = _NEVER
        self._read_at = -math.inf
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def connected(self) -> bool:
        """Tracking is on (it may still wait for its first heartbeat to serve)."""
        return self._connection is not None

    @property
    def running(self) -> bool:
        """False once the server refused tracking, or after close."""
        return self._task is not None and not self._task.done()

    def get(self, key: str) -> bytes | None:
        """The L1 value of key, when it may be served now; None otherwise."""
        value = self.local.get(key)
        if value is None:
            return None
        clock = self._clock
        now = self._read_at = clock.monotonic()
        synced_at, synced_wall = self._synced
        silence = max(now - synced_at, abs(clock.time() - synced_wall))
        if silence > self.max_silence_seconds:
            if silence > FLUSH_AFTER_SECONDS:
                self.local.flush()
            return None
        unread = self._unread
        if unread is None or unread():
            return None
        return value

    def reserve(self, key: str) -> Reservation | None:
        """A claim for a Redis read of key; None while tracking is off (nothing may be stored)."""
        self._read_at = self._clock.monotonic()
        if self._connection is None:
            return None
        return self.local.reserve(key)

    def fill(self, key: str, reservation: Reservation | None, value: bytes | None) -> None:
        if reservation is not None:
            self.local.fill(key, reservation, value)

    def invalidate(self, keys: Iterable[str]) -> None:
        self.local.invalidate(keys)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="cache-tracking")

    async def close(self) -> None:
        self._closed = True
        task = self._task
        # Cancelled until it ends: on Python 3.11 redis-py's wait_for around a send can swallow
        # a cancellation that lands as the send completes.
        while task is not None and not task.done():
            task.cancel()
            await asyncio.wait([task], timeout=0.1)
        self._drop()

    async def _run(self) -> None:
        while not self._closed:
            try:
                connection = await self._open()
            except (ResponseError, UnsupportedError) as exc:
                logger.warning("cache l1 off: no client tracking", extra={"error": str(exc)})
                return
            except FAILURES:
                await asyncio.sleep(self._reconnect_after)
                continue
            try:
                await self._listen(connection)
            except FAILURES as exc:
                logger.warning("cache l1 tracking lost", extra={"error": type(exc).__name__})
            finally:
                self._drop()
                await connection.disconnect(nowait=True)
            await asyncio.sleep(self._reconnect_after)

    async def _open(self) -> AbstractConnection:
        connection = self._connect_to()
        # redis-py's own client-side cache registers its handler on the parser the same way.
        untyped: Any = connection
        untyped._parser.set_invalidation_push_handler(self._on_push)
        try:
            await untyped.connect()
            unread = Unread(connection)
            await connection.send_command(
                "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", self.prefix, check_health=False
            )
            reply = await connection.read_response()
            if reply != b"OK":
                raise ResponseError(f"CLIENT TRACKING answered {reply!r}")
        except BaseException:
            await connection.disconnect(nowait=True)
            raise
        self.local.flush()
        self._unread = unread
        self._connection = connection
        return connection

    async def _listen(self, connection: AbstractConnection) -> None:
        clock = self._clock
        interval = self.max_silence_seconds / HEARTBEATS_PER_SILENCE
        sent: deque[tuple[float, float]] = deque()
        next_beat = clock.monotonic()
        while not self._closed:
            now = clock.monotonic()
            if now >= next_beat:
                if sent and now - sent[0][0] > DEAD_AFTER_SECONDS:
                    raise TimeoutError("no answer to the heartbeat")
                if now - self._read_at < IDLE_SECONDS:
                    sent.append((now, clock.time()))
                    await connection.send_command("PING", check_health=False)
                next_beat = now + interval
            reply = await connection.read_response(
                push_request=True,
                timeout=max(next_beat - clock.monotonic(), 0.0),
                disconnect_on_error=False,
            )
            if reply == b"PONG" and sent:
                self._synced = sent.popleft()

    async def _on_push(self, message: list[Any]) -> bool:
        """An invalidation: the keys that changed, or None when the whole database went."""
        keys = message[1] if len(message) > 1 else None
        if keys is None:
            self.local.flush()
        else:
            self.local.invalidate(
                key.decode("utf-8", "surrogateescape") if isinstance(key, bytes) else str(key)
                for key in keys
            )
        # Anything but None: read_response answers None for a timeout.
        return True

    def _drop(self) -> None:
        self._connection = None
        if self._unread is not None:
            self._unread.close()
        self._unread = None
        self._synced = _NEVER
        self.local.flush()


def open_tracking(settings: Settings, redis: Redis, *, clock: Clock = time) -> Tracking | None:
    """The L1 for this client, tracking started; None when it is off: disabled, the cache off,
    or the in-process stand-in (REDIS_URL unset), which has no tracking to keep it coherent."""
    if settings.redis_url is None or not (settings.cache_enabled and settings.cache_l1_enabled):
        return None
    pool = redis.connection_pool

    def connect() -> AbstractConnection:
        return pool.connection_class(**{**pool.connection_kwargs, "protocol": 3})

    tracking = Tracking(
        connect,
        local=LocalCache(
            max_entries=settings.cache_l1_max_entries,
            max_age_seconds=settings.cache_l1_max_age_seconds,
        ),
        prefix=f"{PREFIX}:",
        max_silence_seconds=settings.cache_l1_max_silence_seconds,
        retry_after_seconds=settings.redis_retry_after_seconds,
        clock=clock,
    )
    tracking.start()
    return tracking
