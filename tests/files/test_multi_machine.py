"""Web and workers on separate machines share files through S3 only.

Two web processes (gunicorn) and two Celery workers, each with an instance folder and a
storage folder of its own (no shared disk), PostgreSQL, Redis and an S3 server (moto's
standalone server). A design is created through one web process, rendered by the workers,
followed and downloaded through the other, and its GLB fetched from the bucket the way the
widget's 3D tab fetches it (a cross-origin GET from the widget's origin).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from luneo_app.extensions import db
from luneo_app.three_d.product_model import ModelOptions, save_product_model
from render.three_d import demo_model_glb
from tests.conftest import clean_state, make_s3_app
from tests.designs.helpers import brand_with_key, text_design
from tests.orders.live import free_port
from tests.support.env import need, redis_url
from tests.support.s3 import CREDENTIALS
from tests.support.worker import ROOT, celery_worker


def _machine_env(app, machine: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """What one machine is given: the shared services' addresses, nothing on a shared disk."""
    storage = app.extensions["luneo.storage"]
    return {
        **CREDENTIALS,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app.config["REDIS_URL"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "LUNEO_ENCRYPTION_KEY": app.config["LUNEO_ENCRYPTION_KEY"],
        "APP_URL": app.config["APP_URL"],
        "STORAGE_URL": app.config["STORAGE_URL"],
        "STORAGE_ENDPOINT_URL": storage.endpoint_url,
        "STORAGE_PATH_STYLE": "1",
        "LUNEO_INSTANCE_DIR": str(machine / "instance"),
        "STORAGE_DIR": str(machine / "storage"),
        "JOB_RETRY_BACKOFF": "1",
        "LOG_LEVEL": "WARNING",
    }


@contextmanager
def web_process(env: dict[str, str], port: int) -> Iterator[str]:
    """``gunicorn wsgi:app`` on a loopback port, until the block ends."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "wsgi:app", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "1", "--threads", "4", "--log-level", "warning"],
        cwd=ROOT,
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"web process did not start: {proc.stderr.read()[-2000:]}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


def _follow(web: str, headers: dict, design_id: str, done: set[str]) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        body = httpx.get(f"{web}/v1/designs/{design_id}", headers=headers, timeout=10).json()
        if body["status"] in done | {"failed"}:
            assert body["status"] in done, body["error"]
            return body
        time.sleep(0.1)
    raise AssertionError(f"design {design_id} still {body['status']}")


@pytest.fixture()
def cluster_app(_schema, s3_server):  # type: ignore[no-untyped-def]
    need("REDIS_URL", redis_url())
    port_a = free_port()
    app = make_s3_app(
        s3_server, CELERY_EAGER=False, JOB_RETRY_BACKOFF=1, APP_URL=f"http://127.0.0.1:{port_a}"
    )
    clean_state(app)
    with app.app_context():
        yield app, port_a
        db.session.remove()


def test_two_webs_and_two_workers_share_files_through_s3_only(cluster_app, tmp_path):
    app, port_a = cluster_app
    _brand, headers, product = brand_with_key(app)  # the product photo goes to the bucket
    save_product_model(product, demo_model_glb("mug"), ModelOptions())
    product_id = product.id
    machines = [tmp_path / name for name in ("web-a", "web-b", "worker-a", "worker-b")]
    with ExitStack() as stack:
        web_a = stack.enter_context(web_process(_machine_env(app, machines[0]), port_a))
        web_b = stack.enter_context(web_process(_machine_env(app, machines[1]), free_port()))
        for machine in machines[2:]:
            stack.enter_context(celery_worker(app, extra_env=_machine_env(app, machine)))

        created = httpx.post(
            f"{web_a}/v1/designs", json=text_design(product_id), headers=headers, timeout=30
        )
        assert created.status_code == 202, created.text
        design_id = created.json()["designId"]

        # Followed through the other web process; the preview is downloaded from the bucket.
        seen = _follow(web_b, headers, design_id, {"preview_ready"})
        preview = httpx.get(seen["previewUrl"], timeout=10)
        assert preview.status_code == 200
        assert preview.headers["content-type"] == "image/webp"
        assert preview.content[:4] == b"RIFF" and preview.content[8:12] == b"WEBP"

        finalized = httpx.post(
            f"{web_b}/v1/designs/{design_id}/finalize", json={}, headers=headers, timeout=30
        )
        assert finalized.status_code == 200, finalized.text
        ready = _follow(web_a, headers, design_id, {"production_ready"})
        files = ready["production"][0]
        png = httpx.get(files["pngUrl"], timeout=10)
        pdf = httpx.get(files["pdfUrl"], timeout=10)
        assert (png.status_code, png.headers["content-type"]) == (200, "image/png")
        assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
        assert (pdf.status_code, pdf.headers["content-type"]) == (200, "application/pdf")
        assert pdf.content[:5] == b"%PDF-"

        # The 3D tab: /ar through one web process, the GLB fetched cross-origin from the bucket.
        deadline = time.monotonic() + 180
        while True:
            ar = httpx.get(f"{web_b}/v1/designs/{design_id}/ar", headers=headers, timeout=10)
            if ar.status_code != 202 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert ar.status_code == 200, ar.text
        widget_origin = app.config["APP_URL"]
        glb = httpx.get(ar.json()["glbUrl"], headers={"Origin": widget_origin}, timeout=10)
        assert glb.status_code == 200
        assert glb.content[:4] == b"glTF"
        assert glb.headers["content-type"] == "model/gltf-binary"
        assert glb.headers["access-control-allow-origin"] == widget_origin

    # No machine kept a file of its own: everything went through the bucket.
    for machine in machines:
        assert not [p for p in (machine / "storage").rglob("*") if p.is_file()], machine
