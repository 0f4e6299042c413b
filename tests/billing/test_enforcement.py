"""Over a plan without overage: new work gets 402 with an upgrade link, the storefront widget
says personalization is unavailable, and orders already placed are always produced."""

from __future__ import annotations

from connectors.base import LineItem, OrderInfo
from luneo_app.extensions import db
from luneo_app.models import Order
from luneo_app.orders.intake import sync_order
from tests.api.test_embed_brand_site import SITE, _handshake, _site
from tests.billing.helpers import bill, events
from tests.designs.helpers import text_design
from tests.orders.helpers import make_design


def test_over_the_free_plan_new_designs_get_402_with_an_upgrade_link(app, client):
    brand, headers, product = _site(app, client)
    accepted = client.post("/v1/designs", json=text_design(product.id), headers=headers)
    assert accepted.status_code in (200, 202)
    for n in range(3):  # the free plan's 3 ordered designs
        bill(brand.id, "designs", f"design:{n}")

    refused = client.post("/v1/designs", json=text_design(product.id, "Other"), headers=headers)

    assert refused.status_code == 402
    error = refused.get_json()["error"]
    assert error["code"] == "plan_limit_reached"
    assert error["details"]["upgradeUrl"].endswith("/console/billing")
    assert (error["details"]["used"], error["details"]["included"]) == (3, 3)
    assert "Existing orders are still produced" in error["message"]
    usage = client.get("/v1/billing", headers=headers).get_json()
    assert (usage["badge"], usage["overPlan"]) == ("over_plan", True)


def test_the_widget_says_personalization_is_unavailable_and_orders_still_produce(app, client):
    brand, _headers, product = _site(app, client)
    ordered = make_design(product, "Before the limit")
    token = _handshake(client, brand.id)
    auth = {"Authorization": f"Bearer {token}", "Origin": SITE}
    assert client.get(f"/embed/products/{product.id}", headers=auth).status_code == 200
    for n in range(3):
        bill(brand.id, "designs", f"design:{n}")

    widget = client.get(f"/embed/products/{product.id}", headers=auth)
    assert widget.status_code == 402
    assert widget.get_json()["error"]["code"] == "personalization_unavailable"
    assert "upgrade" not in widget.get_json()["error"]["message"].lower()  # shoppers see no plan

    # A paid order for a design made before: taken in, produced, and still metered.
    line = LineItem("l1", 1, "Mug", 1, (("_luneo_design_id", ordered.id),))
    sync_order(brand, "api", OrderInfo("o-late", "#9", "open", (line,)))
    db.session.expire_all()
    order = db.session.query(Order).filter_by(external_id="o-late").one()
    assert order.production_status == "ready"
    late = [e for e in events(brand.id, "designs") if e.idempotency_key == f"design:{ordered.id}"]
    assert [e.report_status for e in late] == ["unbilled"]  # beyond free: counted, not charged
