"""/docs and /redoc render the contract in headless Chromium with the network off.

"Off" is Chromium's resolver answering NOTFOUND for every host but 127.0.0.1, and a proxy that
refuses every connection the resolver would not stop (loopback never goes through a proxy). The
probe test shows that these flags do stop a page's outside script, and a name for this very server.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
import yaml
from fastapi import FastAPI

from app.http.docs import asset_url
from tests.fixtures.services import free_port
from tests.helpers import unavailable

ROOT = Path(__file__).resolve().parents[2]
OFFLINE = [
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",
]
# Redoc's sidebar shows Redocly's logo from their CDN; the policy blocks it and Redoc drops it.
EXPECTED_VIOLATION = "Loading the image 'https://cdn.redoc.ly/"
_CONSOLE = re.compile(r':INFO:CONSOLE[^\]]*\] "(.*)", source: ')


@dataclass
class Rendered:
    dom: str
    console: list[str]

    def policy_violations(self) -> list[str]:
        return [
            line
            for line in self.console
            if "Content Security Policy" in line and not line.startswith(EXPECTED_VIOLATION)
        ]


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        unavailable("needs Debian's chromium (.ci/run installs it)")
    return path


def render(chromium: str, url: str, profile: Path, *, offline: bool = True) -> Rendered:
    """The DOM once the page settles (virtual time, so a slow machine waits as long as needed)."""
    command = [
        chromium,
        "--headless",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=30000",
        *(OFFLINE if offline else []),
        "--dump-dom",
        url,
    ]
    if os.geteuid() == 0:
        command.insert(1, "--no-sandbox")  # Chromium refuses root otherwise; CI runs as root.
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    console = [match.group(1) for match in _CONSOLE.finditer(done.stderr)]
    return Rendered(done.stdout, console)


@pytest.fixture
def base_url(app: FastAPI) -> Iterator[str]:
    """The app served over real HTTP, with its lifespan, on a loopback port."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise AssertionError("the server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def summaries() -> list[str]:
    document = yaml.safe_load((ROOT / "spec" / "openapi.yaml").read_text())
    return [
        operation["summary"]
        for item in document["paths"].values()
        for method, operation in item.items()
        if isinstance(operation, dict) and "summary" in operation
    ]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_renders_every_operation_offline(
    chromium: str, base_url: str, tmp_path: Path, page: str
) -> None:
    served = httpx.get(base_url + page).text
    rendered = render(chromium, base_url + page, tmp_path)
    assert "List posts" not in served  # so only the scripts can have put it there
    assert "List posts" in rendered.dom
    missing = [summary for summary in summaries() if summary not in rendered.dom]
    assert not missing, missing
    assert not rendered.policy_violations()


def test_the_offline_flags_stop_outside_scripts(
    chromium: str, base_url: str, tmp_path: Path
) -> None:
    script = asset_url("swagger-ui-bundle.js")
    by_name = base_url.replace("127.0.0.1", "localhost")
    probe = tmp_path / "probe.html"
    probe.write_text(
        "<!doctype html><html><body>\n"
        + "".join(
            f'<script src="{url}" onload="document.body.dataset.{key} = \'loaded\'" '
            f"onerror=\"document.body.dataset.{key} = 'failed'\"></script>\n"
            for key, url in {
                "loopback": base_url + script,
                "name": by_name + script,
                # What /docs loaded before it served its own assets.
                "cdn": "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js",
            }.items()
        )
        + "</body></html>\n"
    )
    offline = render(chromium, probe.as_uri(), tmp_path / "offline")
    assert 'data-loopback="loaded"' in offline.dom
    assert 'data-name="failed"' in offline.dom
    assert 'data-cdn="failed"' in offline.dom
    # The same name loads without the flags: they are what stops it.
    online = render(chromium, probe.as_uri(), tmp_path / "online", offline=False)
    assert 'data-name="loaded"' in online.dom
