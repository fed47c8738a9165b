"""The cold-start baselines: the bare app, and the bare app with the libraries the design names,
which is a floor under the app's start only if the app loads every one of them by then."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from scripts.bench.bare_app import NAMED_LIBRARIES
from tests.deploy.test_import_path import SERVE, loaded_after

ROOT = Path(__file__).resolve().parents[3]


def loaded_by(factory: str) -> set[str]:
    script = (
        f"import json, sys\nfrom scripts.bench.bare_app import {factory}\n{factory}()\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    output = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, check=True, timeout=60
    ).stdout
    return set(json.loads(output))


def test_the_bare_app_loads_none_of_the_libraries() -> None:
    loaded = loaded_by("create_app")

    assert "fastapi" in loaded
    assert loaded.isdisjoint(NAMED_LIBRARIES)


def test_the_floor_loads_each_library() -> None:
    assert set(NAMED_LIBRARIES) <= loaded_by("create_app_with_libraries")


def test_the_app_loads_each_library_by_its_first_health() -> None:
    loaded = loaded_after(SERVE + "asyncio.run(serve(['/health']))")

    assert set(NAMED_LIBRARIES) <= loaded, set(NAMED_LIBRARIES) - loaded
