"""An embedded AWS emulator (moto's server mode) on loopback, bootstrapped for the app.

Used by `make run`, the contract run and the tests, so none of them needs an external service.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator

from moto.server import ThreadedMotoServer

from app.settings import Settings
from scripts.bootstrap_aws import bootstrap

# The emulator accepts any credentials; these keep real ones from ever being used with it.
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


@contextlib.contextmanager
def aws_emulator(port: int, settings: Settings) -> Iterator[dict[str, str]]:
    """Serve the emulator on 127.0.0.1:port with the settings' resources; yield the AWS env."""
    # The emulator's HTTP server logs every request; the app's own logs are what matter here.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    env = {**FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": endpoint, "AWS_REGION": settings.aws_region}
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        bootstrap(settings.model_copy(update={"aws_endpoint_url": endpoint}))
        yield env
    finally:
        server.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
