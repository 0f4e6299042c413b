"""The merchant turns on proof approval in Settings, sees the preflight report on the design
page and approves the proof with the button's API; production starts only then."""

from __future__ import annotations

from luneo_app.extensions import db
from luneo_app.models import Design
from tests.admin.helpers import SHOP_A, bearer, design_for, mug
from tests.shopify.helpers import seed_install


def test_proof_approval_setting_design_page_and_approve_button(app, client, fake_shopify):
    brand, _, _ = seed_install(app, fake_shopify, SHOP_A)
    product = mug(app, brand)
    headers = bearer(fake_shopify.session_token(SHOP_A))
    bad = client.put("/admin/api/settings", json={"proofApproval": "sometimes"}, headers=headers)
    assert bad.status_code == 422 and "proofApproval" in bad.get_json()["error"]["details"]
    saved = client.put("/admin/api/settings", json={"proofApproval": "merchant"}, headers=headers)
    assert saved.status_code == 200 and saved.get_json()["proofApproval"] == "merchant"

    design = design_for(brand, product, text="Ada", order=True)
    assert design.status == "awaiting_proof"
    page = client.get(
        f"/admin/designs/{design.id}",
        query_string={"shop": SHOP_A, "id_token": fake_shopify.session_token(SHOP_A)},
    )
    assert page.status_code == 200
    assert b"Proof and preflight" in page.data and b"data-approve-proof" in page.data
    detail = client.get(f"/admin/api/designs/{design.id}", headers=headers).get_json()
    assert detail["status"] == "awaiting_proof" and detail["production"] == []

    approved = client.post(f"/admin/api/designs/{design.id}/proof", headers=headers)
    assert approved.status_code == 200, approved.get_json()
    body = approved.get_json()
    assert body["status"] == "production_ready" and body["proof"]["approvedBy"].startswith(
        "shopify:" + SHOP_A
    )
    assert db.session.get(Design, design.id).production_keys["front"]["png"]
