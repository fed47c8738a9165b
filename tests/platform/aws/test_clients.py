"""The AWS client factory: one client per service, reused; boto3 waits for the first use."""

from __future__ import annotations

import subprocess
import sys

from app.platform.aws.clients import AwsClients
from app.settings import Settings


def test_clients_are_made_once_and_reused(settings: Settings) -> None:
    clients = AwsClients(settings)
    try:
        assert clients.s3() is clients.s3()
        assert clients.dynamodb() is clients.dynamodb()
        assert clients.dynamodb().meta.service_model.service_name == "dynamodb"
    finally:
        clients.close()


def test_importing_the_app_does_not_import_boto3() -> None:
    code = "import sys, app.main; print('boto3' in sys.modules, 'botocore' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False False"
