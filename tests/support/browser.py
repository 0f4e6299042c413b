"""Headless Chromium for browser tests: Debian's binary, never a downloaded browser."""

from __future__ import annotations

import shutil
import socket

import pytest

from tests.support.env import services_required

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Software WebGL, for pages that draw 3D (model-viewer).
WEBGL_ARGS = [*ARGS[:2], "--use-angle=swiftshader", "--enable-unsafe-swiftshader", *ARGS[2:]]


def require_chromium() -> None:
    """Skip locally without Chromium; in CI (services required) its absence is a failure."""
    if shutil.which(CHROMIUM):
        return
    if services_required():
        pytest.fail(f"{CHROMIUM} is missing")
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")


def free_port() -> int:
    """A free loopback port for a server the test starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
