"""The contract run's command line and its verdict (the run itself is `make contract`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from schemathesis.config import SchemathesisConfig
from schemathesis.wfc.loader import load_from_dict

from scripts.contract import contract_test, fuzz_state

SPEC = {
    "paths": {
        "/v1/jobs/{jobId}": {"get": {"operationId": "getJob", "responses": {"200": {}}}},
        "/v1/later": {"get": {"operationId": "later", "responses": {"501": {}}}},
    }
}


def test_the_command_replays_the_seed_and_leaves_out_what_is_not_served() -> None:
    command = contract_test.schemathesis_command(
        "http://app",
        config=Path("run.toml"),
        seed=123,
        max_examples=5,
        skip=contract_test.not_served_yet(SPEC),
    )

    assert command[1:5] == ["--config-file", "run.toml", "run", "http://app/openapi.json"]
    assert command[command.index("--seed") + 1] == "123"
    assert command[command.index("--max-examples") + 1] == "5"
    assert command[command.index("--exclude-operation-id") + 1] == "later"
    assert command[command.index("--report-ndjson-path") + 1] == str(contract_test.NDJSON_REPORT)


def job_answers(*statuses: int, replayed: bool = True) -> list[dict[str, Any]]:
    """getJob's valid requests got `statuses`; the first was replayed as the peer, if told."""
    cases: dict[str, dict[str, Any]] = {
        f"c{number}": {
            "value": {
                "method": "GET",
                "path": "/v1/jobs/{jobId}",
                "meta": {"generation": {"mode": "positive"}},
            }
        }
        for number in range(len(statuses))
    }
    interactions = {
        f"c{number}": {"response": {"status_code": status}}
        for number, status in enumerate(statuses)
    }
    if replayed:
        cases["probe"] = {
            "parent_id": "c0",
            "value": {"method": "GET", "path": "/v1/jobs/{jobId}", "auth_identity": "author"},
        }
    recorder = {"cases": cases, "checks": {}, "interactions": interactions}
    return [
        {"Initialize": {"seed": 9}},
        {"ScenarioFinished": {"phase": "fuzzing", "recorder": recorder}},
    ]


@pytest.mark.parametrize(
    ("statuses", "schemathesis_status", "expected"),
    [((200, 404), 0, 0), ((404, 401), 0, 1), ((404,), 2, 2), ((200,), 1, 1)],
)
def test_the_verdict_fails_an_operation_that_met_only_refusals(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    statuses: tuple[int, ...],
    schemathesis_status: int,
    expected: int,
) -> None:
    report = tmp_path / "events.ndjson"
    report.write_text("".join(json.dumps(event) + "\n" for event in job_answers(*statuses)))
    monkeypatch.setattr(contract_test, "NDJSON_REPORT", report)

    assert contract_test.verdict(schemathesis_status, SPEC, ["later"]) == expected
    printed = capsys.readouterr().out
    assert "seed 9" in printed
    assert ("only 401, 403 or 404 from: getJob" in printed) == (set(statuses) <= {401, 404})


def test_the_verdict_fails_a_run_that_wrote_no_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(contract_test, "NDJSON_REPORT", tmp_path / "events.ndjson")

    assert contract_test.verdict(0, SPEC, ["later"]) == 1
    assert contract_test.verdict(3, SPEC, ["later"]) == 3


def test_the_verdict_fails_a_run_that_replayed_nothing_as_the_peer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "events.ndjson"
    events = job_answers(200, replayed=False)
    report.write_text("".join(json.dumps(event) + "\n" for event in events))
    monkeypatch.setattr(contract_test, "NDJSON_REPORT", report)

    assert contract_test.verdict(0, SPEC, ["later"]) == 1
    assert "object_level_authorization sent nothing as author" in capsys.readouterr().out


def accounts() -> dict[str, contract_test.Account]:
    return {
        fuzz_state.ADMIN_IDENTITY: contract_test.Account(id="a1", email="admin@example.com"),
        fuzz_state.PEER_IDENTITY: contract_test.Account(id="b2", email="author@example.com"),
    }


def test_the_run_config_is_schemathesis_toml_with_both_identities_as_peers(tmp_path: Path) -> None:
    document = tmp_path / "identities.json"
    document.write_text(json.dumps(contract_test.auth_document(accounts())))
    config = tmp_path / "schemathesis.toml"
    config.write_text(contract_test.run_config(document))

    loaded = SchemathesisConfig.from_path(str(config)).projects.default
    base = SchemathesisConfig.from_path(str(contract_test.CONFIG)).projects.default

    wfc = loaded.auth.wfc
    assert wfc is not None
    assert (wfc.path, wfc.user) == (str(document), fuzz_state.ADMIN_IDENTITY)
    assert wfc.peers == [fuzz_state.ADMIN_IDENTITY, fuzz_state.PEER_IDENTITY]
    assert base.auth.wfc is None
    assert config.read_text().startswith(contract_test.CONFIG.read_text())


def test_the_document_logs_each_identity_in_through_create_session() -> None:
    entries = load_from_dict(contract_test.auth_document(accounts()))

    assert [entry.name for entry in entries] == list(accounts())
    for entry, account in zip(entries, accounts().values(), strict=True):
        login = entry.login_endpoint_auth
        assert login is not None
        assert (login.verb, login.endpoint) == ("POST", "/v1/sessions")
        assert login.credentials is not None
        assert login.credentials.username == account.email
        assert login.credentials.password == contract_test.PASSWORD
        assert login.token is not None
        assert login.token.extract_selector == "/data/token"
        assert login.token.send_template == "Bearer {token}"
