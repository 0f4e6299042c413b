"""The admin's Designs list shows each design as the merchant knows it: the shopper's text
and a thumbnail of its preview, not only ids."""

from __future__ import annotations

import re

from luneo_app.core.clock import utcnow
from luneo_app.extensions import db
from tests.admin.helpers import SHOP_A, bearer, design_for, mug
from tests.admin.test_designs_and_orders import _download
from tests.shopify.helpers import seed_install


def _page(client, token: str, **query: str) -> str:  # type: ignore[no-untyped-def]
    answer = client.get("/admin/designs", query_string={"shop": SHOP_A, "id_token": token, **query})
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def test_rows_show_the_shoppers_text_a_thumbnail_and_whether_it_was_saved(
    app, client, fake_shopify
):
    brand, _, _ = seed_install(app, fake_shopify, SHOP_A)
    product = mug(app, brand, title="Engraved Mug")
    design_for(brand, product, text="Ada & Tom", order=True)
    saved = design_for(brand, product, text="For Sunday")
    saved.saved_at = utcnow()
    db.session.commit()
    token = fake_shopify.session_token(SHOP_A)

    body = client.get("/admin/api/designs", headers=bearer(token)).get_json()
    [row] = body["designs"]
    assert row["shopperText"] == "Ada & Tom" and row["saved"] is False
    html = _page(client, token)
    cell = re.search(r'<td><a class="inline row-link".*?</td>', html, re.S).group(0)
    assert "“Ada &amp; Tom”" in cell
    thumb = re.search(r'<img class="thumb thumb--lg" src="([^"]+)"', cell).group(1)
    image = _download(client, thumb.replace("&amp;", "&"))
    assert image.status_code == 200 and image.mimetype == "image/webp"

    drafts = _page(client, token, status="draft")
    assert "“For Sunday”" in drafts and "Saved by the shopper" in drafts
    assert "Ada &amp; Tom" not in drafts
