"""tests/ mirrors the source tree: every test file names the module it tests, and every domain's
service has its tests.

`app/<path>/<module>.py` is tested by `tests/<path>/test_<module>.py`, `handlers/<tag>.py` by
`tests/handlers/test_<tag>.py` and `scripts/<path>/<module>.py` by
`tests/scripts/<path>/test_<module>.py`; a module with several test files names each
`test_<module>_<aspect>.py`. What is not Python keeps a root of its own (NON_PYTHON_ROOTS), and
a module of the test harness at the top of tests/ is tested beside it (tests/test_helpers.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
# Test folders whose subject is not a Python module, with the paths that subject lives in.
NON_PYTHON_ROOTS: dict[str, tuple[str, ...]] = {
    "contract": ("spec", "docs/spec.md"),
    "deploy": ("Dockerfile", "docs/infra.md"),
    "migrations": ("migrations",),
    "opa": ("opa/policy", "opa/tools"),
}
# Source roots other than app/, by the first folder of the test's path.
SOURCE_ROOTS = {"handlers": ROOT / "handlers", "scripts": ROOT / "scripts"}
# This file's subject is tests/ itself.
SELF = Path(__file__).resolve().relative_to(TESTS)


def candidates(test_file: Path) -> list[Path]:
    """The source modules that a test file (relative to tests/) may be named after, most
    specific first: test_database_conflicts.py may test database_conflicts.py or database.py."""
    folders = test_file.parent.parts
    if folders and folders[0] in SOURCE_ROOTS:
        base = SOURCE_ROOTS[folders[0]].joinpath(*folders[1:])
    else:
        base = ROOT.joinpath("app", *folders)
    words = test_file.stem.removeprefix("test_").split("_")
    names = ["_".join(words[:n]) + ".py" for n in range(len(words), 0, -1)]
    harness = [] if folders else [TESTS / name for name in names]
    return [base / name for name in names] + harness


def subject_of(test_file: Path) -> Path | None:
    """The source a test file (relative to tests/) mirrors; None when there is none."""
    if not test_file.name.startswith("test_") or test_file.suffix != ".py":
        return None
    if len(test_file.parts) > 1 and test_file.parts[0] in NON_PYTHON_ROOTS:
        return ROOT / NON_PYTHON_ROOTS[test_file.parts[0]][0]
    return next((path for path in candidates(test_file) if path.is_file()), None)


def every_test_file() -> list[Path]:
    """Every test file under tests/, relative to it."""
    return sorted(path.relative_to(TESTS) for path in TESTS.rglob("test_*.py"))


@pytest.mark.parametrize(
    ("test_file", "subject"),
    [
        ("posts/test_service.py", "app/posts/service.py"),
        ("posts/test_service_faults.py", "app/posts/service.py"),
        ("platform/cache/test_reads.py", "app/platform/cache/reads.py"),
        ("platform/db/test_database_conflicts.py", "app/platform/db/database.py"),
        ("http/test_envelope.py", "app/http/envelope.py"),
        ("test_settings.py", "app/settings.py"),
        ("handlers/test_password_resets.py", "handlers/password_resets.py"),
        ("handlers/test_posts_views.py", "handlers/posts.py"),
        ("scripts/bench/test_bench_cache.py", "scripts/bench/bench_cache.py"),
        ("migrations/test_migrations.py", "migrations"),
        ("opa/test_authz_matrix.py", "opa/policy"),
        ("test_helpers.py", "tests/helpers.py"),
    ],
)
def test_a_test_file_maps_to_the_module_it_names(test_file: str, subject: str) -> None:
    assert subject_of(Path(test_file)) == ROOT / subject


@pytest.mark.parametrize(
    "test_file",
    [
        "foo/test_bar.py",
        "posts/test_nothing.py",
        "test_posts.py",
        "posts/test_.py",
        "handlers/test_service.py",
        "platform/test_authz.py",
    ],
)
def test_a_test_file_of_no_module_maps_to_nothing(test_file: str) -> None:
    assert subject_of(Path(test_file)) is None


def test_every_test_file_mirrors_a_source_module() -> None:
    mirrored = (path for path in every_test_file() if path != SELF)
    unmapped = [str(path) for path in mirrored if subject_of(path) is None]
    assert unmapped == [], (
        "these test files name no source module; move each to tests/<path>/test_<module>.py "
        f"(or test_<module>_<aspect>.py) of the module it tests: {unmapped}"
    )


def test_the_non_python_roots_still_have_their_subjects() -> None:
    missing = [
        f"tests/{root} -> {path}"
        for root, paths in NON_PYTHON_ROOTS.items()
        for path in paths
        if not (ROOT / path).exists()
    ]
    assert missing == []


def test_every_domain_has_service_tests() -> None:
    domains = sorted(path.parent.name for path in (ROOT / "app").glob("*/service.py"))
    assert domains, "no app/<domain>/service.py found"
    untested = [d for d in domains if not (TESTS / d / "test_service.py").is_file()]
    assert untested == [], f"domains without tests/<domain>/test_service.py: {untested}"


def test_every_mirroring_folder_is_a_package() -> None:
    """Without __init__.py, two test_service.py in different folders clash on import."""
    folders = {
        TESTS / path.parent for path in every_test_file() if path.parts[0] not in NON_PYTHON_ROOTS
    }
    bare = sorted(str(f.relative_to(TESTS)) for f in folders if not (f / "__init__.py").is_file())
    assert bare == []
