from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.http.conditional import respond
from app.platform.cache.entry import Entry
from app.settings import Quota, Settings


def test_entry_round_trips_a_body_with_newlines_and_pipes() -> None:
    entry = Entry(etag='"abc"', body=b'{"a":"x|y"}\n{"b":1}', facts=("owner", "published"))
    assert Entry.decode(entry.encode()) == entry


def test_entry_without_facts() -> None:
    entry = Entry.of_body(b"[]")
    assert Entry.decode(entry.encode()) == entry
    assert entry.etag.startswith('"')
    assert entry.etag.endswith('"')
    assert Entry.of_body(b"[1]").etag != entry.etag


@pytest.mark.parametrize("header", ['"nope"', "", "W/", '"abc', "abc"])
def test_respond_sends_the_body_when_nothing_matches(header: str) -> None:
    response = respond(Entry(etag='"abc"', body=b"{}"), if_none_match=header)
    assert response.status_code == 200
    assert response.body == b"{}"
    assert response.headers["ETag"] == '"abc"'


@pytest.mark.parametrize("header", ['"abc"', 'W/"abc"', '"x", "abc"', "*"])
def test_respond_answers_304_on_a_match(header: str) -> None:
    response = respond(Entry(etag='"abc"', body=b"{}"), if_none_match=header)
    assert response.status_code == 304
    assert response.body == b""


def test_quota_reads_count_per_seconds_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TOKEN_PEPPER", "p" * 40)
    monkeypatch.setenv("RATELIMIT_LOGIN_PER_IP", " 7 / 30 ")
    assert Settings().ratelimit_login_per_ip == Quota(count=7, seconds=30)


@pytest.mark.parametrize("value", ["7", "0/30", "7/0", "a/b", "7/30/1"])
def test_quota_refuses_nonsense(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("TOKEN_PEPPER", "p" * 40)
    monkeypatch.setenv("RATELIMIT_LOGIN_PER_IP", value)
    with pytest.raises(ValidationError):
        Settings()
