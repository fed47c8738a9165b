"""The SDK flow against the app served over loopback (PostgreSQL, Redis, the AWS emulator), with
the job worker in a process of its own."""

from __future__ import annotations

import os
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
from types import SimpleNamespace
from uuid import uuid4

import httpx
import pytest
from blog_api_client.models import ErrorEnvelope
from blog_api_client.types import Response

from app.settings import Settings
from scripts.contract.contract_test import ON_THIS_MACHINE, image_env, job_worker, served_app
from scripts.contract.sdk_flow import (
    IMAGE,
    FlowError,
    answer,
    error,
    page_through,
    run_flow,
    signed_up,
    without_if_match,
)
from tests.fixtures.services import free_port


@pytest.fixture
def served(settings: Settings, tmp_path: Path) -> Iterator[str]:
    """The app as the image serves it, on the test's clean database, and a worker beside it."""
    env = {
        **os.environ,
        **image_env(tmp_path),
        **ON_THIS_MACHINE,
        "DATABASE_URL": settings.database_url,
        "TOKEN_PEPPER": settings.token_pepper.get_secret_value(),
        "AWS_ENDPOINT_URL": str(settings.aws_endpoint_url),
        "LOG_LEVEL": "WARNING",
    }
    if settings.redis_url is not None:
        env["REDIS_URL"] = settings.redis_url
    with job_worker(env, log=tmp_path / "worker.log"), served_app(env, free_port()) as base:
        yield base


def test_the_whole_flow_through_the_sdk(served: str) -> None:
    result = run_flow(served)

    assert result.sent_invalid_requests
    assert result.post.status == "published"
    assert [len(page) for page in result.pages] == [1, 1, 1]
    assert result.pages[-1] == [result.post.id]
    assert result.attachment.status == "ready"
    assert result.attachment.size == len(IMAGE)
    assert result.job.status == "succeeded"
    assert result.attachment.job_id == result.job.id


def test_a_wrong_status_fails_the_flow() -> None:
    response: Response[object] = Response(
        status_code=HTTPStatus.INTERNAL_SERVER_ERROR, content=b"boom", headers={}, parsed=None
    )
    with pytest.raises(FlowError, match="expected 200, got 500"):
        answer(response, HTTPStatus.OK, dict)


def test_an_answer_that_does_not_parse_as_the_model_fails_the_flow() -> None:
    response: Response[object] = Response(
        status_code=HTTPStatus.OK, content=b"{}", headers={}, parsed=None
    )
    with pytest.raises(FlowError, match="did not parse as dict"):
        answer(response, HTTPStatus.OK, dict)


def test_a_success_status_with_a_failed_envelope_fails_the_flow() -> None:
    response: Response[object] = Response(
        status_code=HTTPStatus.OK, content=b"", headers={}, parsed=SimpleNamespace(success=False)
    )
    with pytest.raises(FlowError, match="a 200 with success=False"):
        answer(response, HTTPStatus.OK, SimpleNamespace)


def test_another_error_code_fails_the_flow() -> None:
    body = {
        "success": False,
        "data": None,
        "error": {"code": "UNAUTHENTICATED", "message": "No.", "details": [], "traceId": ""},
    }
    response: Response[object] = Response(
        status_code=HTTPStatus.UNAUTHORIZED,
        content=b"",
        headers={},
        parsed=ErrorEnvelope.from_dict(body),
    )
    error(response, HTTPStatus.UNAUTHORIZED, "UNAUTHENTICATED")
    with pytest.raises(FlowError, match="FORBIDDEN"):
        error(response, HTTPStatus.UNAUTHORIZED, "FORBIDDEN")


def test_the_forgetful_hook_takes_if_match_off() -> None:
    request = httpx.Request("PATCH", "http://test/v1/posts/x", headers={"If-Match": '"1"'})
    without_if_match(request)
    assert "If-Match" not in request.headers


def test_paging_checks_the_ids_seen(served: str) -> None:
    with signed_up(served, httpx.Timeout(30.0)) as (client, user_id):
        assert page_through(client, user_id, []) == [[]]
        with pytest.raises(FlowError, match="pages"):
            page_through(client, user_id, [uuid4()])
