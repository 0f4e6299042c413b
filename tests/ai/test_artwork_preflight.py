"""AI artwork gets its preflight once it exists: resolution at the placed size against the
print profile, colours and see-through pixels; the merchant sees it on the design and the
order, and a blocking finding stops the proof."""

from __future__ import annotations

from luneo_app.extensions import db
from luneo_app.models import Brand
from tests.ai.helpers import ai_design, brand_with_ai_mug


def _profile(product, **profile) -> None:  # type: ignore[no-untyped-def]
    template = dict(product.template)
    template["printAreas"] = [dict(a, profile=profile) for a in template["printAreas"]]
    product.template = template
    db.session.commit()


def _artwork_findings(client, headers, design_id):  # type: ignore[no-untyped-def]
    got = client.get(f"/v1/designs/{design_id}", headers=headers).get_json()
    return [f for f in got["preflight"] if f.get("source") == "artwork"]


def test_small_artwork_is_reported_at_its_print_resolution_once_it_is_made(offline_app):
    app, client = offline_app, offline_app.test_client()
    _, headers, product = brand_with_ai_mug(app)
    _profile(product, kind="print-cmyk", minPhotoDpi=300)
    created = client.post("/v1/designs", json=ai_design(product.id, "a red fox"), headers=headers)
    assert created.status_code == 202, created.get_json()
    design_id = created.get_json()["designId"]
    found = {f["code"]: f for f in _artwork_findings(client, headers, design_id)}
    low = found["low_photo_resolution"]
    # 256 px artwork (the tests' AI_ARTWORK_PX) across part of a 72 mm wide area: under 300
    assert low["layer"] == 0 and low["severity"] == "warning" and 0 < low["value"] < 300
    assert "AI artwork prints at" in low["message"] and "300 dpi" in low["message"]


def test_a_blocking_rule_on_artwork_stops_the_proof(offline_app):
    app, client = offline_app, offline_app.test_client()
    brand, headers, product = brand_with_ai_mug(app)
    db.session.get(Brand, brand.id).settings = {"proofApproval": "merchant"}
    _profile(product, kind="print-cmyk", minPhotoDpi=300, block=["low_photo_resolution"])
    # the design is accepted (its artwork does not exist yet), then checked with it
    created = client.post("/v1/designs", json=ai_design(product.id, "a blue owl"), headers=headers)
    assert created.status_code == 202, created.get_json()
    design_id = created.get_json()["designId"]
    (low,) = [f for f in _artwork_findings(client, headers, design_id)
              if f["code"] == "low_photo_resolution"]  # fmt: skip
    assert low["severity"] == "error"
    done = client.post(f"/v1/designs/{design_id}/finalize", json={}, headers=headers).get_json()
    assert done["status"] == "awaiting_proof"
    refused = client.post(f"/v1/designs/{design_id}/proof", headers=headers)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "preflight_failed"


def test_large_enough_artwork_passes_quietly(offline_app):
    app, client = offline_app, offline_app.test_client()
    _, headers, product = brand_with_ai_mug(app)
    _profile(product, kind="print-srgb", minPhotoDpi=50)
    created = client.post(
        "/v1/designs", json=ai_design(product.id, "a green leaf"), headers=headers
    )
    codes = {f["code"] for f in _artwork_findings(client, headers, created.get_json()["designId"])}
    assert "low_photo_resolution" not in codes
