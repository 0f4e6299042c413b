"""One order scenario through Shopify, the REST connector and WooCommerce: three personalized
lines, one foreign design id, the same delivery twice. Every platform must give the same
links, files, problems and write-back."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from luneo_app.extensions import db
from luneo_app.models import Order, OrderItem, OutboundDelivery
from tests.fakes.receiver import FakeReceiver
from tests.fakes.woocommerce import FakeWooCommerce
from tests.orders.helpers import make_design, mug, order_body
from tests.orders.test_rest_connector import event, post, rest_brand, rest_order
from tests.orders.test_woocommerce import relay, woo_brand
from tests.shopify.helpers import SHOP, post_webhook, seed_install
from tests.support.factories import make_brand


def _designs(app, product) -> tuple[list[str], str]:  # type: ignore[no-untyped-def]
    designs = [make_design(product, name).id for name in ("Ann", "Bob", "Cy")]
    foreign = make_design(mug(app, make_brand(name="Elsewhere"), external_id="x-mug"), "Eve")
    return designs, foreign.id


def shopify(app, client, ctx) -> Callable[[], Any]:  # type: ignore[no-untyped-def]
    brand, _install, _grant = seed_install(app, ctx["fake_shopify"])
    designs, foreign = _designs(app, mug(app, brand))
    body = order_body(7001, [{"design": d} for d in [*designs, foreign]])
    ctx["fake_shopify"].orders.add(SHOP, body)
    webhook_id = "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"
    for _ in range(2):  # Shopify delivers the same webhook twice
        assert post_webhook(client, "orders/create", body, webhook_id=webhook_id).status_code == 200

    def written() -> Any:
        ctx["designs"] = designs
        field = ctx["fake_shopify"].orders.metafield(SHOP, 7001, "luneo", "production")
        return json.loads(field["value"])

    return written


def rest(app, client, ctx) -> Callable[[], Any]:  # type: ignore[no-untyped-def]
    receiver: FakeReceiver = ctx["brand_api"]
    brand, secret, product = rest_brand(app, receiver)
    designs, foreign = _designs(app, product)
    body = event("order.created", {"order": rest_order("SO-7001", [*designs, foreign])}, "evt_7")
    for _ in range(2):
        assert post(client, brand, secret, body).status_code == 200

    def written() -> Any:
        ctx["designs"] = designs
        posts = [r.json() for r in receiver.received if r.path == "/luneo/orders"]
        assert len(posts) == 1 and all(
            r.signature_ok for r in receiver.received if r.path == "/luneo/orders"
        )
        return posts[0]["data"]

    return written


def woocommerce(app, client, ctx) -> Callable[[], Any]:  # type: ignore[no-untyped-def]
    woo: FakeWooCommerce = ctx["woo"]
    brand, product = woo_brand(app, client, woo)
    designs, foreign = _designs(app, product)
    order = woo.add_order([{"design": d} for d in [*designs, foreign]])
    delivery = woo.delivery("order.created", order)
    for _ in range(2):
        assert relay(client, *delivery).status_code == 200

    def written() -> Any:
        ctx["designs"] = designs
        meta = {m["key"]: m["value"] for m in woo.orders[order["id"]]["meta_data"]}
        assert len(woo.notes[order["id"]]) == 1
        return json.loads(meta["_luneo_production"])

    return written


def _outcome(written: Any, designs: list[str]) -> dict[str, Any]:
    """What must be equal everywhere, without the platforms' own ids."""
    order = db.session.scalar(db.select(Order))
    items = db.session.scalars(
        db.select(OrderItem).where(OrderItem.order_id == order.id).order_by(OrderItem.line_number)
    ).all()

    def stem(name: str) -> str:
        """``<order>-<line>-<design>.<ext>`` without the order's name, designs by position."""
        tail = name.rsplit("-", 2)
        for index, design_id in enumerate(designs):
            tail = [part.replace(design_id, f"D{index}") for part in tail]
        return "-".join(tail[1:])

    return {
        "orders": db.session.query(Order).count(),
        "production": order.production_status,
        "lines": [(i.line_number, i.design_id is not None, i.production_status) for i in items],
        "problems": sorted((p["code"], p.get("lineNumber")) for p in order.problems),
        "written_back": order.written_back_at is not None,
        "write_back_lines": [
            (
                line["lineNumber"],
                designs.index(line["designId"]),
                sorted((stem(f["name"]), f["kind"]) for f in line["files"]),
            )
            for line in written["lines"]
        ],
        "archive": bool(written.get("archiveUrl")),
    }


@pytest.mark.parametrize("platform", [shopify, rest, woocommerce], ids=lambda f: f.__name__)
def test_the_same_order_gives_the_same_links_files_problems_and_write_back(
    app, client, fake_shopify, platform
):
    with FakeReceiver() as brand_api, FakeWooCommerce() as woo:
        ctx = {"fake_shopify": fake_shopify, "brand_api": brand_api, "woo": woo}
        written = platform(app, client, ctx)
        db.session.expire_all()
        outcome = _outcome(written(), ctx["designs"])

    assert outcome == {
        "orders": 1,
        "production": "ready",
        "lines": [
            (1, True, "ready"),
            (2, True, "ready"),
            (3, True, "ready"),
            (4, False, "problem"),
        ],
        "problems": [("unknown_design", 4)],
        "written_back": True,
        "write_back_lines": outcome["write_back_lines"],
        "archive": True,
    }
    assert [len(line[2]) for line in outcome["write_back_lines"]] == [2, 2, 2]  # PNG + PDF
    # Every platform gives exactly what the first one gave (files named by line and design).
    _SEEN.setdefault("outcomes", []).append(outcome)
    assert all(o == _SEEN["outcomes"][0] for o in _SEEN["outcomes"])
    assert db.session.query(OutboundDelivery).filter_by(event_type="order.write_back").count() == (
        1 if platform is rest else 0
    )


_SEEN: dict[str, list[dict[str, Any]]] = {}
