"""docs/infra.md documents exactly the settings the app reads, and the image's variables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.settings import Settings
from tests.deploy.dockerfile import stages

ROOT = Path(__file__).resolve().parents[2]
VARIABLE = re.compile(r"^\| `([A-Z][A-Z0-9_]*)` \|", re.MULTILINE)


def section(text: str, heading: str) -> str:
    start = text.index(f"\n{heading}\n")
    following = re.search(r"\n#{1,3} ", text[start + len(heading) + 2 :])
    end = start + len(heading) + 2 + following.start() if following else len(text)
    return text[start:end]


@pytest.fixture(scope="module")
def doc() -> str:
    return (ROOT / "docs" / "infra.md").read_text()


def test_section_reader_stops_at_the_next_heading() -> None:
    text = "\n## A\n| `X` |\n### B\n| `Y` |\n"

    assert VARIABLE.findall(section(text, "## A")) == ["X"]


def test_every_setting_is_documented_and_nothing_else(doc: str) -> None:
    documented = VARIABLE.findall(section(doc, "### The app"))
    fields = sorted(name.upper() for name in Settings.model_fields)

    assert len(documented) == len(set(documented)), "a variable is listed twice"
    assert sorted(documented) == fields


def test_every_image_variable_is_documented(doc: str) -> None:
    documented = set(VARIABLE.findall(doc))

    image_env = set(stages(ROOT / "Dockerfile")[-1].env())

    assert image_env <= documented, image_env - documented


def test_the_rds_proxy_correction_is_stated(doc: str) -> None:
    correction = section(doc, "### RDS Proxy cannot sit in front of Aurora DSQL")

    assert "Lambda connects to DSQL directly with IAM tokens" in correction
    for action in ("dsql:DbConnect", "dsql:DbConnectAdmin"):
        assert f"`{action}`" in section(doc, "## IAM")
