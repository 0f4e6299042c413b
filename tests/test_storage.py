"""Stored files are served only through signed, unexpired, untampered URLs."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest

from luneo_app.files.storage import StorageError


def _path_and_query(url: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(url)
    return parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}


def test_signed_url_serves_the_file(app, client):
    storage = app.extensions["luneo.storage"]
    storage.put("brands/b1/designs/d1/preview.webp", b"RIFF-preview-bytes", "image/webp")
    url = storage.url("brands/b1/designs/d1/preview.webp", expires_in=60)
    response = client.get(url.replace(app.config["APP_URL"], ""))
    assert response.status_code == 200
    assert response.data == b"RIFF-preview-bytes"
    assert response.mimetype == "image/webp"


def test_signed_url_with_download_name_is_an_attachment(app, client):
    storage = app.extensions["luneo.storage"]
    storage.put("brands/b1/orders/o1/files.zip", b"PK..", "application/zip")
    url = storage.url("brands/b1/orders/o1/files.zip", filename="#1001-files.zip")
    response = client.get(url.replace(app.config["APP_URL"], ""))
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]


def test_expired_url_is_refused(app, client, monkeypatch):
    storage = app.extensions["luneo.storage"]
    storage.put("brands/b1/a.png", b"png", "image/png")
    url = storage.url("brands/b1/a.png", expires_in=1)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 5)
    response = client.get(url.replace(app.config["APP_URL"], ""))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "bad_signature"
    assert "expired" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("tamper", ["sig", "exp", "key", "name", "missing"])
def test_tampered_url_is_refused(app, client, tamper):
    storage = app.extensions["luneo.storage"]
    storage.put("brands/b1/a.png", b"png-a", "image/png")
    storage.put("brands/b2/b.png", b"png-b", "image/png")
    path, query = _path_and_query(storage.url("brands/b1/a.png", expires_in=60))
    if tamper == "sig":
        query["sig"] = ("0" if query["sig"][0] != "0" else "1") + query["sig"][1:]
    elif tamper == "exp":
        query["exp"] = str(int(query["exp"]) + 3600)
    elif tamper == "key":
        path = path.replace("brands/b1/a.png", "brands/b2/b.png")
    elif tamper == "name":
        query["name"] = "other.png"
    else:
        query.pop("sig")
    response = client.get(path, query_string=query)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "bad_signature"


def test_keys_cannot_escape_the_storage_folder(app):
    storage = app.extensions["luneo.storage"]
    for key in ["../etc/passwd", "brands/../../x", "/abs", "brands//x"]:
        with pytest.raises(StorageError):
            storage.put(key, b"x")


def test_delete_prefix_removes_a_brands_files_only(app):
    storage = app.extensions["luneo.storage"]
    storage.put("brands/b1/x/1.png", b"1")
    storage.put("brands/b1/y/2.png", b"2")
    storage.put("brands/b2/z/3.png", b"3")
    assert storage.delete_prefix("brands/b1/") == 2
    assert storage.list("brands/") == ["brands/b2/z/3.png"]


def test_a_repeated_download_with_its_etag_is_not_sent_again(app, client):
    storage = app.extensions["luneo.storage"]
    storage.put("brands/b1/3d/abc.glb", b"glTF" + b"\0" * 100, "model/gltf-binary")
    path = storage.url("brands/b1/3d/abc.glb", expires_in=60).replace(app.config["APP_URL"], "")
    first = client.get(path)
    assert first.status_code == 200 and first.headers["Content-Length"] == "104"
    assert first.mimetype == "model/gltf-binary"
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_a_signed_link_to_a_file_that_is_gone_is_not_found(app, client):
    storage = app.extensions["luneo.storage"]
    url = storage.url("brands/b1/gone.png", expires_in=60)
    response = client.get(url.replace(app.config["APP_URL"], ""))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
