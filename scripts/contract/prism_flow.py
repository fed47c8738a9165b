"""The SDK flow (scripts/contract/sdk_flow.py) through Prism's validating proxy (`make contract`).

Starts PostgreSQL and Redis (unless TEST_DATABASE_URL and TEST_REDIS_URL are set), an AWS
emulator and a job worker, serves the app as the contract run does, and puts `prism proxy --errors`
(@stoplight/prism-cli, pinned in package.json) in front of it. Prism checks every request and
response of the flow against spec/openapi.yaml; with --errors a violation becomes an error answer,
which fails the flow, and every violation is in Prism's log, which fails the run too. The presigned
upload and the download go to the emulator directly: S3 is not this contract's API. The flow's one
request that breaks the contract on purpose (updatePost without If-Match, for the 428) is left
out: Prism refuses it with its own 422, as it should, and the pytest run of the flow covers it.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from blog_api_client.errors import UnexpectedStatus

from scripts.contract.contract_test import job_worker, served_stack
from scripts.contract.sdk_flow import FlowError, run_flow
from tests.fixtures.services import free_port

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "spec" / "openapi.yaml"
# The package's own entry rather than `npx`, so that the process stopped at the end is Prism
# itself and not a wrapper that would leave it running.
PRISM = ROOT / "node_modules" / ".bin" / "prism"
LOG = ROOT / "reports" / "prism" / "prism.log"
START_SECONDS = 60.0
# Prism logs a violation as a VALIDATOR warning, or with --errors as a request it terminated
# (422 for a request, 500 VIOLATIONS for a response); any error or warning line counts.
VIOLATION = re.compile(r"\[VALIDATOR\]|violation|terminated with error|✖|⚠", re.IGNORECASE)


def violations(log: str) -> list[str]:
    """The lines of a Prism log that report a violation or an error."""
    return [line for line in log.splitlines() if VIOLATION.search(line)]


@contextlib.contextmanager
def prism_proxy(upstream: str, log: Path) -> Iterator[str]:
    """`prism proxy --errors` in front of upstream, logging to log; yield its URL."""
    port = free_port()
    command = [str(PRISM), "proxy", str(SPEC), upstream, "--errors", "--port", str(port)]
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as sink:
        process = subprocess.Popen(command, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while "Prism is listening" not in log.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"Prism did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def flow_through_prism(log: Path) -> str | None:
    """Serve the app with its services, run the flow through Prism; the flow's failure, if any."""
    with (
        served_stack({}) as (base, env),
        job_worker(env, log=log.with_name("worker.log")),
        prism_proxy(base, log) as proxy,
    ):
        try:
            run_flow(proxy, send_invalid_requests=False)
        except (FlowError, UnexpectedStatus, httpx.HTTPError) as exc:
            return f"{type(exc).__name__}: {exc}"
    return None


def main() -> int:
    failure = flow_through_prism(LOG)
    found = violations(LOG.read_text())
    for line in found:
        print(line, file=sys.stderr)
    if failure is not None:
        print(f"the SDK flow failed through Prism: {failure}", file=sys.stderr)
    print(f"Prism: {len(found)} violations in the SDK flow (log: {LOG.relative_to(ROOT)})")
    return 1 if found or failure is not None else 0


if __name__ == "__main__":
    sys.exit(main())
