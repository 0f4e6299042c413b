"""Code run in separate OS processes by the concurrency tests (imported by ``spawn``)."""

from __future__ import annotations

import os
from typing import Any


def refresh_in_child(env: dict[str, str], shop: str, barrier: Any, results: Any) -> None:
    """Build the app in a fresh process, wait for the others, then ask for a token."""
    os.environ.update(env)
    from luneo_app import create_app
    from luneo_app.config import TestConfig
    from luneo_app.shopify.tokens import access_token_for

    app = create_app(TestConfig())
    with app.app_context():
        barrier.wait(timeout=60)
        try:
            results.put(("ok", access_token_for(shop)))
        except Exception as exc:  # noqa: BLE001 - reported to the parent test
            results.put(("error", repr(exc)))
