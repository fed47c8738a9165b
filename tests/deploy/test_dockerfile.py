"""The container image starts the app the way CI serves it, and stays lean and unprivileged."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from app.settings import Settings
from scripts.contract.contract_test import HEALTH_PATH, image_env, serve_command
from tests.deploy.dockerfile import Stage, instructions, stages

ROOT = Path(__file__).resolve().parents[2]
# Variables that configure the interpreter or the Web Adapter, not the app.
RUNTIME_ENV = {
    "PATH",
    "PYTHONUNBUFFERED",
    "PYTHONDONTWRITEBYTECODE",
    "AWS_LWA_PORT",
    "AWS_LWA_READINESS_CHECK_PATH",
}
PINNED_IMAGE = re.compile(r"^[\w./-]+(:\d[\w.-]*)?(@sha256:[0-9a-f]{64})?$")


@pytest.fixture(scope="module")
def image() -> list[Stage]:
    return stages(ROOT / "Dockerfile")


@pytest.fixture(scope="module")
def final(image: list[Stage]) -> Stage:
    return image[-1]


def test_parser_joins_continuations_and_skips_comments() -> None:
    parsed = instructions("# c\nFROM a:1\nENV A=1 \\\n    B='x y'\n\nCMD [\"a\"]\n")

    assert parsed == [("FROM", "a:1"), ("ENV", "A=1  B='x y'"), ("CMD", '["a"]')]
    assert Stage("a:1", None, parsed[1:]).env() == {"A": "1", "B": "x y"}


def test_every_base_image_is_pinned_to_a_version(image: list[Stage]) -> None:
    for stage in image:
        assert PINNED_IMAGE.match(stage.image), stage.image
        assert ":" in stage.image.rsplit("/", 1)[-1] or "@sha256:" in stage.image, stage.image
        assert not stage.image.endswith((":latest", ":3", ":3.11")), stage.image


def test_start_command_is_the_one_ci_serves(final: Stage) -> None:
    env = final.env()

    assert final.cmd() == serve_command(int(env["AWS_LWA_PORT"]))
    assert env["AWS_LWA_READINESS_CHECK_PATH"] == HEALTH_PATH


def test_image_environment_names_real_settings_and_matches_ci(final: Stage) -> None:
    fields = {name.upper() for name in Settings.model_fields}
    env = final.env()
    app_env = {name: value for name, value in env.items() if name not in RUNTIME_ENV}

    assert set(app_env) <= fields, set(app_env) - fields
    ci_env = image_env(Path("/ci-cache"))
    assert set(ci_env) == set(app_env)
    for name, value in app_env.items():
        if not name.endswith(("_PATH", "_DIR")):
            assert ci_env[name] == value, name


def test_policy_bundle_is_where_opa_bundle_path_points(image: list[Stage], final: Stage) -> None:
    env = final.env()
    build = next(stage for stage in image if stage.name == "build")

    assert f"opa/build {env['OPA_BUNDLE_PATH']}" in build.all("COPY")
    assert "--from=build /opt/opa /opt/opa" in final.all("COPY")
    assert env["OPA_CACHE_DIR"].startswith("/opt/opa/")
    assert any(env["OPA_CACHE_DIR"] in args for args in build.all("RUN"))


def test_web_adapter_is_installed_as_an_extension(image: list[Stage], final: Stage) -> None:
    adapter = image[0]

    assert adapter.image.startswith("public.ecr.aws/awsguru/aws-lambda-adapter:")
    assert f"--from={adapter.name} /lambda-adapter /opt/extensions/lambda-adapter" in (
        final.all("COPY")
    )


def test_final_image_runs_unprivileged_without_build_tools_or_tests(final: Stage) -> None:
    (user,) = final.all("USER")
    assert user not in {"root", "0"}

    for args in final.all("RUN"):
        words = set(shlex.split(args))
        assert words.isdisjoint({"pip", "uv", "apt-get", "apt", "gcc", "make"}), args
    assert not [args for args in final.all("COPY") if "--from=" not in args]
    dockerignore = (ROOT / ".dockerignore").read_text().split()
    assert {"tests", ".venv", ".git", "node_modules"} <= set(dockerignore)


def test_emulator_check_builds_the_adapter_version_the_image_ships(image: list[Stage]) -> None:
    makefile = (ROOT / "Makefile").read_text()
    pinned = re.search(r"^LAMBDA_ADAPTER_VERSION := (\S+)$", makefile, re.MULTILINE)

    assert pinned is not None
    assert image[0].image.endswith(f":{pinned[1]}")
