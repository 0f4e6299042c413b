"""The committed migrations build the models' schema on PostgreSQL and SQLite, both ways."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from luneo_app import create_app
from luneo_app.extensions import db
from tests.conftest import make_config
from tests.support.env import postgres_admin_url

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


@pytest.fixture()
def scratch_postgres():  # type: ignore[no-untyped-def]
    """A fresh, empty PostgreSQL database, dropped afterwards."""
    admin_url = postgres_admin_url().replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"luneo_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _schema(app) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    """Tables -> columns, unique constraints and indexes, as the database reports them."""
    with app.app_context():
        insp = inspect(db.engine)
        out = {}
        for table in insp.get_table_names():
            if table == "alembic_version":
                continue
            out[table] = {
                "columns": sorted(c["name"] for c in insp.get_columns(table)),
                "unique": sorted(
                    tuple(u["column_names"]) for u in insp.get_unique_constraints(table)
                ),
                "indexes": sorted(
                    i["name"] for i in insp.get_indexes(table) if not i["name"].startswith("uq_")
                ),
            }
        return out


def test_upgrade_and_downgrade_cleanly_on_postgresql(scratch_postgres):
    app = create_app(
        make_config(
            SQLALCHEMY_DATABASE_URI=scratch_postgres.replace(
                "postgresql://", "postgresql+psycopg://"
            )
        )
    )
    with app.app_context():
        upgrade(directory=MIGRATIONS)
    built = _schema(app)
    expected = {t.name for t in db.metadata.sorted_tables}
    assert set(built) == expected
    for table in db.metadata.sorted_tables:
        assert built[table.name]["columns"] == sorted(c.name for c in table.columns), table.name
    assert ("shop_domain",) in built["shop_installs"]["unique"]
    assert ("platform", "event_id") in built["webhook_events"]["unique"]
    assert ("prefix",) in built["api_keys"]["unique"]
    with app.app_context():
        downgrade(directory=MIGRATIONS, revision="base")
        assert inspect(db.engine).get_table_names() == ["alembic_version"]
        upgrade(directory=MIGRATIONS)
    assert _schema(app) == built
    with app.app_context():
        db.engine.dispose()


def test_sqlite_gets_the_same_schema_as_postgresql(scratch_postgres, tmp_path):
    pg = create_app(
        make_config(
            SQLALCHEMY_DATABASE_URI=scratch_postgres.replace(
                "postgresql://", "postgresql+psycopg://"
            )
        )
    )
    lite = create_app(make_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'm.sqlite3'}"))
    for application in (pg, lite):
        with application.app_context():
            upgrade(directory=MIGRATIONS)
    pg_schema, lite_schema = _schema(pg), _schema(lite)
    assert pg_schema == lite_schema
    with lite.app_context():
        downgrade(directory=MIGRATIONS, revision="base")
    with pg.app_context():
        db.engine.dispose()
