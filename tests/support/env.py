"""The test run's services: real PostgreSQL/Redis when the environment names them."""

from __future__ import annotations

import os

import pytest


def database_url() -> str | None:
    return os.environ.get("DATABASE_URL") or None


def redis_url() -> str | None:
    return os.environ.get("REDIS_URL") or None


def services_required() -> bool:
    """CI sets LUNEO_REQUIRE_SERVICES=1: a missing service is then a failure, not a skip."""
    return os.environ.get("LUNEO_REQUIRE_SERVICES") == "1"


def need(name: str, value: str | None) -> str:
    """Return the service URL, or skip (locally) / fail (CI) when it is not configured."""
    if value:
        return value
    message = f"{name} is not set; this test needs the real service"
    if services_required():
        pytest.fail(message)
    pytest.skip(message)
    raise AssertionError  # unreachable


def postgres_admin_url() -> str:
    """A URL to create/drop scratch databases on the same PostgreSQL server."""
    url = need("DATABASE_URL", database_url())
    base, _, _ = url.rpartition("/")
    return base + "/postgres"
