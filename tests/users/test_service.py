"""The users service, called in real units of work: one account per email, profiles, and a role
change that ends the user's cached sessions once it commits."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from app import errors
from app.platform.authz import Principal
from app.platform.cache.entry import TOMBSTONE
from app.platform.cache.reads import Cache
from app.platform.cache.store import Store
from app.platform.db.database import Database
from app.platform.db.models import LoginSession, User
from app.platform.db.unit_of_work import UnitOfWork
from app.platform.ratelimit.policy import RateLimits
from app.platform.security.passwords import verify_password
from app.sessions import cache as sessions_cache
from app.sessions import service as sessions_service
from app.settings import Settings
from app.users import service
from tests.fixtures.actors import PASSWORD
from tests.fixtures.domains import add_user

pytestmark = pytest.mark.usefixtures("real_redis")


class Rollback(Exception):
    """Raised inside a unit of work after the change, so that the transaction rolls back."""


async def register(database: Database, email: str, *, password: str = PASSWORD) -> User:
    return await database.transaction(
        lambda uow: service.register(
            uow=uow, email=email, password=password, display_name="Someone"
        )
    )


async def fetch(database: Database, user_id: uuid.UUID) -> User:
    return await database.transaction(lambda uow: service.get(uow=uow, user_id=user_id))


async def cached_sessions(
    database: Database,
    settings: Settings,
    rate_limits: RateLimits,
    store: Store,
    user: User,
    count: int,
) -> list[str]:
    """count sessions of the user, each cached as bearer authentication caches it; their keys."""
    keys = []
    for _ in range(count):
        record, _token = await database.transaction(
            lambda uow: sessions_service.login(
                uow=uow,
                settings=settings,
                rate_limits=rate_limits,
                email=user.email,
                password=PASSWORD,
                client_ip="192.0.2.10",
            )
        )
        principal = Principal(user_id=user.id, role=user.role, session_id=record.id)
        key = sessions_cache.session_key(record.token_hash)
        await store.redis.set(key, sessions_cache.encode(principal, record.expires_at))
        keys.append(key)
    return keys


async def tombstoned(store: Store, key: str) -> bool:
    return await store.get(key) == TOMBSTONE and await store.redis.pttl(key) > 0


class TestRegister:
    @pytest.mark.parametrize(
        "again", ["taken@example.com", "Taken@Example.COM", " taken@example.com "]
    )
    async def test_a_taken_email_is_a_conflict_whatever_its_case(
        self, database: Database, again: str
    ) -> None:
        first = await register(database, "taken@example.com")
        with pytest.raises(errors.Conflict, match="already exists"):
            await register(database, again)
        found = await database.transaction(
            lambda uow: uow.session.scalars(
                select(User.id).where(User.email_normalized == "taken@example.com")
            )
        )
        assert list(found) == [first.id]

    async def test_a_new_account_is_an_author_with_a_hashed_password(
        self, database: Database
    ) -> None:
        user = await register(database, "  New.Member@Example.COM ")
        stored = await fetch(database, user.id)
        assert (stored.email, stored.email_normalized) == (
            "New.Member@Example.COM",
            "new.member@example.com",
        )
        assert (stored.role, stored.bio, stored.display_name) == ("author", "", "Someone")
        assert stored.password_hash != PASSWORD
        assert await verify_password(stored.password_hash, PASSWORD) is True
        assert await verify_password(stored.password_hash, PASSWORD + "!") is False


class TestLookups:
    async def test_an_unknown_id_is_not_found(self, database: Database) -> None:
        with pytest.raises(errors.NotFound, match="User not found"):
            await fetch(database, uuid.uuid4())

    async def test_an_unknown_email_is_not_found(self, database: Database) -> None:
        with pytest.raises(errors.NotFound, match=re.escape("'nobody@example.com'")):
            await database.transaction(
                lambda uow: service.get_by_email(uow=uow, email="nobody@example.com")
            )

    async def test_an_email_is_found_whatever_its_case(self, database: Database) -> None:
        user = await register(database, "case@example.com")
        found = await database.transaction(
            lambda uow: service.get_by_email(uow=uow, email=" CASE@example.com")
        )
        assert found.id == user.id


class TestProfile:
    async def test_omitted_fields_are_kept(self, database: Database) -> None:
        user = await add_user(database)

        async def describe(uow: UnitOfWork) -> User:
            return await service.update_profile(
                uow=uow, user_id=user.id, display_name=None, bio="About me"
            )

        described = await database.transaction(describe)
        renamed = await database.transaction(
            lambda uow: service.update_profile(
                uow=uow, user_id=user.id, display_name="Renamed", bio=None
            )
        )
        assert (described.display_name, described.bio) == ("Member", "About me")
        assert (renamed.display_name, renamed.bio) == ("Renamed", "About me")
        assert user.updated_at < described.updated_at < renamed.updated_at

    async def test_an_unknown_user_is_not_found(self, database: Database) -> None:
        with pytest.raises(errors.NotFound):
            await database.transaction(
                lambda uow: service.update_profile(
                    uow=uow, user_id=uuid.uuid4(), display_name="X", bio=None
                )
            )


class TestChangeRole:
    async def test_a_role_change_ends_the_users_cached_sessions_once_committed(
        self,
        database: Database,
        settings: Settings,
        cache: Cache,
        store: Store,
        rate_limits: RateLimits,
    ) -> None:
        user = await add_user(database)
        bystander = await add_user(database)
        keys = await cached_sessions(database, settings, rate_limits, store, user, 2)
        (kept,) = await cached_sessions(database, settings, rate_limits, store, bystander, 1)
        cached = [await store.get(key) for key in keys]
        before_commit: list[bytes | None] = []

        async def promote(uow: UnitOfWork) -> User:
            loaded = await service.get(uow=uow, user_id=user.id)
            changed = await service.change_role(uow=uow, user=loaded, role="editor")
            before_commit.extend([await store.get(key) for key in keys])
            return changed

        promoted = await database.transaction(promote)

        assert before_commit == cached
        assert [await tombstoned(store, key) for key in keys] == [True, True]
        assert (await store.get(kept) or b"").startswith(str(bystander.id).encode())
        assert promoted.role == "editor"
        assert (await fetch(database, user.id)).role == "editor"
        assert promoted.updated_at > user.updated_at

    async def test_a_rolled_back_role_change_ends_nothing(
        self,
        database: Database,
        settings: Settings,
        cache: Cache,
        store: Store,
        rate_limits: RateLimits,
    ) -> None:
        user = await add_user(database)
        (key,) = await cached_sessions(database, settings, rate_limits, store, user, 1)
        cached = await store.get(key)

        async def promote(uow: UnitOfWork) -> None:
            loaded = await service.get(uow=uow, user_id=user.id)
            await service.change_role(uow=uow, user=loaded, role="admin")
            raise Rollback()

        with pytest.raises(Rollback):
            await database.transaction(promote)

        assert await store.get(key) == cached
        assert (await fetch(database, user.id)).role == "author"

    async def test_the_same_role_writes_nothing(self, database: Database, cache: Cache) -> None:
        user = await add_user(database, role="editor")

        async def same(uow: UnitOfWork) -> User:
            loaded = await service.get(uow=uow, user_id=user.id)
            return await service.change_role(uow=uow, user=loaded, role="editor")

        unchanged = await database.transaction(same)

        stored = await fetch(database, user.id)
        assert (unchanged.role, stored.role) == ("editor", "editor")
        assert unchanged.updated_at == stored.updated_at == user.updated_at

    async def test_a_user_without_sessions_changes_role(
        self, database: Database, cache: Cache
    ) -> None:
        user = await add_user(database)

        async def demote(uow: UnitOfWork) -> User:
            loaded = await service.get(uow=uow, user_id=user.id)
            return await service.change_role(uow=uow, user=loaded, role="admin")

        assert (await database.transaction(demote)).role == "admin"
        sessions = await database.transaction(
            lambda uow: uow.session.scalars(
                select(LoginSession).where(LoginSession.user_id == user.id)
            )
        )
        assert list(sessions) == []
