"""Cache-aside reads with stampede protection, and invalidation by tombstones and namespaces.

A miss is loaded once per key: concurrent misses in this process wait for the first one
(single-flight), and across processes a short Redis lock elects one loader while the others
poll briefly for its result before loading themselves.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable

from redis.asyncio import Redis

from app.platform import checkpoints
from app.platform.cache.entry import TOMBSTONE, Entry, Loaded
from app.platform.cache.keys import lock as lock_key
from app.platform.cache.store import Store, StoreUnavailable
from app.settings import Settings

Loader = Callable[[], Awaitable[Loaded]]

# Longer than any load, so a reader that started before a write cannot refill the old value.
TOMBSTONE_MS = 5000
LOCK_MS = 2000
LOCK_POLLS = 5
LOCK_POLL_SECONDS = 0.02
# Where concurrent readers of one key have all missed and none has started loading it yet.
MISSED = "cache.missed"


class Cache:
    def __init__(
        self, store: Store, settings: Settings, *, checkpoint: checkpoints.Checkpoint | None = None
    ) -> None:
        self.store = store
        self.settings = settings
        self.checkpoint = checkpoint
        self.enabled = settings.cache_enabled
        self._flights: dict[str, asyncio.Future[Entry]] = {}

    async def read(self, key: str, *, ttl: int, load: Loader, local: bool = False) -> Entry:
        """The entry under key, loaded and stored on a miss. Local: the key holds an entry any
        caller may be given, which may then be served from this process's L1 (Store.get_local).
        """
        if not self.enabled:
            return (await load()).entry
        raw = await (self.store.get_local(key) if local else self.store.get(key))
        if raw:
            return Entry.decode(raw)
        await checkpoints.reach(self.checkpoint, MISSED)
        flight = self._flights.get(key)
        if flight is not None:
            return await asyncio.shield(flight)
        future: asyncio.Future[Entry] = asyncio.get_running_loop().create_future()
        self._flights[key] = future
        try:
            entry = await self._load(key, ttl=ttl, load=load, fill=raw is None)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # waiters re-raise it; nobody else has to retrieve it
            raise
        else:
            future.set_result(entry)
            return entry
        finally:
            del self._flights[key]

    async def _load(self, key: str, *, ttl: int, load: Loader, fill: bool) -> Entry:
        if not fill:
            return (await load()).entry
        lock = lock_key(key)
        # While Redis is unavailable there is no lock to wait for: load it here.
        leader = await self.store.add(lock, b"1", milliseconds=LOCK_MS) is not False
        if not leader:
            for _ in range(LOCK_POLLS):
                await asyncio.sleep(LOCK_POLL_SECONDS)
                raw = await self.store.get(key)
                if raw:
                    return Entry.decode(raw)
        try:
            loaded = await load()
        finally:
            if leader:
                await self.store.run(lambda r: r.delete(lock), None)
        if loaded.shareable and leader:
            value = loaded.entry.encode()
            # NX: a tombstone written since this load began wins over the value loaded before it.
            await self.store.add(key, value, milliseconds=ttl * 1000)
        return loaded.entry

    async def namespace(self, key: str) -> int | None:
        """The current generation of a namespace; None when Redis is unavailable."""
        try:
            raw = await self.store.get_or_raise(key)
        except StoreUnavailable:
            return None
        return int(raw) if raw else 0

    async def apply_invalidation(
        self, *, entries: Iterable[str] = (), namespaces: Iterable[str] = ()
    ) -> None:
        """Tombstone entries and retire namespaces; StoreUnavailable until Redis acknowledged it.

        Called by the outbox (app/platform/outbox/delivery.py), never inside a transaction.
        """
        entry_keys, namespace_keys = list(entries), list(namespaces)

        async def command(redis: Redis) -> None:
            async with redis.pipeline(transaction=False) as pipe:
                for key in entry_keys:
                    pipe.set(key, TOMBSTONE, px=TOMBSTONE_MS)
                for key in namespace_keys:
                    pipe.incr(key)
                await pipe.execute()

        # A probe: an invalidation is retried past the breaker, so it lands as soon as Redis
        # answers again rather than a breaker's window later.
        await self.store.call(command, probe=True)
        # This process reads its own write at once; the others when Redis' push reaches them.
        self.store.forget([*entry_keys, *namespace_keys])
