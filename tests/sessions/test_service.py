"""The sessions service, called in real units of work: login and its rate limit, which sessions
authenticate, and ending sessions (in the database, and in the cache once that commits)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app import errors
from app.platform.authz import Principal
from app.platform.cache.entry import TOMBSTONE
from app.platform.cache.reads import Cache
from app.platform.cache.store import Store
from app.platform.db.database import Database
from app.platform.db.models import LoginSession, User, utcnow
from app.platform.db.unit_of_work import UnitOfWork
from app.platform.ratelimit.limiter import rate_key
from app.platform.ratelimit.policy import RateLimits
from app.sessions import cache as sessions_cache
from app.sessions import service
from app.sessions.hashing import hash_token
from app.settings import Quota, Settings
from tests.fixtures.actors import PASSWORD
from tests.fixtures.domains import Callers, add_user
from tests.helpers import keyed_hash

pytestmark = pytest.mark.usefixtures("real_redis")

ATTEMPTS = 3
CLIENT_IP = "192.0.2.10"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # A day-long window, which Redis keeps for the test; the `rate_limits` clock stands still.
    return settings.model_copy(
        update={"ratelimit_login_per_account": Quota(count=ATTEMPTS, seconds=86400)}
    )


class Rollback(Exception):
    """Raised inside a unit of work after the change, so that the transaction rolls back."""


async def login(
    database: Database,
    settings: Settings,
    rate_limits: RateLimits,
    email: str,
    password: str = PASSWORD,
) -> tuple[LoginSession, str]:
    return await database.transaction(
        lambda uow: service.login(
            uow=uow,
            settings=settings,
            rate_limits=rate_limits,
            email=email,
            password=password,
            client_ip=CLIENT_IP,
        )
    )


async def cached(
    database: Database, settings: Settings, rate_limits: RateLimits, store: Store, user: User
) -> tuple[LoginSession, str]:
    """A session of the user, cached as bearer authentication caches it; and its cache key."""
    record, _token = await login(database, settings, rate_limits, user.email)
    principal = Principal(user_id=user.id, role=user.role, session_id=record.id)
    key = sessions_cache.session_key(record.token_hash)
    await store.redis.set(key, sessions_cache.encode(principal, record.expires_at))
    return record, key


async def sessions_of(database: Database, user: User) -> list[uuid.UUID]:
    found = await database.transaction(
        lambda uow: uow.session.scalars(
            select(LoginSession.id).where(LoginSession.user_id == user.id)
        )
    )
    return sorted(found)


async def tombstoned(store: Store, key: str) -> bool:
    return await store.get(key) == TOMBSTONE and await store.redis.pttl(key) > 0


async def age(database: Database, session_id: uuid.UUID, **ago: timedelta) -> None:
    """Move a session's timestamps (created_at, last_used_at, expires_at) into the past."""
    now = utcnow()

    async def unit(uow: UnitOfWork) -> None:
        values = {column: now - delta for column, delta in ago.items()}
        await uow.session.execute(
            update(LoginSession).where(LoginSession.id == session_id).values(**values)
        )

    await database.transaction(unit)


class TestLogin:
    async def test_an_unknown_email_and_a_wrong_password_fail_alike(
        self, database: Database, settings: Settings, rate_limits: RateLimits
    ) -> None:
        user = await add_user(database)
        with pytest.raises(errors.InvalidCredentials) as wrong:
            await login(database, settings, rate_limits, user.email, "wrong password")
        with pytest.raises(errors.InvalidCredentials) as unknown:
            await login(database, settings, rate_limits, "nobody@example.com")

        def seen(error: errors.AppError) -> tuple[object, ...]:
            return (type(error), error.status_code, error.code, error.message, error.headers)

        assert seen(wrong.value) == seen(unknown.value)
        assert wrong.value.headers == {"WWW-Authenticate": 'Bearer realm="blog"'}
        assert await sessions_of(database, user) == []

    async def test_every_attempt_counts_before_the_password_is_checked(
        self, database: Database, settings: Settings, rate_limits: RateLimits, store: Store
    ) -> None:
        user = await add_user(database, email="counted@example.com")
        other = await add_user(database)
        for email in ("counted@example.com", "Counted@Example.com", " COUNTED@example.com"):
            with pytest.raises(errors.InvalidCredentials):
                await login(database, settings, rate_limits, email, "wrong password")

        with pytest.raises(errors.RateLimited) as refused:
            await login(database, settings, rate_limits, user.email)

        assert refused.value.headers["RateLimit-Policy"] == f'"login-account";q={ATTEMPTS};w=86400'
        # One counter, under the normalized email, whatever case each attempt used.
        (counter,) = await store.redis.keys("blog:rl1:login-account:*")
        name = counter.decode() if isinstance(counter, bytes) else counter
        assert name.startswith(rate_key("login-account", "counted@example.com", 0)[:-1])
        count = await store.redis.get(counter)
        assert count is not None
        assert int(count) == ATTEMPTS + 1
        assert await sessions_of(database, user) == []
        record, _ = await login(database, settings, rate_limits, other.email)
        assert record.user_id == other.id

    async def test_a_session_keeps_only_the_hash_of_its_token(
        self, database: Database, settings: Settings, rate_limits: RateLimits
    ) -> None:
        user = await add_user(database)
        record, token = await login(database, settings, rate_limits, user.email.upper())
        stored = await database.transaction(lambda uow: uow.session.get(LoginSession, record.id))
        assert stored is not None
        assert stored.user_id == user.id
        pepper = settings.token_pepper.get_secret_value().encode()
        assert stored.token_hash == keyed_hash(token, key=pepper)
        assert stored.last_used_at == stored.created_at
        ttl = timedelta(seconds=settings.session_absolute_ttl_seconds)
        assert stored.expires_at == stored.created_at + ttl


class TestAuthenticate:
    async def test_a_live_session_gives_its_principal(
        self, database: Database, settings: Settings, rate_limits: RateLimits
    ) -> None:
        user = await add_user(database, role="editor")
        record, token = await login(database, settings, rate_limits, user.email)
        principal, expires_at = await database.transaction(
            lambda uow: service.authenticate_hash(
                uow=uow, settings=settings, token_hash=hash_token(settings=settings, token=token)
            )
        )
        assert principal == Principal(user_id=user.id, role="editor", session_id=record.id)
        assert expires_at == record.expires_at

    @pytest.mark.parametrize(
        "ago",
        [
            {"expires_at": timedelta(seconds=1)},
            {"last_used_at": timedelta(days=7, seconds=1)},
        ],
        ids=["expired", "idle"],
    )
    async def test_an_ended_session_is_unauthenticated(
        self,
        database: Database,
        settings: Settings,
        rate_limits: RateLimits,
        ago: dict[str, timedelta],
    ) -> None:
        user = await add_user(database)
        record, _ = await login(database, settings, rate_limits, user.email)
        await age(database, record.id, **ago)
        with pytest.raises(errors.Unauthenticated):
            await database.transaction(
                lambda uow: service.authenticate_hash(
                    uow=uow, settings=settings, token_hash=record.token_hash
                )
            )

    async def test_an_unknown_token_is_unauthenticated(
        self, database: Database, settings: Settings
    ) -> None:
        with pytest.raises(errors.Unauthenticated):
            await database.transaction(
                lambda uow: service.authenticate_hash(
                    uow=uow, settings=settings, token_hash="0" * 64
                )
            )

    @pytest.mark.parametrize(("seconds", "touched"), [(30, False), (61, True)])
    async def test_last_use_is_written_at_most_once_a_minute(
        self,
        database: Database,
        settings: Settings,
        rate_limits: RateLimits,
        seconds: int,
        touched: bool,
    ) -> None:
        user = await add_user(database)
        record, _ = await login(database, settings, rate_limits, user.email)
        await age(database, record.id, last_used_at=timedelta(seconds=seconds))
        before = await database.transaction(lambda uow: uow.session.get(LoginSession, record.id))
        assert before is not None

        await database.transaction(
            lambda uow: service.authenticate_hash(
                uow=uow, settings=settings, token_hash=record.token_hash
            )
        )

        after = await database.transaction(lambda uow: uow.session.get(LoginSession, record.id))
        assert after is not None
        assert (after.last_used_at > before.last_used_at) is touched
        if not touched:
            assert after.last_used_at == before.last_used_at


class TestListLive:
    async def test_only_the_users_live_sessions_newest_first(
        self, database: Database, settings: Settings, rate_limits: RateLimits
    ) -> None:
        user, other = await add_user(database), await add_user(database)
        older, _ = await login(database, settings, rate_limits, user.email)
        await age(database, older.id, created_at=timedelta(minutes=5))
        newer, _ = await login(database, settings, rate_limits, user.email)
        expired, _ = await login(database, settings, rate_limits, user.email)
        await age(database, expired.id, expires_at=timedelta(seconds=1))
        await login(database, settings, rate_limits, other.email)

        live = await database.transaction(
            lambda uow: service.list_live(uow=uow, settings=settings, user_id=user.id)
        )

        assert [s.id for s in live] == [newer.id, older.id]


class TestRevoke:
    @pytest.mark.parametrize(
        ("kind", "expected"),
        [
            ("anonymous", errors.Unauthenticated),
            ("author", errors.NotFound),
            ("editor", errors.NotFound),
            ("admin", errors.NotFound),
        ],
    )
    async def test_another_users_session_does_not_exist_for_the_caller(
        self,
        database: Database,
        settings: Settings,
        rate_limits: RateLimits,
        cache: Cache,
        store: Store,
        callers: Callers,
        kind: str,
        expected: type[errors.AppError],
    ) -> None:
        owner = await add_user(database)
        record, key = await cached(database, settings, rate_limits, store, owner)
        entry = await store.get(key)
        caller = None if kind == "anonymous" else await add_user(database, role=kind)

        with pytest.raises(expected):
            await database.transaction(
                lambda uow: service.revoke(
                    uow=uow,
                    caller=callers.of("deleteSession", caller),
                    session_id=record.id,
                )
            )

        assert await sessions_of(database, owner) == [record.id]
        assert await store.get(key) == entry

    async def test_an_unknown_session_is_not_found(
        self, database: Database, cache: Cache, callers: Callers
    ) -> None:
        user = await add_user(database)
        with pytest.raises(errors.NotFound, match="Session not found"):
            await database.transaction(
                lambda uow: service.revoke(
                    uow=uow,
                    caller=callers.of("deleteSession", user),
                    session_id=uuid.uuid4(),
                )
            )

    async def test_another_users_session_reads_exactly_like_a_missing_one(
        self,
        database: Database,
        settings: Settings,
        rate_limits: RateLimits,
        cache: Cache,
        callers: Callers,
    ) -> None:
        owner, stranger = await add_user(database), await add_user(database)
        record, _ = await login(database, settings, rate_limits, owner.email)
        caller = callers.of("deleteSession", stranger)

        async def revoke(session_id: uuid.UUID) -> errors.AppError:
            with pytest.raises(errors.NotFound) as raised:
                await database.transaction(
                    lambda uow: service.revoke(uow=uow, caller=caller, session_id=session_id)
                )
            return raised.value

        hidden, missing = await revoke(record.id), await revoke(uuid.uuid4())
        assert (hidden.message, hidden.details) == (missing.message, missing.details)

    async def test_an_own_session_ends_and_leaves_the_cache_once_committed(
        self,
        database: Database,
        settings: Settings,
        rate_limits: RateLimits,
        cache: Cache,
        store: Store,
        callers: Callers,
    ) -> None:
        user = await add_user(database)
        revoked, key = await cached(database, settings, rate_limits, store, user)
        kept, kept_key = await cached(database, settings, rate_limits, store, user)
        entry = await store.get(key)
        before_commit: list[bytes | None] = []

        async def unit(uow: UnitOfWork) -> None:
            caller = callers.of("deleteSession", user)
            await service.revoke(uow=uow, caller=caller, session_id=revoked.id)
            before_commit.append(await store.get(key))

        await database.transaction(unit)

        assert before_commit == [entry]
        assert await tombstoned(store, key)
        assert await sessions_of(database, user) == [kept.id]
        assert not await tombstoned(store, kept_key)


class TestEnding:
    async def test_end_all_ends_every_session_of_the_user_only(
        self,
        database: Database,
        settings: Settings,
        rate_limits: RateLimits,
        cache: Cache,
        store: Store,
    ) -> None:
        user, bystander = await add_user(database), await add_user(database)
        keys = [(await cached(database, settings, rate_limits, store, user))[1] for _ in range(2)]
        other, other_key = await cached(database, settings, rate_limits, store, bystander)

        await database.transaction(lambda uow: service.end_all(uow=uow, user_id=user.id))

        assert await sessions_of(database, user) == []
        assert [await tombstoned(store, key) for key in keys] == [True, True]
        assert await sessions_of(database, bystander) == [other.id]
        assert not await tombstoned(store, other_key)

    async def test_end_all_rolled_back_ends_nothing(
        self,
        database: Database,
        settings: Settings,
        rate_limits: RateLimits,
        cache: Cache,
        store: Store,
    ) -> None:
        user = await add_user(database)
        record, key = await cached(database, settings, rate_limits, store, user)
        entry = await store.get(key)

        async def unit(uow: UnitOfWork) -> None:
            await service.end_all(uow=uow, user_id=user.id)
            raise Rollback()

        with pytest.raises(Rollback):
            await database.transaction(unit)

        assert await sessions_of(database, user) == [record.id]
        assert await store.get(key) == entry

    async def test_logout_ends_the_presented_session_only(
        self,
        database: Database,
        settings: Settings,
        rate_limits: RateLimits,
        cache: Cache,
        store: Store,
    ) -> None:
        user = await add_user(database)
        current, key = await cached(database, settings, rate_limits, store, user)
        other, other_key = await cached(database, settings, rate_limits, store, user)
        principal = Principal(user_id=user.id, role=user.role, session_id=current.id)

        await database.transaction(lambda uow: service.end_current(uow=uow, principal=principal))

        assert await sessions_of(database, user) == [other.id]
        assert await tombstoned(store, key)
        assert not await tombstoned(store, other_key)
