"""The delivery sweep against real receivers on loopback: every delivery that arrives verifies
with the Standard Webhooks reference library; failures back off on the schedule and end
`failed`; a timeout, a redirect and a refused address are failed attempts, each recorded."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.platform.db.database import Database
from app.platform.db.models import WebhookAttempt, WebhookDelivery
from app.platform.db.unit_of_work import UnitOfWork
from app.settings import Settings
from app.webhooks import events, service, tasks
from app.webhooks.service import NewSecret
from tests.webhooks.conftest import Clock, Receiver

DATA = {"id": "32ff29e9-f065-4044-b36f-bc4d5584dd00", "name": "Engineering"}


async def subscribe(
    database: Database, settings: Settings, receiver: Receiver, path: str
) -> NewSecret:
    created = await database.transaction(
        lambda uow: service.create(
            uow=uow,
            settings=settings,
            url=receiver.url(path),
            event_types=["category.created"],
            description=None,
            active=None,
        )
    )
    receiver.secrets.append(created.secret)
    return created


async def emit(database: Database, event_type: str = "category.created") -> None:
    await database.transaction(lambda uow: events.emit(uow, event_type=event_type, data=DATA))


async def deliveries(database: Database) -> list[WebhookDelivery]:
    async def read(uow: UnitOfWork) -> list[WebhookDelivery]:
        return list((await uow.session.scalars(select(WebhookDelivery))).all())

    return await database.transaction(read)


async def attempts(database: Database) -> list[WebhookAttempt]:
    async def read(uow: UnitOfWork) -> list[WebhookAttempt]:
        statement = select(WebhookAttempt).order_by(WebhookAttempt.attempted_at)
        return list((await uow.session.scalars(statement)).all())

    return await database.transaction(read)


async def sweep(database: Database, settings: Settings, clock: Clock) -> tasks.Sweep:
    return await tasks.deliver_due(database=database, settings=settings, clock=clock)


class TestFailures:
    async def test_a_failing_receiver_is_retried_on_the_schedule_then_failed(
        self, database: Database, settings: Settings, receiver: Receiver, clock: Clock
    ) -> None:
        await subscribe(database, settings, receiver, "/fail")
        await emit(database)

        assert (await sweep(database, settings, clock)).retrying == 1
        assert (await sweep(database, settings, clock)).sent == 0  # not due before its wait
        clock.advance(1.2)  # the first wait (1 s) and its jitter (10 %)
        assert (await sweep(database, settings, clock)).retrying == 1
        clock.advance(2.3)
        assert (await sweep(database, settings, clock)).failed == 1
        clock.advance(3600)
        assert (await sweep(database, settings, clock)).sent == 0

        [row] = await deliveries(database)
        assert (row.status, row.attempts, row.last_status_code) == ("failed", 3, 500)
        assert row.next_attempt_at is None
        log = await attempts(database)
        assert [a.status_code for a in log] == [500, 500, 500]
        assert [a.response_body for a in log] == ["Internal Server Error"] * 3
        sent = receiver.at("/fail")
        assert len(sent) == 3
        assert all(r.verified for r in sent)
        assert {r.headers["webhook-id"] for r in sent} == {str(row.event_id)}

    async def test_a_receiver_that_does_not_answer_in_time(
        self, database: Database, settings: Settings, receiver: Receiver, clock: Clock
    ) -> None:
        await subscribe(database, settings, receiver, "/slow")
        await emit(database)

        assert (await sweep(database, settings, clock)).retrying == 1

        [attempt] = await attempts(database)
        assert attempt.status_code is None
        assert attempt.error == "no answer within 0.5 s"
        assert 400 <= attempt.duration_ms < 3000

    async def test_a_redirect_is_not_followed(
        self, database: Database, settings: Settings, receiver: Receiver, clock: Clock
    ) -> None:
        await subscribe(database, settings, receiver, "/redirect")
        await emit(database)

        await sweep(database, settings, clock)

        [attempt] = await attempts(database)
        assert attempt.status_code == 307
        assert receiver.at("/ok") == []
        [row] = await deliveries(database)
        assert row.status == "pending"

    async def test_a_private_address_is_refused_right_before_the_send(
        self, database: Database, settings: Settings, receiver: Receiver, clock: Clock
    ) -> None:
        await subscribe(database, settings, receiver, "/ok")
        await emit(database)
        strict = settings.model_copy(update={"webhooks_allow_private_targets": False})

        await sweep(database, strict, clock)

        assert receiver.received == []
        [attempt] = await attempts(database)
        assert attempt.status_code is None
        assert attempt.error is not None
        assert attempt.error.startswith("not sent: The URL must use https")

    async def test_only_the_first_kib_of_an_answer_is_kept(
        self, database: Database, settings: Settings, receiver: Receiver, clock: Clock
    ) -> None:
        await subscribe(database, settings, receiver, "/big")
        await emit(database)

        assert (await sweep(database, settings, clock)).succeeded == 1

        [attempt] = await attempts(database)
        assert attempt.response_body == "x" * 1024


class TestDelivery:
    async def test_every_delivery_verifies_with_the_reference_library(
        self, database: Database, settings: Settings, receiver: Receiver, clock: Clock
    ) -> None:
        await subscribe(database, settings, receiver, "/ok")
        await subscribe(database, settings, receiver, "/ok")
        await emit(database)
        await emit(database)

        assert (await sweep(database, settings, clock)).succeeded == 4

        sent = receiver.at("/ok")
        assert len(sent) == 4
        assert all(r.verified for r in sent)
        assert all(r.headers["content-type"] == "application/json" for r in sent)
        body = json.loads(sent[0].body)
        assert body["type"] == "category.created"
        assert body["data"] == DATA
        assert {row.status for row in await deliveries(database)} == {"succeeded"}

    async def test_a_receiver_that_recovers_gets_the_same_webhook_id(
        self, database: Database, settings: Settings, receiver: Receiver, clock: Clock
    ) -> None:
        await subscribe(database, settings, receiver, "/recover")
        await emit(database)

        await sweep(database, settings, clock)
        clock.advance(1.2)
        await sweep(database, settings, clock)
        clock.advance(2.3)
        assert (await sweep(database, settings, clock)).succeeded == 1

        sent = receiver.at("/recover")
        assert len(sent) == 3
        assert all(r.verified for r in sent)
        assert len({r.headers["webhook-id"] for r in sent}) == 1
        assert len({r.body for r in sent}) == 1
        [row] = await deliveries(database)
        assert (row.status, row.attempts, row.last_status_code) == ("succeeded", 3, 204)

    async def test_a_redelivery_is_a_new_series_with_the_same_webhook_id(
        self, database: Database, settings: Settings, receiver: Receiver, clock: Clock
    ) -> None:
        created = await subscribe(database, settings, receiver, "/recover")
        await emit(database)
        await sweep(database, settings, clock)
        [row] = await deliveries(database)

        await database.transaction(
            lambda uow: service.redeliver(
                uow=uow, webhook_id=created.webhook.id, delivery_id=row.id
            )
        )
        [due] = await deliveries(database)
        assert (due.status, due.attempts) == ("pending", 0)
        await sweep(database, settings, clock)
        await database.transaction(
            lambda uow: service.redeliver(
                uow=uow, webhook_id=created.webhook.id, delivery_id=row.id
            )
        )
        await sweep(database, settings, clock)

        [done] = await deliveries(database)
        assert (done.status, done.attempts) == ("succeeded", 1)
        assert len(await attempts(database)) == 3
        assert len({r.headers["webhook-id"] for r in receiver.at("/recover")}) == 1

    async def test_an_inactive_subscription_is_not_sent_to(
        self, database: Database, settings: Settings, receiver: Receiver, clock: Clock
    ) -> None:
        created = await subscribe(database, settings, receiver, "/ok")
        await emit(database)
        await database.transaction(
            lambda uow: service.update(
                uow=uow,
                settings=settings,
                webhook_id=created.webhook.id,
                url=None,
                event_types=None,
                description=None,
                active=False,
            )
        )

        assert (await sweep(database, settings, clock)).sent == 0
        assert receiver.received == []

    async def test_two_workers_never_send_the_same_attempt(
        self, database: Database, settings: Settings, receiver: Receiver, clock: Clock
    ) -> None:
        await subscribe(database, settings, receiver, "/ok")
        for _ in range(6):
            await emit(database)
        other = Database(settings)
        try:
            first, second = await asyncio.gather(
                sweep(database, settings, clock), sweep(other, settings, clock)
            )
        finally:
            await other.dispose()

        assert first.sent + second.sent == 6
        assert len(receiver.at("/ok")) == 6
        assert len({r.headers["webhook-id"] for r in receiver.at("/ok")}) == 6


class TestRotation:
    async def test_after_rotation_deliveries_verify_with_the_new_secret(
        self, database: Database, settings: Settings, receiver: Receiver, clock: Clock
    ) -> None:
        created = await subscribe(database, settings, receiver, "/ok")
        rotated = await database.transaction(
            lambda uow: service.rotate_secret(
                uow=uow, settings=settings, webhook_id=created.webhook.id
            )
        )
        receiver.secrets[:] = [rotated.secret]
        await emit(database)

        assert (await sweep(database, settings, clock)).succeeded == 1
        [sent] = receiver.at("/ok")
        assert sent.verified
        assert len(sent.headers["webhook-signature"].split(" ")) == 2  # the old one too

    async def test_the_old_secret_stops_signing_after_the_grace(
        self, database: Database, settings: Settings, receiver: Receiver, clock: Clock
    ) -> None:
        settings = settings.model_copy(update={"webhooks_rotation_grace_seconds": 10})
        created = await subscribe(database, settings, receiver, "/ok")
        rotated = await database.transaction(
            lambda uow: service.rotate_secret(
                uow=uow, settings=settings, webhook_id=created.webhook.id
            )
        )
        await emit(database)
        clock.advance(11)
        receiver.secrets[:] = [created.secret]

        await sweep(database, settings, clock)

        [sent] = receiver.at("/ok")
        assert not sent.verified
        assert len(sent.headers["webhook-signature"].split(" ")) == 1
        receiver.secrets[:] = [rotated.secret]
        assert receiver.verify(sent.body, sent.headers)


@pytest.mark.parametrize("rounds", [1, 3])
async def test_drain_stops_when_nothing_is_due(
    database: Database, settings: Settings, rounds: int
) -> None:
    done = await tasks.drain(database=database, settings=settings, rounds=rounds)
    assert done == tasks.Sweep(0, 0, 0, 0)


def test_next_attempt_follows_the_schedule_with_bounded_jitter() -> None:
    now = datetime(2026, 12, 2, tzinfo=UTC)
    waits = [(tasks.next_attempt(n, schedule=(5, 300), now=now) or now) - now for n in (1, 2)]
    assert 5 <= waits[0].total_seconds() <= 5.5
    assert 300 <= waits[1].total_seconds() <= 330
    assert tasks.next_attempt(3, schedule=(5, 300), now=now) is None


async def test_nothing_is_sent_while_delivering_is_off(
    database: Database, settings: Settings, receiver: Receiver, clock: Clock
) -> None:
    await subscribe(database, settings, receiver, "/ok")
    await emit(database)
    off = settings.model_copy(update={"webhooks_deliver": False})

    assert await sweep(database, off, clock) == tasks.Sweep(0, 0, 0, 0)
    assert receiver.received == []
    [row] = await deliveries(database)
    assert (row.status, row.attempts) == ("pending", 0)
