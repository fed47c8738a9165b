"""Secrets: the contract's format, sealed so that only the settings' key and the same webhook
open them, and signatures the reference library verifies."""

from __future__ import annotations

import base64
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from standardwebhooks.webhooks import Webhook as StandardWebhook

from app.webhooks import signing

ROOT = Path(__file__).resolve().parents[2]
SPEC = yaml.safe_load((ROOT / "spec" / "openapi.yaml").read_text())
KEY = bytes(range(32))


def test_a_sealed_secret_does_not_open_with_another_key() -> None:
    webhook_id = uuid.uuid4()
    sealed = signing.seal(signing.new_secret(), key=KEY, webhook_id=webhook_id)
    with pytest.raises(signing.SealBroken):
        signing.unseal(sealed, key=bytes(32), webhook_id=webhook_id)


def test_a_sealed_secret_does_not_open_for_another_webhook() -> None:
    sealed = signing.seal(signing.new_secret(), key=KEY, webhook_id=uuid.uuid4())
    with pytest.raises(signing.SealBroken):
        signing.unseal(sealed, key=KEY, webhook_id=uuid.uuid4())


def test_an_altered_seal_does_not_open() -> None:
    webhook_id = uuid.uuid4()
    raw = bytearray(base64.b64decode(signing.seal("whsec_x", key=KEY, webhook_id=webhook_id)))
    raw[-1] ^= 1
    with pytest.raises(signing.SealBroken):
        signing.unseal(base64.b64encode(raw).decode(), key=KEY, webhook_id=webhook_id)


def test_a_secret_round_trips_and_is_not_stored_in_clear() -> None:
    webhook_id = uuid.uuid4()
    secret = signing.new_secret()
    sealed = signing.seal(secret, key=KEY, webhook_id=webhook_id)
    assert secret.removeprefix("whsec_") not in sealed
    assert signing.unseal(sealed, key=KEY, webhook_id=webhook_id) == secret


def test_new_secrets_have_the_contract_format() -> None:
    pattern = SPEC["components"]["schemas"]["WebhookSecret"]["pattern"]
    secrets = {signing.new_secret() for _ in range(20)}
    assert len(secrets) == 20
    for secret in secrets:
        assert re.fullmatch(pattern, secret)
        assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32


def test_each_secret_signs_and_the_reference_library_verifies() -> None:
    first, second = signing.new_secret(), signing.new_secret()
    now = datetime.now(UTC).replace(microsecond=0)
    header = signing.signature(secrets=[first, second], msg_id="m1", timestamp=now, body="{}")
    headers = {
        "webhook-id": "m1",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": header,
    }
    for secret in (first, second):
        StandardWebhook(secret).verify("{}", headers)
    with pytest.raises(Exception, match="No matching signature"):
        StandardWebhook(signing.new_secret()).verify("{}", headers)
