"""`make run`: the app on loopback with an embedded AWS emulator and a job worker beside it.

With AWS_ENDPOINT_URL already set, that endpoint is used and no emulator is started.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import threading
from collections.abc import Iterator

import uvicorn

from app.bootstrap import open_resources
from app.settings import Settings, get_settings
from app.worker import poller
from scripts.dev.aws_emulator import aws_emulator


@contextlib.contextmanager
def aws(port: int, settings: Settings) -> Iterator[None]:
    if os.environ.get("AWS_ENDPOINT_URL"):
        yield
        return
    with aws_emulator(port, settings) as env:
        print(f"AWS emulator on {env['AWS_ENDPOINT_URL']}")
        yield


def run_worker(*, settings: Settings) -> None:
    async def forever() -> None:
        async with open_resources(settings) as resources:
            while True:
                with contextlib.suppress(Exception):
                    await poller.poll(resources=resources, batches=1, wait_seconds=5)
                await asyncio.sleep(0.5)

    asyncio.run(forever())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--aws-port", type=int, default=int(os.environ.get("AWS_PORT", "5005")))
    args = parser.parse_args()
    with aws(args.aws_port, get_settings()):
        get_settings.cache_clear()
        settings = get_settings()
        threading.Thread(target=run_worker, kwargs={"settings": settings}, daemon=True).start()
        uvicorn.run(
            "app.main:create_app",
            factory=True,
            host="127.0.0.1",
            port=args.port,
            access_log=False,
        )


if __name__ == "__main__":
    main()
