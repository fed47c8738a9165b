"""An embedded AWS emulator (moto's server mode) on loopback, bootstrapped for the app.

Used by `make run`, the contract run and the tests, so none of them needs an external service.
In memory only, unless given a StateKeeper (scripts/dev/aws_state.py), as `make run` does.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from moto.server import ThreadedMotoServer
from werkzeug.serving import make_server

from app.settings import Settings
from scripts.dev.aws_state import RequestGate, StateKeeper
from scripts.dev.bootstrap_aws import bootstrap

# The emulator accepts any credentials; these keep real ones from ever being used with it.
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


def is_receive(environ: dict[str, Any]) -> bool:
    """An SQS ReceiveMessage, which may wait up to 20 s for a message (JSON or query protocol)."""
    return environ.get("HTTP_X_AMZ_TARGET") == "AmazonSQS.ReceiveMessage" or (
        "Action=ReceiveMessage" in environ.get("QUERY_STRING", "")
    )


class AtomicDynamoServer(ThreadedMotoServer):
    """moto applies a DynamoDB update as an unlocked read-modify-write; DynamoDB applies it
    atomically. Serializing DynamoDB requests keeps that promise (other services stay parallel,
    so SQS long polls do not block).

    With a gate, every request but a receive runs inside it, so that snapshots are taken
    between requests."""

    def __init__(self, ip_address: str, port: int, gate: RequestGate | None = None) -> None:
        super().__init__(ip_address=ip_address, port=port, verbose=False)
        self._gate = gate

    def _server_entry(self) -> None:
        app = DomainDispatcherApplication(create_backend_app)
        lock = threading.Lock()
        gate = self._gate

        def serialized(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
            if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB"):
                with lock:
                    return list(app(environ, start_response))
            return app(environ, start_response)  # type: ignore[no-any-return]

        def gated(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
            if gate is None or is_receive(environ):
                return serialized(environ, start_response)
            with gate.request():
                return list(serialized(environ, start_response))

        self._server = make_server(
            self._ip_address, self._port, gated, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()


@contextlib.contextmanager
def aws_emulator(
    port: int, settings: Settings, state: StateKeeper | None = None
) -> Iterator[dict[str, str]]:
    """Serve the emulator on 127.0.0.1:port with the settings' resources; yield the AWS env.

    With state, what the snapshot holds is restored before the first request, and what the
    emulator holds is saved periodically and after the last one."""
    # The emulator's HTTP server logs every request; the app's own logs are what matter here.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    if state is not None:
        state.restore()
    server = AtomicDynamoServer("127.0.0.1", port, gate=state.gate if state is not None else None)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    env = {**FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": endpoint, "AWS_REGION": settings.aws_region}
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        bootstrap(settings.model_copy(update={"aws_endpoint_url": endpoint}))
        if state is not None:
            state.start()
        yield env
    finally:
        try:
            server.stop()
        finally:
            if state is not None:
                state.close()
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
