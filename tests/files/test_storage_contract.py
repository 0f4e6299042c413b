"""The storage contract, run against both backends: the local folder and an S3 bucket on a
real S3 wire-protocol server (moto's standalone server)."""

from __future__ import annotations

import io
import urllib.error
import urllib.request

import pytest

from luneo_app.files.storage import NoSuchFile, StorageError


@pytest.fixture(params=["local", "s3"])
def backend(request):  # type: ignore[no-untyped-def]
    """``(app, storage)`` for each backend."""
    app = request.getfixturevalue("app" if request.param == "local" else "s3_app")
    return app, app.extensions["luneo.storage"]


def download(app, url: str) -> tuple[int, bytes, dict[str, str]]:  # type: ignore[no-untyped-def]
    """Fetch a download URL the way a browser would: the app's own links through the app,
    presigned bucket URLs over HTTP from the bucket."""
    if url.startswith(app.config["APP_URL"]):
        response = app.test_client().get(url.removeprefix(app.config["APP_URL"]))
        return response.status_code, response.data, _lower(response.headers)
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - local server
            return answer.status, answer.read(), _lower(answer.headers)
    except urllib.error.HTTPError as err:
        return err.code, err.read(), _lower(err.headers)


def _lower(headers) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {key.lower(): value for key, value in headers.items()}


def test_a_stored_file_reads_back_with_its_size_and_content_type(backend):
    _app, storage = backend
    storage.put("brands/b1/designs/d1/preview.webp", b"RIFF-preview-bytes", "image/webp")
    assert storage.get("brands/b1/designs/d1/preview.webp") == b"RIFF-preview-bytes"
    info = storage.stat("brands/b1/designs/d1/preview.webp")
    assert (info.size, info.content_type) == (18, "image/webp")
    assert info.etag


def test_a_large_file_streams_back_in_chunks(backend):
    _app, storage = backend
    data = bytes(range(256)) * 1024  # 256 KiB, several chunks
    storage.put("brands/b1/orders/o1/front.pdf", io.BytesIO(data), "application/pdf")
    chunks = list(storage.stream("brands/b1/orders/o1/front.pdf"))
    assert len(chunks) > 1
    assert b"".join(chunks) == data


def test_missing_files_are_missing_not_errors_of_the_store(backend):
    _app, storage = backend
    assert storage.exists("brands/b1/nothing.png") is False
    for read in (storage.get, storage.stat, storage.stream):
        with pytest.raises(NoSuchFile):
            read("brands/b1/nothing.png")
    storage.delete("brands/b1/nothing.png")  # deleting what is gone is fine


def test_delete_removes_one_file(backend):
    _app, storage = backend
    storage.put("brands/b1/a.png", b"a", "image/png")
    storage.put("brands/b1/b.png", b"b", "image/png")
    storage.delete("brands/b1/a.png")
    assert not storage.exists("brands/b1/a.png")
    assert storage.exists("brands/b1/b.png")


def test_list_and_delete_prefix_touch_one_brand_only(backend):
    _app, storage = backend
    storage.put("brands/b1/x/1.png", b"1")
    storage.put("brands/b1/y/2.png", b"2")
    storage.put("brands/b10/z/3.png", b"3")  # shares the text prefix "brands/b1"
    assert storage.list("brands/b1/") == ["brands/b1/x/1.png", "brands/b1/y/2.png"]
    assert storage.delete_prefix("brands/b1/") == 2
    assert storage.list("brands/") == ["brands/b10/z/3.png"]
    assert storage.delete_prefix("brands/b1/") == 0


def test_copy_keeps_the_bytes_and_the_content_type(backend):
    _app, storage = backend
    storage.put("brands/b1/designs/d1/front.png", b"\x89PNG-production", "image/png")
    storage.copy("brands/b1/designs/d1/front.png", "brands/b1/orders/o1/1001-front.png")
    assert storage.get("brands/b1/orders/o1/1001-front.png") == b"\x89PNG-production"
    assert storage.stat("brands/b1/orders/o1/1001-front.png").content_type == "image/png"
    assert storage.exists("brands/b1/designs/d1/front.png")
    with pytest.raises(NoSuchFile):
        storage.copy("brands/b1/none.png", "brands/b1/other.png")


def test_download_url_serves_the_file_with_its_content_type(backend):
    app, storage = backend
    glb = b"glTF" + b"\0" * 200
    storage.put("brands/b1/3d/abc.glb", glb, "model/gltf-binary")
    status, body, headers = download(app, storage.url("brands/b1/3d/abc.glb", 60))
    assert status == 200
    assert body == glb
    assert headers["content-type"] == "model/gltf-binary"


def test_download_url_with_a_name_is_an_attachment_of_that_name(backend):
    app, storage = backend
    storage.put("brands/b1/orders/o1/files.zip", b"PK..", "application/zip")
    url = storage.url("brands/b1/orders/o1/files.zip", filename="#1001-files.zip")
    status, body, headers = download(app, url)
    assert (status, body) == (200, b"PK..")
    assert headers["content-disposition"].startswith("attachment")
    assert "1001-files.zip" in headers["content-disposition"]


def test_keys_that_could_escape_are_refused(backend):
    _app, storage = backend
    for key in ["../etc/passwd", "brands/../../x", "/abs", "brands//x"]:
        with pytest.raises(StorageError):
            storage.put(key, b"x")
        with pytest.raises(StorageError):
            storage.url(key)


def test_the_store_answers_its_readiness_check(backend):
    app, storage = backend
    storage.check()
    response = app.test_client().get("/readyz")
    assert response.get_json()["checks"]["storage"] == "ok"
