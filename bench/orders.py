"""Order to production files: ``orders/create`` received -> PNG/PDF files of 3 lines ready.

Runs gunicorn + one Celery worker (queues webhooks, production, default) against real
PostgreSQL and Redis on loopback (``bench/_stack.py``), with the fake Shopify of the tests
(``tests/fakes/shopify.py``) answering the order read and the write-back. Each order has three
lines, each with a new design (no render cache); orders are sent one after another.
Measured per order, from just before the signed webhook is POSTed:

* answered   - the webhook's 200 (recorded and queued);
* files      - the order's production status is ``ready`` (every line's PNG at 300 dpi and
  PDF copied under its stable name, the zip written);
* written    - the write-back to the Shopify order is done.

Target (issue 8): files <= 3 s.

    .venv/bin/python bench/orders.py [--orders 10] [--concurrency 2]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import statistics
import sys
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402

from bench._stack import percentile, stack  # noqa: E402
from tests.fakes.shopify import FakeShopify  # noqa: E402

API_KEY = "luneo-dev-client-id"
SECRET = "bench-shopify-secret-0123456789abcdef"
SHOP = "bench-orders.myshopify.com"
PATH = "/webhooks/shopify/orders-create"
LINES = 3


def seed(env: dict[str, str], fake: FakeShopify, orders: int) -> list[list[str]]:
    """An installed shop, a personalizable mug, and three fresh designs per order."""
    from connectors.shopify import TokenGrant
    from luneo_app import create_app
    from luneo_app.config import Config
    from luneo_app.extensions import db
    from luneo_app.files.storage import brand_prefix
    from luneo_app.models import Brand, Design, Product, ShopInstall
    from luneo_app.shopify.tokens import store_grant
    from render import samples

    app = create_app(Config(env))
    with app.app_context():
        brand = Brand(kind="shopify", name="Bench Orders")
        db.session.add(brand)
        db.session.flush()
        install = ShopInstall(brand_id=brand.id, shop_domain=SHOP, installed_at=datetime.now(UTC))
        issued = fake.issue_tokens(SHOP, expiring=True, expires_in=24 * 3600)
        store_grant(
            install,
            TokenGrant(
                access_token=issued["access_token"],
                scopes=tuple(issued["scope"].split(",")),
                expires_at=datetime.now(UTC) + timedelta(hours=24),
                refresh_token=issued["refresh_token"],
                refresh_token_expires_at=datetime.now(UTC) + timedelta(days=90),
            ),
        )
        db.session.add(install)
        product = Product(
            brand_id=brand.id,
            platform="shopify",
            external_id="632910392",
            title="Mug",
            personalizable=True,
            template=samples.demo_template("mug"),
        )
        db.session.add(product)
        db.session.flush()
        product.image_key = f"{brand_prefix(brand.id)}products/{product.id}/photo.png"
        app.extensions["luneo.storage"].put(
            product.image_key, samples.demo_product_photo("mug", size=800), "image/png"
        )
        batches = []
        for n in range(orders):
            ids = []
            for line in range(LINES):
                layers = [
                    {
                        "type": "text",
                        "printArea": "front",
                        "text": f"Name {n}-{line}",
                        "font": "dancing-script",
                        "autoFit": True,
                        "color": "#1f2a44",
                    }
                ]
                design = Design(
                    brand_id=brand.id,
                    product_id=product.id,
                    source="storefront",
                    layers=layers,
                    options={},
                    content_hash=hashlib.sha256(json.dumps(layers).encode()).hexdigest(),
                    status="preview_ready",
                )
                db.session.add(design)
                db.session.flush()
                ids.append(design.id)
            batches.append(ids)
        db.session.commit()
        db.engine.dispose()
    return batches


def order_body(number: int, design_ids: list[str]) -> dict:
    order_id = 910000 + number
    return {
        "id": order_id,
        "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
        "name": f"#{5000 + number}",
        "updated_at": datetime.now(UTC).isoformat(),
        "customer": {"id": 1},
        "note_attributes": [],
        "line_items": [
            {
                "id": order_id * 10 + i,
                "title": "Personalized Mug",
                "quantity": 1,
                "properties": [{"name": "_luneo_design_id", "value": design_id}],
            }
            for i, design_id in enumerate(design_ids)
        ],
    }


def post(base: str, body: bytes) -> None:
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).digest()
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode(),
        "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        "X-Shopify-API-Version": "2025-10",
        "X-Shopify-Triggered-At": datetime.now(UTC).isoformat(),
    }
    request = urllib.request.Request(base + PATH, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200, response.status


def measure(base: str, engine, number: int, design_ids: list[str]) -> dict[str, float]:  # type: ignore[no-untyped-def]
    payload = order_body(number, design_ids)
    body = json.dumps(payload).encode()
    started = time.perf_counter()
    post(base, body)
    figures = {"answered": time.perf_counter() - started}
    query = text("SELECT production_status, written_back_at FROM orders WHERE external_id = :id")
    deadline = started + 60
    while time.perf_counter() < deadline:
        with engine.connect() as conn:
            row = conn.execute(query, {"id": str(payload["id"])}).first()
        if row is not None and row[0] == "ready" and "files" not in figures:
            figures["files"] = time.perf_counter() - started
        if row is not None and row[1] is not None:
            figures["written"] = time.perf_counter() - started
            return figures
        time.sleep(0.01)
    raise SystemExit(f"order {number} not ready after 60 s: {row}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=2, help="Celery worker processes")
    args = parser.parse_args()

    with FakeShopify(API_KEY, SECRET) as fake:
        shopify = {
            "SHOPIFY_API_KEY": API_KEY,
            "SHOPIFY_API_SECRET": SECRET,
            "SHOPIFY_ADMIN_ORIGIN": fake.origin,
            "LUNEO_DEMO_MODE": "0",
        }
        with stack(
            gunicorn_workers=2,
            celery_queues="webhooks,production,default",
            celery_concurrency=args.concurrency,
            extra_env=shopify,
        ) as (base, env):
            batches = seed(env, fake, args.orders + 1)
            for number, ids in enumerate(batches):
                fake.orders.add(SHOP, order_body(number, ids))
            url = env["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
            engine = create_engine(url)
            measure(base, engine, 0, batches[0])  # warm-up: first imports and connections
            runs = [measure(base, engine, n, batches[n]) for n in range(1, args.orders + 1)]
            engine.dispose()
            written_backs = len(fake.orders.write_backs)

    print(f"{args.orders} orders of {LINES} lines, worker concurrency {args.concurrency}")
    for key in ("answered", "files", "written"):
        values = [run[key] * 1000 for run in runs]
        print(
            f"{key:9s} p50 {statistics.median(values):7.0f} ms   p95 "
            f"{percentile(values, 95):7.0f} ms   max {max(values):7.0f} ms"
        )
    print(f"write-backs: {written_backs} for {args.orders + 1} orders (warm-up included)")


if __name__ == "__main__":
    main()
