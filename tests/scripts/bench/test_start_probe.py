"""The probe that cold_start.py --instructions counts: the start command's options, read by
uvicorn's command line, and one start that answers the paths it is given."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from scripts.bench.cold_start import BARE
from scripts.bench.start_probe import config_for
from scripts.contract.contract_test import serve_command
from tests.fixtures.database import TEST_PEPPER

ROOT = Path(__file__).resolve().parents[3]
PROBE = ROOT / "scripts" / "bench" / "start_probe.py"


def test_the_config_is_the_one_the_start_command_makes() -> None:
    config = config_for(serve_command(8080))

    assert config.app == "app.main:create_app"
    assert config.factory is True
    assert config.ws == "none"
    assert config.proxy_headers is False
    assert config.access_log is False
    assert (config.host, config.port) == ("127.0.0.1", 8080)


def test_one_start_answers_each_path_in_order() -> None:
    program, *arguments = serve_command(8080)
    arguments[arguments.index("app.main:create_app")] = BARE
    env = {**os.environ, "TOKEN_PEPPER": TEST_PEPPER}

    result = subprocess.run(
        [sys.executable, str(PROBE), "/health", "/nowhere", "--command", program, *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )

    assert result.stdout.splitlines()[-1] == "200 404"
