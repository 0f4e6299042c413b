"""What only the S3 backend does: parts for large files, presigned links, outages as 503."""

from __future__ import annotations

import io
import os
import socket

import pytest

from luneo_app.auth.apikeys import create_api_key
from luneo_app.extensions import db
from luneo_app.files.storage import StorageUnavailable
from luneo_app.models import Upload
from tests.conftest import make_s3_app
from tests.designs.helpers import png_bytes
from tests.storefront.helpers import ORIGIN, storefront_shop
from tests.support.factories import make_brand


def test_a_file_above_the_multipart_threshold_goes_up_in_parts(_schema, s3_server):
    app = make_s3_app(s3_server, STORAGE_MULTIPART_THRESHOLD=5 * 1024 * 1024)
    storage = app.extensions["luneo.storage"]
    data = os.urandom(11 * 1024 * 1024)
    storage.put("brands/b1/orders/o1/poster.pdf", data, "application/pdf")
    info = storage.stat("brands/b1/orders/o1/poster.pdf")
    assert info.etag.endswith("-3")  # 5 + 5 + 1 MiB: S3's ETag of a three-part upload
    assert (info.size, info.content_type) == (len(data), "application/pdf")
    assert storage.get("brands/b1/orders/o1/poster.pdf") == data


def test_download_links_are_presigned_bucket_urls(s3_app, s3_server):
    storage = s3_app.extensions["luneo.storage"]
    storage.put("brands/b1/designs/d1/preview.webp", b"RIFF", "image/webp")
    url = storage.url("brands/b1/designs/d1/preview.webp", 60)
    assert url.startswith(f"{s3_server.endpoint}/{storage.bucket}/files/brands/b1/designs/d1/")
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=60" in url
    assert storage.public_origin == s3_server.endpoint


def test_links_use_the_public_endpoint_when_browsers_reach_the_bucket_elsewhere(_schema, s3_server):
    app = make_s3_app(s3_server, STORAGE_PUBLIC_ENDPOINT_URL="https://files.example.com")
    storage = app.extensions["luneo.storage"]
    storage.put("brands/b1/a.png", b"png", "image/png")  # through the private endpoint
    assert storage.url("brands/b1/a.png").startswith("https://files.example.com/")
    assert storage.public_origin == "https://files.example.com"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def bucket_down_app(s3_app):  # type: ignore[no-untyped-def]
    """The same app, its bucket's server address now refusing connections."""
    storage = s3_app.extensions["luneo.storage"]
    storage.endpoint_url = f"http://127.0.0.1:{_closed_port()}"
    storage._clients = None  # noqa: SLF001 - reconnect to the dead address
    return s3_app


def test_storage_down_raises_unavailable_not_missing(bucket_down_app):
    storage = bucket_down_app.extensions["luneo.storage"]
    with pytest.raises(StorageUnavailable):
        storage.exists("brands/b1/a.png")
    with pytest.raises(StorageUnavailable):
        storage.put("brands/b1/a.png", b"x", "image/png")


def test_an_upload_while_the_bucket_is_down_is_a_503_with_retry_after(bucket_down_app):
    issued = create_api_key(make_brand())
    response = bucket_down_app.test_client().post(
        "/v1/uploads",
        data={"file": (io.BytesIO(png_bytes(400, 300)), "photo.png"), "consent": "true"},
        headers={"Authorization": f"Bearer {issued.plaintext}"},
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "10"
    assert response.get_json()["error"]["code"] == "storage_unavailable"
    assert db.session.query(Upload).count() == 0


def test_readiness_fails_while_the_bucket_is_down(bucket_down_app):
    response = bucket_down_app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["storage"].startswith("error")


def test_the_widget_page_lets_images_and_3d_files_come_from_the_bucket(s3_app, s3_server):
    storefront_shop(s3_app)
    query = {"shop": "acme.myshopify.com", "origin": ORIGIN, "product": "mug-1"}
    page = s3_app.test_client().get("/embed/widget", query_string=query)
    assert page.status_code == 200
    policy = dict(
        part.strip().split(" ", 1) for part in page.headers["Content-Security-Policy"].split(";")
    )
    assert s3_server.endpoint in policy["img-src"].split()
    assert s3_server.endpoint in policy["connect-src"].split()


def test_the_widget_page_adds_no_origin_when_files_come_from_luneo(app):
    storefront_shop(app)
    query = {"shop": "acme.myshopify.com", "origin": ORIGIN, "product": "mug-1"}
    policy = app.test_client().get("/embed/widget", query_string=query).headers
    assert "connect-src 'self' blob:;" in policy["Content-Security-Policy"]
