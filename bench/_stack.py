"""Start a production-like stack on loopback for benchmarks: gunicorn (``asgi:app``) + Celery +
PG + Redis.

Creates a scratch PostgreSQL database and uses a Redis database of its own; everything is
torn down at the end. Only loopback addresses are used.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_BASE = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/14")
# The processes of the running stack (gunicorn master, Celery worker), for benches that
# read their memory or CPU from /proc.
RUNNING: list[subprocess.Popen] = []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _psql(sql: str) -> None:
    subprocess.run(["psql", PG_ADMIN, "-q", "-c", sql], check=True, capture_output=True)


@contextmanager
def stack(
    gunicorn_workers: int = 4,
    celery_queues: str | None = "previews",
    gunicorn_threads: int = 4,
    celery_concurrency: int = 2,
    extra_env: dict[str, str] | None = None,
):  # type: ignore[no-untyped-def]
    """Yield ``(base_url, env)`` with gunicorn (and a Celery worker) running."""
    name = f"luneo_bench_{uuid.uuid4().hex[:8]}"
    _psql(f'CREATE DATABASE "{name}"')
    workdir = Path(tempfile.mkdtemp(prefix="luneo-bench-"))
    port = free_port()
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": PG_ADMIN.rsplit("/", 1)[0] + "/" + name,
            "REDIS_URL": REDIS_BASE,
            "STORAGE_DIR": str(workdir / "storage"),
            "LUNEO_INSTANCE_DIR": str(workdir / "instance"),
            "SECRET_KEY": "bench-secret",
            "LUNEO_ENCRYPTION_KEY": "bench:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
            "APP_URL": f"http://127.0.0.1:{port}",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
            "FLASK_APP": "wsgi",
            "WEB_THREADS": str(gunicorn_threads),
        }
    )
    env.update(extra_env or {})
    procs: list[subprocess.Popen] = []
    try:
        subprocess.run(
            [sys.executable, "-m", "flask", "db", "upgrade"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        subprocess.run(["redis-cli", "-u", REDIS_BASE, "flushdb"], check=True, capture_output=True)
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "asgi:app",  # as in production: Flask on WEB_THREADS, streams async
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(gunicorn_workers),
                    "--worker-class",
                    "uvicorn_worker.UvicornWorker",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
            )
        )
        if celery_queues:
            procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "luneo_app.worker",
                        "worker",
                        "-Q",
                        celery_queues,
                        "-c",
                        str(celery_concurrency),
                        "-l",
                        "WARNING",
                        "--without-gossip",
                        "--without-mingle",
                        "--without-heartbeat",
                    ],
                    cwd=ROOT,
                    env=env,
                )
            )
        RUNNING[:] = procs
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(2.0 if celery_queues else 0)  # let the worker connect
        yield base, env
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        subprocess.run(["redis-cli", "-u", REDIS_BASE, "flushdb"], capture_output=True)
        _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(pct / 100 * (len(ordered) - 1)))))
    return ordered[index]


_SEED = r"""
import json, sys
from luneo_app import create_app
from luneo_app.auth.apikeys import create_api_key
from luneo_app.extensions import db
from luneo_app.files.storage import brand_prefix
from luneo_app.models import Brand, Product
from render import samples
app = create_app()
with app.app_context():
    brand = Brand(kind="api", name="Bench Brand"); db.session.add(brand); db.session.flush()
    key = create_api_key(brand)
    product = Product(brand_id=brand.id, platform="api", external_id="mug", title="Mug",
                      personalizable=True, template=samples.demo_template("mug"))
    db.session.add(product); db.session.flush()
    image_key = f"{brand_prefix(brand.id)}products/{product.id}/photo.png"
    app.extensions["luneo.storage"].put(image_key, samples.demo_product_photo("mug"), "image/png")
    product.image_key = image_key
    db.session.commit()
    more = []
    if "--products" in sys.argv:  # more products, each with a photo of its own
        import io
        import numpy as np
        from PIL import Image
        base = np.asarray(Image.open(io.BytesIO(samples.demo_product_photo("mug"))).convert("RGB"))
        for n in range(1, int(sys.argv[sys.argv.index("--products") + 1])):
            tinted = np.clip(base.astype(np.int16) + (n * 7 % 40 - 20), 0, 255).astype(np.uint8)
            tinted[0, 0] = (n % 256, n // 256, 0)  # no two photos alike
            buf = io.BytesIO(); Image.fromarray(tinted).save(buf, "PNG")
            extra = Product(brand_id=brand.id, platform="api", external_id=f"mug-{n}",
                            title=f"Mug {n}", personalizable=True,
                            template=samples.demo_template("mug"))
            db.session.add(extra); db.session.flush()
            key_n = f"{brand_prefix(brand.id)}products/{extra.id}/photo.png"
            app.extensions["luneo.storage"].put(key_n, buf.getvalue(), "image/png")
            extra.image_key = key_n
            more.append(extra.id)
        db.session.commit()
    if "--with-model" in sys.argv:
        from luneo_app.three_d.product_model import ModelOptions, save_product_model
        from render.three_d import demo_model_glb
        save_product_model(product, demo_model_glb("mug"), ModelOptions())
    print(json.dumps({"key": key.plaintext, "product": product.id, "more": more}))
"""


def seed_brand(env: dict[str, str], with_model: bool = False) -> tuple[str, str]:
    """Create an API brand with the demo mug (and its 3D model); returns (API key, product id)."""
    cmd = [sys.executable, "-c", _SEED] + (["--with-model"] if with_model else [])
    done = subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    info = json.loads(done.stdout.strip().splitlines()[-1])
    return info["key"], info["product"]


def seed_catalog(env: dict[str, str], products: int) -> tuple[str, list[str]]:
    """An API brand with ``products`` mugs, each with a product photo of its own."""
    cmd = [sys.executable, "-c", _SEED, "--products", str(products)]
    done = subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    info = json.loads(done.stdout.strip().splitlines()[-1])
    return info["key"], [info["product"], *info["more"]]


def api_request(method: str, url: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    """A JSON API call with a bearer token; returns (status, decoded body)."""
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")
