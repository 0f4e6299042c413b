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


def isolate_xdist_worker(index: int) -> None:
    """Point this xdist worker at its own database (``<db>_gwN``, created when missing) and
    its own Redis db (the run's db + 1 + N), so parallel workers never see each other's rows
    or keys. Everything else reads the URLs from the environment."""
    url = database_url()
    if url and url.startswith("postgresql"):
        import psycopg

        base, _, name = url.rpartition("/")
        worker_db = f"{name}_gw{index}"
        admin = base.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (worker_db,)
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{worker_db}"')
        os.environ["DATABASE_URL"] = f"{base}/{worker_db}"
    redis = redis_url()
    if redis:
        base, _, number = redis.rpartition("/")
        db_number = int(number or 0) if (number or "0").isdigit() else 0
        os.environ["REDIS_URL"] = f"{base}/{db_number + 1 + index}"
