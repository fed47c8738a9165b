"""One cold start in one process, for `cold_start.py --instructions` to count under cachegrind.

uvicorn loads the app with the options of the start command given after `--command`
(cold_start.py passes serve_command's, with the factory to count), read by uvicorn's own command
line; the lifespan starts, and the app answers a GET for each path given, in order (/health,
then perhaps the first request that needs the database). The process then exits without shutting
down. No socket and no polling: what is counted is the loading and the answers, the part of a
start that differs between the two apps, and a count is the same from run to run on a noisy
machine, which wall-clock times are not. It imports nothing of the app or the scripts itself, so
that both apps' counts hold only what serving them loads.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import os
import sys
from typing import Any

from uvicorn.config import Config
from uvicorn.lifespan.on import LifespanOn
from uvicorn.main import main as uvicorn_command


def config_for(command: list[str]) -> Config:
    """The Config uvicorn's command line makes of this start command."""
    program, *arguments = command
    params = uvicorn_command.make_context(program, arguments).params
    sys.path.insert(0, params["app_dir"])
    accepted = inspect.signature(Config).parameters
    return Config(**{name: value for name, value in params.items() if name in accepted})


async def status(app: Any, path: str, state: dict[str, Any]) -> int:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8080),
        "state": dict(state),
    }
    await app(scope, receive, send)
    return int(sent[0]["status"])


async def start(config: Config, paths: list[str]) -> list[int]:
    lifespan = LifespanOn(config)
    await lifespan.startup()
    if lifespan.should_exit:
        raise SystemExit("the lifespan's startup failed")
    return [await status(config.loaded_app, path, lifespan.state) for path in paths]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("paths", nargs="+", help="answered in order, after the lifespan starts")
    parser.add_argument("--command", nargs=argparse.REMAINDER, required=True)
    args = parser.parse_args()
    config = config_for(args.command)
    config.load()
    paths: list[str] = args.paths
    runner = asyncio.Runner(loop_factory=config.get_loop_factory())
    statuses = runner.run(start(config, paths))
    print(" ".join(str(code) for code in statuses))
    sys.stdout.flush()
    # As a process that is stopped: no shutdown, no collection of what the start made.
    os._exit(0)


if __name__ == "__main__":
    raise SystemExit(main())
