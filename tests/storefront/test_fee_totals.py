"""The cart total equals the widget's total, for 20 random option combinations.

For each combination: the widget's own figure (``widget/app/design.js`` run by node), the
server's price (what finalize returns and the SDK puts on the line), the demo cart after the
SDK's transform-mode add (one line, the shopper's quantity) and the Cart Transform function's
output for the same line (node) must all give the same total.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

from luneo_app.demo.seed import seed_demo
from luneo_app.designs.pricing import design_price
from luneo_app.extensions import db
from luneo_app.models import Product
from luneo_app.storefront import cart
from tests.extensions.test_fee_transform import run_node_tests

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_OPTIONS = [
    {"id": "name", "type": "text", "label": "Name", "printArea": "front", "priceCents": 1000},
    {
        "id": "finish",
        "type": "material",
        "label": "Finish",
        "values": [
            {"value": None},
            {"value": "gold", "priceCents": 450},
            {"value": "silver", "priceCents": 275},
        ],
    },
    {
        "id": "colour",
        "type": "color",
        "label": "Colour",
        "values": [{"value": "#1f2a44"}, {"value": "#b22222", "priceCents": 99}],
    },
    {
        "id": "message",
        "type": "text",
        "label": "Message",
        "printArea": "front",
        "priceCents": 333,
        "showWhen": {"option": "finish", "equals": "gold"},
    },
]


def _combinations(count: int) -> list[dict]:
    rng = random.Random(1450)
    cases = []
    for _ in range(count):
        values: dict = {}
        if rng.random() < 0.8:
            values["name"] = rng.choice(["Anna & Tom", "Jo", "Émile", "  Li  "])
        values["finish"] = rng.choice([None, "gold", "silver"])
        if rng.random() < 0.7:
            values["colour"] = rng.choice(["#1f2a44", "#b22222"])
        if rng.random() < 0.6:
            values["message"] = rng.choice(["Forever", "1984", ""])
        cases.append({"values": values, "quantity": rng.randint(1, 4)})
    return cases


def _widget_cents(cases: list[dict], tmp_path: Path) -> list[int]:
    source = tmp_path / "cases.json"
    product = {"options": TEMPLATE_OPTIONS, "fonts": []}
    source.write_text(json.dumps([{"product": product, "values": c["values"]} for c in cases]))
    node = shutil.which("node")
    assert node
    out = subprocess.run(
        [node, str(ROOT / "tests/storefront/widget_prices.mjs"), str(source)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(out.stdout)


def test_cart_total_equals_widget_total_for_20_random_option_combinations(app, client, tmp_path):
    demo = seed_demo()
    product = db.session.get(Product, demo.product_id)
    template = dict(product.template)
    template["options"] = TEMPLATE_OPTIONS
    product.template = template
    db.session.commit()
    variant = cart.variant_id_for(demo.product_id)
    cases = _combinations(20)
    widget = _widget_cents(cases, tmp_path)
    assert len(set(widget)) >= 5  # the combinations really differ in price

    checked = []
    for index, (case, widget_cents) in enumerate(zip(cases, widget, strict=True)):
        options = {k: v for k, v in case["values"].items() if v not in ("", None) or k == "finish"}
        server = design_price(template, options, "USD").add_on_cents
        assert server == widget_cents, case  # the widget shows the server's price
        design_id = (
            "des_" + f"{index:02d}".translate(str.maketrans("0123456789", "abcdefghij")) * 12
        )
        client.post("/demo/store/cart/clear.js")
        properties = {"_luneo_design_id": design_id}
        if server:
            properties.update(
                _luneo_fee_cents=str(server), _luneo_fee_variant=str(cart.FEE_VARIANT_ID)
            )
        added = client.post(
            "/demo/store/cart/add.js",
            json={
                "items": [{"id": variant, "quantity": case["quantity"], "properties": properties}]
            },
        )
        assert added.status_code == 200, added.get_json()
        shown = client.get("/demo/store/cart.js").get_json()
        widget_total = (cart.PRODUCT_PRICE_CENTS + widget_cents) * case["quantity"]
        assert shown["total_price"] == widget_total, case
        assert shown["item_count"] == case["quantity"]  # the fee does not inflate the count
        assert len(shown["items"]) == 1
        checked.append(
            {
                "quantity": case["quantity"],
                "addOnCents": server,
                "productCents": cart.PRODUCT_PRICE_CENTS,
                "widgetTotalCents": widget_total,
            }
        )

    # The Cart Transform function gives the same totals for the same lines.
    cases_file = tmp_path / "fee_cases.json"
    cases_file.write_text(json.dumps(checked))
    import os

    result = run_node_tests({**os.environ, "LUNEO_FEE_CASES": str(cases_file)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok 7 - cart totals equal the widget totals for every given case" in result.stdout
