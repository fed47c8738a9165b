"""The breaking-change gate and the releases, with the real oasdiff on copies of the contract.

Each test releases the current contract into a temporary baseline, changes a copy of it and runs
the gate, as `make contract-diff` and `make release-contract` do.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts.contract.contract_diff import Bump, Version, main
from tests.helpers import unavailable

ROOT = Path(__file__).resolve().parents[3]
OASDIFF = ROOT / ".tools" / "bin" / "oasdiff"
SPEC: dict[str, Any] = yaml.safe_load((ROOT / "spec" / "openapi.yaml").read_text())
RELEASED = Version.parse(SPEC["info"]["version"])
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
Edit = Callable[[dict[str, Any]], None]


@pytest.fixture(scope="module")
def oasdiff() -> Path:
    if not OASDIFF.is_file():
        unavailable("oasdiff is not built: run 'make oasdiff-tools'")
    return OASDIFF


class Contract:
    """A released baseline in a temporary folder, and a working copy of the contract."""

    def __init__(self, root: Path, oasdiff: Path) -> None:
        self.spec = root / "openapi.yaml"
        self.released = root / "released"
        self.changelog = root / "CHANGELOG.md"
        self.oasdiff = oasdiff
        self.write(SPEC)
        assert self.run("release") == 0

    def write(self, document: dict[str, Any]) -> None:
        text = yaml.dump(document, Dumper=DUMPER, sort_keys=False, allow_unicode=True)
        self.spec.write_text(text, encoding="utf-8")

    def change(self, *edits: Edit, version: Version | None = None) -> None:
        document = copy.deepcopy(SPEC)
        for edit in edits:
            edit(document)
        document["info"]["version"] = str(version or RELEASED)
        self.write(document)

    def run(self, command: str, date: str = "2026-01-31") -> int:
        return main(
            [
                command,
                f"--oasdiff={self.oasdiff}",
                f"--spec={self.spec}",
                f"--released={self.released}",
                f"--changelog={self.changelog}",
                f"--date={date}",
            ]
        )


@pytest.fixture
def contract(tmp_path: Path, oasdiff: Path) -> Contract:
    return Contract(tmp_path, oasdiff)


def schema(document: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = document["components"]["schemas"][name]
    return found


def remove_category_description(document: dict[str, Any]) -> None:
    category = schema(document, "Category")
    del category["properties"]["description"]
    category["required"].remove("description")


def add_optional_colour(document: dict[str, Any]) -> None:
    colour = {"type": "string", "pattern": "^#[0-9a-f]{6}$", "maxLength": 7}
    schema(document, "Category")["properties"]["colour"] = colour
    schema(document, "CategoryCreate")["properties"]["colour"] = colour


def add_operation(document: dict[str, Any]) -> None:
    health = document["paths"]["/health"]["get"]
    document["paths"]["/v1/ping"] = {"get": {**health, "operationId": "ping"}}


def shorten_category_name(document: dict[str, Any]) -> None:
    name = schema(document, "CategoryName")
    name["maxLength"] = name["maxLength"] - 1


def drop_create_description(document: dict[str, Any]) -> None:
    del schema(document, "CategoryCreate")["properties"]["description"]


def add_error_code(document: dict[str, Any]) -> None:
    schema(document, "ErrorCode")["enum"].append("GONE")


def add_post_status(document: dict[str, Any]) -> None:
    schema(document, "PostStatus")["enum"].append("retracted")


def reword_summary(document: dict[str, Any]) -> None:
    document["paths"]["/health"]["get"]["summary"] = "Is the service up?"


PATCH, MINOR, MAJOR = (RELEASED.bumped(bump) for bump in (Bump.PATCH, Bump.MINOR, Bump.MAJOR))


def test_an_unchanged_contract_passes(contract: Contract) -> None:
    assert contract.run("check") == 0


def test_a_removed_response_field_fails_and_is_named(
    contract: Contract, capsys: pytest.CaptureFixture[str]
) -> None:
    contract.change(remove_category_description, version=MINOR)
    assert contract.run("check") == 1
    out, err = capsys.readouterr()
    assert "[response-required-property-removed] GET /v1/categories/{categoryId}" in out
    assert "`data/description`" in out
    assert "breaking change(s)" in err


def test_a_lowered_max_length_fails(contract: Contract, capsys: pytest.CaptureFixture[str]) -> None:
    contract.change(shorten_category_name, version=MINOR)
    assert contract.run("check") == 1
    assert "[request-property-max-length-decreased] POST /v1/categories" in capsys.readouterr().out


def test_a_warning_counts_as_breaking(
    contract: Contract, capsys: pytest.CaptureFixture[str]
) -> None:
    contract.change(drop_create_description, version=MINOR)
    assert contract.run("check") == 1
    assert "warning [request-property-removed] POST /v1/categories" in capsys.readouterr().out


@pytest.mark.parametrize(
    "edit", [add_optional_colour, add_operation], ids=["property", "operation"]
)
def test_an_addition_passes_with_a_minor_bump(contract: Contract, edit: Edit) -> None:
    contract.change(edit, version=MINOR)
    assert contract.run("check") == 0


@pytest.mark.parametrize("version", [RELEASED, PATCH], ids=["same", "patch"])
def test_an_addition_fails_without_a_minor_bump(
    contract: Contract, version: Version, capsys: pytest.CaptureFixture[str]
) -> None:
    contract.change(add_operation, version=version)
    assert contract.run("check") == 1
    assert f"need {MINOR} (minor bump)" in capsys.readouterr().err


def test_a_new_error_code_is_an_addition(contract: Contract) -> None:
    contract.change(add_error_code, version=PATCH)
    assert contract.run("check") == 1
    contract.change(add_error_code, version=MINOR)
    assert contract.run("check") == 0
    assert contract.run("release") == 0
    changelog = contract.changelog.read_text()
    assert re.search(r"`GONE` enum value to the `error/(\S+/)?code` response property", changelog)
    assert "**Breaking:**" not in changelog


def test_a_new_value_of_another_response_enum_fails(
    contract: Contract, capsys: pytest.CaptureFixture[str]
) -> None:
    contract.change(add_post_status, version=MINOR)
    assert contract.run("check") == 1
    assert "error [response-property-enum-value-added]" in capsys.readouterr().out


def test_a_documentation_change_needs_a_patch_bump(contract: Contract) -> None:
    contract.change(reword_summary)
    assert contract.run("check") == 1
    contract.change(reword_summary, version=PATCH)
    assert contract.run("check") == 0


def test_a_breaking_change_passes_with_a_new_major(contract: Contract) -> None:
    contract.change(remove_category_description, version=MAJOR)
    assert contract.run("check") == 0


@pytest.mark.parametrize(
    "version",
    [
        Version(RELEASED.major, RELEASED.minor + 2, 0),
        Version(RELEASED.major, RELEASED.minor + 1, 1),
        Version(RELEASED.major + 1, 1, 0),
    ],
    ids=str,
)
def test_a_version_that_skips_or_does_not_reset_fails(
    contract: Contract, version: Version, capsys: pytest.CaptureFixture[str]
) -> None:
    contract.change(add_operation, version=version)
    assert contract.run("check") == 1
    assert f"does not follow {RELEASED}" in capsys.readouterr().err


def test_a_lower_or_malformed_version_fails(contract: Contract) -> None:
    lower = copy.deepcopy(SPEC)
    lower["info"]["version"] = str(Version(0, 9, 0))
    contract.write(lower)
    assert contract.run("check") == 1
    lower["info"]["version"] = "v1.1"
    contract.write(lower)
    with pytest.raises(SystemExit, match=r"not MAJOR\.MINOR\.PATCH"):
        contract.run("check")


def test_the_gate_fails_without_a_baseline(
    contract: Contract, capsys: pytest.CaptureFixture[str]
) -> None:
    for baseline in contract.released.iterdir():
        baseline.unlink()
    assert contract.run("check") == 1
    assert "run 'make release-contract'" in capsys.readouterr().err


def test_the_first_release_writes_the_baseline_and_the_changelog(contract: Contract) -> None:
    baseline = contract.released / f"v{RELEASED.major}.yaml"
    assert baseline.read_bytes() == contract.spec.read_bytes()
    changelog = contract.changelog.read_text()
    assert changelog.startswith("# Contract changelog\n")
    assert f"\n## {RELEASED} (2026-01-31)\n\nThe first released contract.\n" in changelog


def test_a_release_adds_the_oasdiff_changelog_above_the_last_one(contract: Contract) -> None:
    contract.change(add_operation, add_optional_colour, version=MINOR)
    assert contract.run("release", date="2026-02-01") == 0
    changelog = contract.changelog.read_text()
    sections = re.findall(r"^## (\S+) \((\S+)\)$", changelog, re.MULTILINE)
    assert sections == [(str(MINOR), "2026-02-01"), (str(RELEASED), "2026-01-31")]
    assert "### GET /v1/ping\n\n- endpoint added\n" in changelog
    categories = changelog.index("### GET /v1/categories\n"), changelog.index("### GET /v1/ping\n")
    assert categories[0] < categories[1]
    assert "added the optional property `data/colour`" in changelog
    baseline = contract.released / f"v{RELEASED.major}.yaml"
    assert baseline.read_bytes() == contract.spec.read_bytes()
    assert contract.run("check") == 0


def test_a_documentation_release_says_so(contract: Contract) -> None:
    contract.change(reword_summary, version=PATCH)
    assert contract.run("release") == 0
    assert "No change to operations or schemas" in contract.changelog.read_text()


def test_a_new_major_gets_a_baseline_of_its_own(contract: Contract) -> None:
    contract.change(remove_category_description, version=MAJOR)
    assert contract.run("release", date="2026-03-01") == 0
    assert (contract.released / f"v{MAJOR.major}.yaml").read_bytes() == contract.spec.read_bytes()
    assert (contract.released / f"v{RELEASED.major}.yaml").is_file()
    assert "- **Breaking:** removed the required property" in contract.changelog.read_text()
    contract.change(remove_category_description, add_operation, version=MAJOR.bumped(Bump.MINOR))
    assert contract.run("check") == 0
    contract.change(add_operation, version=MINOR)
    assert contract.run("check") == 1


@pytest.mark.parametrize(
    ("edits", "version", "reason"),
    [
        ((), RELEASED, f"{RELEASED} is already released"),
        ((add_operation,), RELEASED, "(minor bump)"),
        ((remove_category_description,), MINOR, "breaking change(s)"),
    ],
    ids=["unchanged", "not-bumped", "breaking"],
)
def test_a_release_is_refused_and_writes_nothing(
    contract: Contract,
    edits: tuple[Edit, ...],
    version: Version,
    reason: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = contract.changelog.read_text(), sorted(contract.released.iterdir())
    baseline = (contract.released / f"v{RELEASED.major}.yaml").read_bytes()
    contract.change(*edits, version=version)
    assert contract.run("release") == 1
    assert reason in capsys.readouterr().err
    assert (contract.changelog.read_text(), sorted(contract.released.iterdir())) == before
    assert (contract.released / f"v{RELEASED.major}.yaml").read_bytes() == baseline


def test_a_release_is_refused_when_the_changelog_has_the_version(
    contract: Contract, capsys: pytest.CaptureFixture[str]
) -> None:
    for baseline in contract.released.iterdir():
        baseline.unlink()
    assert contract.run("release") == 1
    assert f"already has a {RELEASED} section" in capsys.readouterr().err
