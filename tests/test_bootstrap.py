"""The process's resources refuse to open on a policy bundle that is missing or corrupt."""

from __future__ import annotations

from pathlib import Path

import pytest
from asgi_lifespan import LifespanManager

from app.main import create_app
from app.platform.authz.opa import PolicyLoadError
from app.settings import Settings


@pytest.mark.parametrize("bundle", ["missing-dir", "not-a-bundle.tar.gz"])
async def test_startup_refuses_a_missing_policy_bundle(
    settings: Settings, tmp_path: Path, bundle: str
) -> None:
    app = create_app(settings.model_copy(update={"opa_bundle_path": tmp_path / bundle}))
    with pytest.raises(PolicyLoadError, match=bundle):
        async with LifespanManager(app):
            pass


async def test_startup_refuses_a_corrupt_policy(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "policy.wasm").write_bytes(b"\0asm not really")
    (tmp_path / "data.json").write_text("{}")
    app = create_app(settings.model_copy(update={"opa_bundle_path": tmp_path}))
    with pytest.raises(PolicyLoadError):
        async with LifespanManager(app):
            pass
