"""`make run`: the app on loopback with an embedded AWS emulator and a job worker beside it.

The emulator's state is kept in a snapshot file (var/aws-state.pickle by default; see
scripts/dev/aws_state.py) beside the SQLite database, so both survive a restart. With
AWS_ENDPOINT_URL already set, that endpoint is used and no emulator is started.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import uvicorn

from app.bootstrap import open_resources
from app.settings import Settings, get_settings
from app.worker import poller
from scripts.dev.aws_emulator import aws_emulator
from scripts.dev.aws_state import DEFAULT_EVERY_SECONDS, StateKeeper

DEFAULT_STATE = Path("var/aws-state.pickle")


@contextlib.contextmanager
def aws(port: int, settings: Settings, state: StateKeeper) -> Iterator[None]:
    if os.environ.get("AWS_ENDPOINT_URL"):
        yield
        return
    with aws_emulator(port, settings, state) as env:
        origin = "restored from" if state.restored else "new, saved to"
        print(f"AWS emulator on {env['AWS_ENDPOINT_URL']}, state {origin} {state.path}", flush=True)
        yield


def run_worker(*, settings: Settings) -> None:
    async def forever() -> None:
        async with open_resources(settings) as resources:
            while True:
                with contextlib.suppress(Exception):
                    await poller.poll(resources=resources, batches=1, wait_seconds=5)
                await asyncio.sleep(0.5)

    asyncio.run(forever())


def exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    """SIGTERM unwinds like Ctrl-C, so the emulator's state is saved on the way out.

    uvicorn handles SIGINT and SIGTERM itself while it serves; once it has shut down it raises
    the signal again, with this handler back in place."""
    raise SystemExit(128 + signum)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--aws-port", type=int, default=int(os.environ.get("AWS_PORT", "5005")))
    parser.add_argument(
        "--aws-state",
        type=Path,
        default=DEFAULT_STATE,
        help="the emulator's snapshot file, restored at start and saved at stop",
    )
    parser.add_argument(
        "--aws-state-every",
        type=float,
        default=DEFAULT_EVERY_SECONDS,
        help="seconds between snapshots while running (what a hard kill can lose)",
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, exit_on_sigterm)
    state = StateKeeper(args.aws_state, every=args.aws_state_every)
    try:
        with aws(args.aws_port, get_settings(), state):
            get_settings.cache_clear()
            settings = get_settings()
            threading.Thread(target=run_worker, kwargs={"settings": settings}, daemon=True).start()
            uvicorn.run(
                "app.main:create_app",
                factory=True,
                host="127.0.0.1",
                port=args.port,
                access_log=False,
                # The app applies FORWARDED_ALLOW_IPS itself, as in the image.
                proxy_headers=False,
            )
    except KeyboardInterrupt:
        sys.exit(128 + signal.SIGINT)


if __name__ == "__main__":
    main()
