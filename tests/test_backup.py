"""Backup and restore: pg_dump of the run's PostgreSQL (client matching the server's major
version) and a copy of the store, restored into a fresh database and a fresh store; the
restored app serves the same designs and the same files."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import psycopg
import pytest

from luneo_app import create_app
from luneo_app.backup.service import pg_program, server_major
from luneo_app.extensions import db
from tests.conftest import make_config
from tests.designs.helpers import brand_with_key, text_design
from tests.support.env import database_url, need, postgres_admin_url


def _without_links(body: dict) -> dict:
    """A design's JSON without the signed download links (they carry their own expiry)."""
    return json.loads(
        json.dumps(body),
        object_hook=lambda d: {k: v for k, v in d.items() if not k.endswith("Url") and k != "url"},
    )


@pytest.fixture()
def scratch_database():  # type: ignore[no-untyped-def]
    need("DATABASE_URL", database_url())
    name = f"luneo_restore_{uuid.uuid4().hex[:8]}"
    admin = postgres_admin_url().replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = database_url().rpartition("/")[0]
    yield f"{base}/{name}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restored_into_a_fresh_database_and_store_serves_the_same_designs_and_files(
    app, client, scratch_database, tmp_path
):
    _, headers, product = brand_with_key(app)
    created = client.post("/v1/designs", json=text_design(product.id), headers=headers)
    design_id = created.get_json()["designId"]
    original = client.get(f"/v1/designs/{design_id}", headers=headers).get_json()
    assert original["status"] == "preview_ready"
    preview = client.get(original["previewUrl"])
    assert preview.status_code == 200 and preview.data

    folder = tmp_path / "backup"
    made = app.test_cli_runner().invoke(args=["luneo", "backup", str(folder)])
    assert made.exit_code == 0, made.output
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["serverMajor"] == server_major()
    assert Path(pg_program("pg_dump", server_major())).parent.parent.name == str(server_major())
    assert any(key.endswith(".webp") or key.endswith(".png") for key in manifest["files"])
    db.session.remove()

    config = make_config(STORAGE_DIR=str(tmp_path / "restored-store"))
    config.SQLALCHEMY_DATABASE_URI = scratch_database.replace(
        "postgresql://", "postgresql+psycopg://"
    )
    restored_app = create_app(config)
    with restored_app.app_context():
        assert restored_app.extensions["luneo.storage"].list("brands/") == []
        done = restored_app.test_cli_runner().invoke(args=["luneo", "restore", str(folder)])
        assert done.exit_code == 0, done.output
        restored = restored_app.test_client()
        again = restored.get(f"/v1/designs/{design_id}", headers=headers)
        assert again.status_code == 200  # the same API key works: its row came back
        assert _without_links(again.get_json()) == _without_links(original)
        served = restored.get(again.get_json()["previewUrl"])
        assert served.status_code == 200 and served.data == preview.data
        db.session.remove()


def test_a_backup_refuses_a_folder_that_is_not_empty(app, tmp_path):
    (tmp_path / "old.txt").write_text("x")
    result = app.test_cli_runner().invoke(args=["luneo", "backup", str(tmp_path)])
    assert result.exit_code != 0 and "not empty" in result.output
