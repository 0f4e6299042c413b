"""Fixtures: ``app``, ``client``, ``db`` and small factories.

The schema is built once per run with the real migrations. Each test starts from empty
tables, an empty storage folder and an empty Redis database.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import inspect, text

from luneo_app import create_app
from luneo_app.config import TestConfig
from luneo_app.extensions import db as _db
from tests.support.env import database_url, isolate_xdist_worker, need, redis_url

_RUN_DIR = Path(tempfile.mkdtemp(prefix="luneo-tests-"))


def pytest_configure(config) -> None:  # type: ignore[no-untyped-def]
    """Under pytest-xdist each worker gets its own PostgreSQL database and Redis db."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        isolate_xdist_worker(int(worker.removeprefix("gw")))


def make_config(**overrides: object) -> TestConfig:
    """Test settings: the run's database and Redis, a private instance and storage folder."""
    env = dict(os.environ)
    env.setdefault("LUNEO_INSTANCE_DIR", str(_RUN_DIR / "instance"))
    env.setdefault("STORAGE_DIR", str(_RUN_DIR / "storage"))
    if not database_url():
        env["DATABASE_URL"] = f"sqlite:///{_RUN_DIR / 'test.sqlite3'}"
    overrides.setdefault("CELERY_EAGER", True)
    return TestConfig(env, **overrides)


@pytest.fixture(scope="session")
def _schema() -> Iterator[None]:
    app = create_app(make_config())
    with app.app_context():
        _drop_everything()
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    yield
    shutil.rmtree(_RUN_DIR, ignore_errors=True)


def _drop_everything() -> None:
    """Start the run from an empty database (a previous run may have left tables)."""
    engine = _db.engine
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    else:
        _db.drop_all()
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def clean_state(app) -> None:  # type: ignore[no-untyped-def]
    """Empty every table, the storage folder and the Redis test database."""
    with app.app_context():
        _db.session.remove()
        existing = set(inspect(_db.engine).get_table_names())
        tables = [t.name for t in reversed(_db.metadata.sorted_tables) if t.name in existing]
        with _db.engine.begin() as conn:
            if _db.engine.dialect.name == "postgresql":
                conn.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
            else:
                for name in tables:
                    conn.execute(text(f"DELETE FROM {name}"))
        storage_dir = Path(app.config["STORAGE_DIR"])
        if storage_dir.exists():
            shutil.rmtree(storage_dir)
        storage_dir.mkdir(parents=True, exist_ok=True)
        client = getattr(app.extensions["luneo.kv"], "client", None)
        if client is not None:  # an app built without Redis keeps its state in the tables
            client.flushdb()


@pytest.fixture()
def app(_schema):  # type: ignore[no-untyped-def]
    application = create_app(make_config())
    clean_state(application)
    with application.app_context():
        yield application
        _db.session.remove()


@pytest.fixture()
def live_app(_schema):  # type: ignore[no-untyped-def]
    """Like ``app``, but jobs go through real Redis to a worker the test starts."""
    need("REDIS_URL", redis_url())
    application = create_app(make_config(CELERY_EAGER=False, JOB_RETRY_BACKOFF=1))
    clean_state(application)
    with application.app_context():
        yield application
        _db.session.remove()


@pytest.fixture()
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture()
def db(app):  # type: ignore[no-untyped-def]
    return _db


@pytest.fixture()
def brand(app):  # type: ignore[no-untyped-def]
    from tests.support.factories import make_brand

    return make_brand()


@pytest.fixture(scope="session")
def s3_server():  # type: ignore[no-untyped-def]
    """moto's standalone S3 server, once per session (see tests/support/s3.py)."""
    from tests.support.s3 import CREDENTIALS, start_s3_server

    server = start_s3_server()
    saved = {key: os.environ.get(key) for key in CREDENTIALS}
    os.environ.update(CREDENTIALS)  # boto3 reads the standard variables, as in production
    yield server
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    server.stop()


def make_s3_app(server, **overrides):  # type: ignore[no-untyped-def]
    """An app whose files live in a fresh bucket on ``server``, set up as in production."""
    from luneo_app.files.setup import cors_origins, setup_bucket

    settings = server.settings(server.new_bucket_url())
    config = make_config(**overrides)
    for key in ("STORAGE_URL", "STORAGE_ENDPOINT_URL"):
        setattr(config, key, settings[key])
    config.STORAGE_PATH_STYLE = True
    application = create_app(config)
    storage = application.extensions["luneo.storage"]
    setup_bucket(storage, cors_origins(application.config["APP_URL"], ""))
    return application


@pytest.fixture()
def s3_app(_schema, s3_server):  # type: ignore[no-untyped-def]
    """Like ``app``, with files in a bucket of its own on the moto server."""
    application = make_s3_app(s3_server)
    clean_state(application)
    with application.app_context():
        yield application
        _db.session.remove()
