"""``flask luneo storage-setup`` and ``flask luneo storage-migrate`` against a real S3 server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import make_s3_app


@pytest.fixture()
def fresh_bucket_app(_schema, s3_server):  # type: ignore[no-untyped-def]
    """An app on S3 whose bucket does not exist yet (as on a new deployment)."""
    app = make_s3_app(s3_server, STORAGE_CORS_ORIGINS="https://acme.myshopify.com, *")
    storage = app.extensions["luneo.storage"]
    storage.client.delete_bucket(Bucket=storage.bucket)
    return app


def test_storage_setup_creates_the_bucket_with_cors_and_lifecycle(fresh_bucket_app):
    storage = fresh_bucket_app.extensions["luneo.storage"]
    result = fresh_bucket_app.test_cli_runner().invoke(args=["luneo", "storage-setup"])
    assert result.exit_code == 0, result.output
    assert f"bucket {storage.bucket}: created" in result.output
    rule = storage.client.get_bucket_cors(Bucket=storage.bucket)["CORSRules"][0]
    assert rule["AllowedOrigins"] == [
        fresh_bucket_app.config["APP_URL"],
        "https://acme.myshopify.com",
        "*",
    ]
    assert set(rule["AllowedMethods"]) == {"GET", "HEAD"}
    lifecycle = storage.client.get_bucket_lifecycle_configuration(Bucket=storage.bucket)
    assert lifecycle["Rules"][0]["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == 1

    again = fresh_bucket_app.test_cli_runner().invoke(args=["luneo", "storage-setup"])
    assert again.exit_code == 0
    assert f"bucket {storage.bucket}: exists" in again.output


def test_storage_commands_refuse_to_run_without_a_bucket(app):
    for command in ("storage-setup", "storage-migrate"):
        result = app.test_cli_runner().invoke(args=["luneo", command])
        assert result.exit_code != 0
        assert "STORAGE_URL is not set" in result.output


def _local_store(root: Path) -> dict[str, bytes]:
    files = {
        "brands/b1/designs/d1/preview.webp": b"RIFF-preview",
        "brands/b1/designs/d1/front.pdf": b"%PDF-1.7 production",
        "brands/b1/3d/abc.glb": b"glTF" + b"\0" * 64,
        "brands/b2/orders/o1/files.zip": os.urandom(6 * 1024 * 1024),  # goes up in parts
    }
    for key, data in files.items():
        (root / key).parent.mkdir(parents=True, exist_ok=True)
        (root / key).write_bytes(data)
    (root / "brands/b1/.tmp-half-written").write_bytes(b"x")  # never a stored file
    return files


def test_storage_migrate_copies_a_local_store_verifies_and_resumes(_schema, s3_server, tmp_path):
    app = make_s3_app(s3_server, STORAGE_MULTIPART_THRESHOLD=5 * 1024 * 1024)
    storage = app.extensions["luneo.storage"]
    files = _local_store(tmp_path)
    runner = app.test_cli_runner()

    first = runner.invoke(args=["luneo", "storage-migrate", "--from", str(tmp_path)])
    assert first.exit_code == 0, first.output
    assert "4 copied" in first.output and "0 failed" in first.output
    assert storage.list("brands/") == sorted(files)
    for key, data in files.items():
        assert storage.get(key) == data
    assert storage.stat("brands/b1/3d/abc.glb").content_type == "model/gltf-binary"
    assert storage.stat("brands/b2/orders/o1/files.zip").etag.endswith("-2")

    # An interrupted run: one file never arrived, another arrived damaged.
    storage.delete("brands/b1/designs/d1/front.pdf")
    storage.put("brands/b1/designs/d1/preview.webp", b"RIFF-truncat", "image/webp")
    second = runner.invoke(args=["luneo", "storage-migrate", "--from", str(tmp_path)])
    assert second.exit_code == 0, second.output
    assert "2 copied" in second.output and "2 already there" in second.output
    assert storage.get("brands/b1/designs/d1/front.pdf") == files["brands/b1/designs/d1/front.pdf"]
    assert storage.get("brands/b1/designs/d1/preview.webp") == b"RIFF-preview"
