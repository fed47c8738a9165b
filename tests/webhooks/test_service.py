"""The webhooks service in real units of work: URLs refused by the SSRF rule at body.url, event
types named once, secrets sealed and rotated with a grace, pages and deliveries by webhook."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import pytest

from app import errors
from app.platform.db.database import Database
from app.settings import Settings
from app.webhooks import events, service, signing
from app.webhooks.service import NewSecret

PUBLIC = "https://93.184.215.14/hook"


async def create(
    database: Database,
    settings: Settings,
    *,
    url: str = PUBLIC,
    types: Sequence[str] = ("tag.created",),
) -> NewSecret:
    return await database.transaction(
        lambda uow: service.create(
            uow=uow, settings=settings, url=url, event_types=types, description=None, active=None
        )
    )


class TestRefusals:
    @pytest.mark.parametrize(
        "url", ["https://10.1.2.3/h", "https://[::1]/h", "http://93.184.215.14/h"]
    )
    async def test_a_refused_url_is_a_validation_error_at_body_url(
        self, database: Database, settings: Settings, url: str
    ) -> None:
        strict = settings.model_copy(update={"webhooks_allow_private_targets": False})
        with pytest.raises(errors.ValidationFailed) as caught:
            await create(database, strict, url=url)
        [problem] = caught.value.details
        assert (problem.location, problem.type) == ("body.url", "url_not_allowed")

    async def test_a_refused_url_is_refused_on_update_too(
        self, database: Database, settings: Settings
    ) -> None:
        strict = settings.model_copy(update={"webhooks_allow_private_targets": False})
        created = await create(database, strict)
        with pytest.raises(errors.ValidationFailed):
            await database.transaction(
                lambda uow: service.update(
                    uow=uow,
                    settings=strict,
                    webhook_id=created.webhook.id,
                    url="https://169.254.169.254/latest",
                    event_types=None,
                    description=None,
                    active=None,
                )
            )

    async def test_an_event_type_named_twice(self, database: Database, settings: Settings) -> None:
        with pytest.raises(errors.ValidationFailed) as caught:
            await create(database, settings, types=["tag.created", "tag.created"])
        assert caught.value.details[0].location == "body.eventTypes"

    async def test_another_webhooks_delivery_is_not_found(
        self, database: Database, settings: Settings
    ) -> None:
        mine = await create(database, settings)
        other = await create(database, settings)
        await database.transaction(lambda uow: events.emit(uow, event_type="tag.created", data={}))
        page = await database.transaction(
            lambda uow: service.list_deliveries(
                uow=uow, webhook_id=other.webhook.id, cursor_text=None, limit=5, key=b"k"
            )
        )
        with pytest.raises(errors.NotFound, match=r"^Webhook delivery not found\.$"):
            await database.transaction(
                lambda uow: service.redeliver(
                    uow=uow, webhook_id=mine.webhook.id, delivery_id=page.deliveries[0].id
                )
            )
        with pytest.raises(errors.NotFound, match=r"^Webhook not found\.$"):
            await database.transaction(lambda uow: service.get(uow=uow, webhook_id=uuid.uuid4()))


async def test_the_secret_is_stored_sealed(database: Database, settings: Settings) -> None:
    created = await create(database, settings)
    stored = await database.transaction(
        lambda uow: service.get(uow=uow, webhook_id=created.webhook.id)
    )
    assert created.secret.removeprefix("whsec_") not in stored.secret
    key = settings.webhook_secrets_key()
    assert signing.unseal(stored.secret, key=key, webhook_id=stored.id) == created.secret


async def test_rotation_keeps_the_previous_secret_for_the_grace(
    database: Database, settings: Settings
) -> None:
    created = await create(database, settings)
    rotated = await database.transaction(
        lambda uow: service.rotate_secret(uow=uow, settings=settings, webhook_id=created.webhook.id)
    )
    assert rotated.secret != created.secret
    webhook = rotated.webhook
    key = settings.webhook_secrets_key()
    assert webhook.previous_secret is not None
    assert webhook.previous_secret_expires_at is not None
    assert signing.unseal(webhook.previous_secret, key=key, webhook_id=webhook.id) == (
        created.secret
    )
    grace = webhook.previous_secret_expires_at - webhook.updated_at
    assert grace.total_seconds() == settings.webhooks_rotation_grace_seconds


async def test_pages_of_webhooks_newest_first(database: Database, settings: Settings) -> None:
    made = [(await create(database, settings)).webhook.id for _ in range(3)]
    first = await database.transaction(
        lambda uow: service.list_page(uow=uow, cursor_text=None, limit=2, key=b"k")
    )
    assert [w.id for w in first.webhooks] == made[::-1][:2]
    assert first.next_cursor is not None
    rest = await database.transaction(
        lambda uow: service.list_page(uow=uow, cursor_text=first.next_cursor, limit=2, key=b"k")
    )
    assert [w.id for w in rest.webhooks] == made[:1]
    assert rest.next_cursor is None


async def test_deleting_a_webhook_takes_its_deliveries(
    database: Database, settings: Settings
) -> None:
    created = await create(database, settings)
    await database.transaction(lambda uow: events.emit(uow, event_type="tag.created", data={}))
    await database.transaction(lambda uow: service.delete(uow=uow, webhook_id=created.webhook.id))
    again = await create(database, settings)
    page = await database.transaction(
        lambda uow: service.list_deliveries(
            uow=uow, webhook_id=again.webhook.id, cursor_text=None, limit=5, key=b"k"
        )
    )
    assert page.deliveries == []
    with pytest.raises(errors.NotFound):
        await database.transaction(
            lambda uow: service.list_deliveries(
                uow=uow, webhook_id=created.webhook.id, cursor_text=None, limit=5, key=b"k"
            )
        )
