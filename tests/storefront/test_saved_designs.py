"""Saving a design and reopening it: account-less tokens scoped to the shop and its retention."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from luneo_app.core.clock import utcnow
from luneo_app.designs import saved
from luneo_app.designs.retention import purge_expired_designs
from luneo_app.extensions import db
from luneo_app.models import Design
from render import samples
from tests.designs.helpers import png_bytes, text_design
from tests.storefront.helpers import ORIGIN, bearer, live_token, storefront_shop

ROOT = Path(__file__).resolve().parents[2]
SHOP = "acme.myshopify.com"
OTHER = "bravo.myshopify.com"
BRAVO = "https://bravo.example"


def _design(client, token: str, text: str = "Anna & Tom") -> str:
    created = client.post(
        "/v1/designs", json=text_design("mug-1", text=text), headers=bearer(token)
    )
    assert created.status_code in (200, 202), created.get_json()
    return created.get_json()["designId"]


def _save(client, token: str, design_id: str):  # type: ignore[no-untyped-def]
    return client.post(f"/embed/designs/{design_id}/save", json={}, headers=bearer(token))


def _open(client, token: str, reopen: str):  # type: ignore[no-untyped-def]
    return client.post("/embed/saved", json={"token": reopen}, headers=bearer(token))


def test_a_saved_design_reopens_with_its_text_font_and_product(app, client):
    _, _, product = storefront_shop(app)
    token = live_token(client, SHOP)
    design_id = _design(client, token)
    answer = _save(client, token, design_id)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["designId"] == design_id and design_id not in body["token"]
    days = (saved.reopen_link(db.session.get(Design, design_id)).expires_at - utcnow()).days
    assert days >= app.config["DESIGN_SAVED_RETENTION_DAYS"] - 1

    reopened = _open(client, live_token(client, SHOP), body["token"])
    assert reopened.status_code == 200, reopened.get_json()
    assert reopened.headers["Cache-Control"] == "no-store"
    design = reopened.get_json()
    assert design["designId"] == design_id and design["productId"] == product.id
    [layer] = design["layers"]
    assert layer["text"] == "Anna & Tom" and layer["font"] == "dancing-script"
    assert design["savedAt"]


def test_saving_keeps_a_draft_past_the_draft_expiry(app, client):
    storefront_shop(app)
    token = live_token(client, SHOP)
    kept_id = _design(client, token, "Kept")
    dropped_id = _design(client, token, "Dropped")
    assert _save(client, token, kept_id).status_code == 200
    later = utcnow() + timedelta(hours=app.config["DRAFT_TTL_HOURS"] + 5)
    purge_expired_designs(now=later)
    db.session.expire_all()
    left = set(db.session.scalars(select(Design.id)))
    assert kept_id in left and dropped_id not in left


def test_another_shops_token_is_refused_as_unknown(app, client):
    storefront_shop(app)
    storefront_shop(app, domain=OTHER, origins=(BRAVO,))
    token_a = live_token(client, SHOP)
    reopen_a = _save(client, token_a, _design(client, token_a)).get_json()["token"]
    token_b = live_token(client, OTHER, origin=BRAVO)
    answer = _open(client, token_b, reopen_a)
    assert answer.status_code == 404
    assert answer.get_json()["error"]["code"] == "saved_design_not_found"
    assert "Anna" not in answer.get_data(as_text=True)
    # nor can shop B save (and so mint a token for) shop A's design
    design_a = db.session.scalar(select(Design.id))
    assert _save(client, token_b, design_a).status_code == 404


def test_a_forged_or_edited_token_is_refused(app, client):
    brand, _, _ = storefront_shop(app)
    token = live_token(client, SHOP)
    design_id = _design(client, token)
    real = _save(client, token, design_id).get_json()["token"]
    forged = URLSafeTimedSerializer("not-our-key", salt=saved.SALT).dumps(
        {"d": design_id, "b": brand.id}
    )
    for bad in (forged, real[:-2] + ("AA" if real[-2:] != "AA" else "BB"), "x" * 600, "nope"):
        answer = _open(client, token, bad)
        assert answer.status_code in (404, 422), bad
        if answer.status_code == 404:
            assert answer.get_json()["error"]["code"] == "saved_design_not_found"
    assert _open(client, token, "").status_code == 422


def test_a_token_past_the_designs_retention_is_gone(app, client, monkeypatch):
    storefront_shop(app)
    token = live_token(client, SHOP)
    design_id = _design(client, token)
    reopen = _save(client, token, design_id).get_json()["token"]
    later = utcnow() + timedelta(days=app.config["DESIGN_SAVED_RETENTION_DAYS"] + 1)
    monkeypatch.setattr(saved, "utcnow", lambda: later)
    answer = _open(client, token, reopen)
    assert answer.status_code == 410
    assert answer.get_json()["error"]["code"] == "saved_design_expired"


def test_the_cart_link_of_a_design_reopens_it(app, client):
    storefront_shop(app)
    token = live_token(client, SHOP)
    design_id = _design(client, token, "Cart line")
    link = client.get(f"/embed/designs/{design_id}/preview-link", headers=bearer(token))
    assert link.status_code == 200
    reopened = _open(client, token, link.get_json()["editToken"])
    assert reopened.status_code == 200
    assert reopened.get_json()["layers"][0]["text"] == "Cart line"
    # a cart link alone does not mark the design saved (its own retention applies)
    assert db.session.get(Design, design_id).saved_at is None


ROUND_TRIP = {  # a text, a photo and a material, each in its slot
    **samples.demo_template("mug"),
    "materials": [None, "gold"],
    "options": [
        {"id": "name", "type": "text", "label": "Name", "printArea": "front", "maxChars": 14},
        {"id": "photo", "type": "image", "label": "Photo", "printArea": "front"},
        {"id": "finish", "type": "material", "label": "Finish",
         "values": [{"value": None}, {"value": "gold", "label": "Gold"}]},
    ],
}  # fmt: skip
PLACED = (
    *("type", "optionId", "text", "font", "size", "material", "uploadId", "crop"),
    *("x", "y", "scale", "rotation"),
)


def _widget_restores(tmp_path, product: dict, reopened: dict) -> dict:  # type: ignore[type-arg]
    source = tmp_path / "restore.json"
    source.write_text(json.dumps({"product": product, "saved": reopened}))
    node = shutil.which("node")
    assert node
    out = subprocess.run(
        [node, str(ROOT / "tests/storefront/widget_restore.mjs"), str(source)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(out.stdout)


def test_the_widget_rebuilds_the_saved_text_font_photo_crop_finish_and_placement(
    app, client, tmp_path
):
    _, _, product = storefront_shop(app)
    product.template = ROUND_TRIP
    db.session.commit()
    token = live_token(client, SHOP)
    upload = client.post(
        "/v1/uploads",
        data={"file": (io.BytesIO(png_bytes(1500, 1500)), "p.png"), "productId": product.id,
              "optionId": "photo", "consent": "true"},
        headers=bearer(token), content_type="multipart/form-data",
    )  # fmt: skip
    assert upload.status_code == 201, upload.get_json()
    upload_id = upload.get_json()["uploadId"]
    crop = {"x": 0.1, "y": 0.05, "width": 0.8, "height": 0.7}
    body = text_design(product.id, "ANNA & TOM", font="lato", optionId="name", material="gold",
                       x=0.45, y=0.55, rotation=-8.0, size=20)  # fmt: skip
    body["layers"].insert(0, {"type": "image", "printArea": "front", "optionId": "photo",
                              "uploadId": upload_id, "crop": crop, "scale": 1.3, "x": 0.6,
                              "y": 0.4, "rotation": 12.0})  # fmt: skip
    body["options"] = {"name": "ANNA & TOM", "photo": upload_id, "finish": "gold"}
    created = client.post("/v1/designs", json=body, headers=bearer(token))
    assert created.status_code in (200, 202), created.get_json()
    design_id = created.get_json()["designId"]
    reopen = _save(client, token, design_id).get_json()["token"]

    shown = client.get(f"/embed/products/{product.id}", headers=bearer(token)).get_json()
    reopened = _open(client, token, reopen).get_json()
    photo = reopened["photos"][upload_id]
    assert (
        client.get(urlsplit(photo["url"]).path + "?" + urlsplit(photo["url"]).query).status_code
        == 200
    )
    widget = _widget_restores(tmp_path, shown, reopened)

    state = widget["state"]
    assert state["values"]["name"] == "ANNA & TOM" and state["fonts"]["name"] == "lato"
    assert state["values"]["finish"] == "gold"
    assert state["values"]["photo"]["uploadId"] == upload_id
    assert state["values"]["photo"]["crop"] == crop
    assert state["place"]["photo"] == {"x": 0.6, "y": 0.4, "scale": 1.3, "rotation": 12.0}
    # what the widget would send again is the design that was saved
    stored = db.session.get(Design, design_id).layers

    def placed(layers):  # type: ignore[no-untyped-def]
        return [{k: la.get(k) for k in PLACED} for la in layers]

    assert placed(widget["layers"]) == placed(stored)


def test_reopen_links_only_lead_back_to_a_page_of_the_storefront(app, client):
    storefront_shop(app)
    for asked, kept in (
        ("/products/mug?variant=1", "/products/mug?variant=1"),
        ("//evil.example/products/mug", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("", "/"),
    ):
        page = client.get(
            "/embed/widget",
            query_string={"shop": SHOP, "origin": ORIGIN, "product": "mug-1", "page": asked},
        )
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        config = json.loads(html.split('id="luneo-widget-config">')[1].split("</script>")[0])
        assert config["page"] == kept, asked
