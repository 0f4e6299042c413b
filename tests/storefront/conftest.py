"""Storefront tests: give each test's database connections back when it ends.

Every test builds its own app (and engine); without this its pooled PostgreSQL connections
stay open until garbage collection, and a full run next to other suites can exhaust the
server's connection limit.
"""

from __future__ import annotations

import pytest

from luneo_app.extensions import db


@pytest.fixture(autouse=True)
def _close_connections(request):  # type: ignore[no-untyped-def]
    app = request.getfixturevalue("app") if "app" in request.fixturenames else None
    yield
    if app is not None:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
