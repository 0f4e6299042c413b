"""A real S3 wire-protocol server for tests: moto's standalone server on a free local port.

Started once per test session (``s3_server`` fixture); each test gets a bucket of its own.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field

import boto3
from botocore.config import Config as BotoConfig

# moto accepts any credentials; they only have to be present for boto3 to sign requests.
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class S3Server:
    """A running moto server."""

    endpoint: str
    proc: subprocess.Popen = field(repr=False)

    def client(self):  # type: ignore[no-untyped-def]
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=BotoConfig(s3={"addressing_style": "path"}),
        )

    def new_bucket_url(self) -> str:
        """A fresh ``s3://`` location (the bucket is made by ``storage-setup``)."""
        return f"s3://luneo-{uuid.uuid4().hex[:12]}/files"

    def settings(self, storage_url: str) -> dict[str, str]:
        """The environment an app or worker process needs to use this server."""
        return {
            **CREDENTIALS,
            "STORAGE_URL": storage_url,
            "STORAGE_ENDPOINT_URL": self.endpoint,
            "STORAGE_PATH_STYLE": "1",
        }

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def start_s3_server() -> S3Server:
    """Start ``python -m moto.server`` on a free loopback port and wait until it answers."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **CREDENTIALS},
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("moto server exited at start")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return S3Server(endpoint, proc)
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("moto server did not start in 30 s")
