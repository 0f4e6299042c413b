"""The shopper's proof page: the shop sends a signed link; the shopper approves it (production
starts) or asks for changes with a comment the shop reads on the design."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import func, select

from luneo_app.extensions import db
from luneo_app.models import AuditEvent, Brand, Design, RenderJob
from tests.designs.helpers import brand_with_key, text_design


def _waiting(app, client, mode="merchant"):  # type: ignore[no-untyped-def]
    brand, headers, product = brand_with_key(app)
    db.session.get(Brand, brand.id).settings = {"proofApproval": mode}
    db.session.commit()
    created = client.post("/v1/designs", json=text_design(product.id, text="Ada"), headers=headers)
    design_id = created.get_json()["designId"]
    body = client.post(f"/v1/designs/{design_id}/finalize", json={}, headers=headers).get_json()
    assert body["status"] == "awaiting_proof"
    link = body["proof"]["link"]
    assert link.startswith(app.config["APP_URL"] + "/proof/")
    return headers, design_id, link.replace(app.config["APP_URL"], "")


def _production_jobs() -> int:
    return db.session.scalar(
        select(func.count()).select_from(RenderJob).where(RenderJob.kind == "production")
    )


def test_the_shopper_approves_the_proof_from_the_link_and_production_starts(app, client):
    headers, design_id, path = _waiting(app, client)  # the shop approves, and sent the link
    page = client.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    assert "Approve and start production" in html and "Ask for changes" in html
    assert "Text “Ada”" in unescape(html)
    preview = re.search(r'<img class="preview" src="([^"]+)"', html)
    assert (
        preview
        and client.get(unescape(preview.group(1)).replace(app.config["APP_URL"], "")).status_code
        == 200
    )
    assert _production_jobs() == 0

    answered = client.post(path, data={"verdict": "approve"})
    assert answered.status_code == 303  # back to the page: a reload sends nothing twice
    assert "Approved on" in client.get(path).get_data(as_text=True)
    got = client.get(f"/v1/designs/{design_id}", headers=headers).get_json()
    assert (
        got["status"] == "production_ready" and got["proof"]["approvedBy"] == "shopper:proof-link"
    )
    assert got["proof"]["link"] is None
    assert _production_jobs() == 1


def test_the_shopper_asks_for_changes_and_the_shop_reads_the_comment(app, client):
    headers, design_id, path = _waiting(app, client)
    empty = client.post(path, data={"verdict": "changes", "comment": "  "})
    assert empty.status_code == 422 and "Say what should change" in empty.get_data(as_text=True)

    answered = client.post(path, data={"verdict": "changes", "comment": "Please spell it Adah"})
    assert answered.status_code == 303
    page = unescape(client.get(path).get_data(as_text=True))
    assert "You asked for changes" in page and "Please spell it Adah" in page
    got = client.get(f"/v1/designs/{design_id}", headers=headers).get_json()
    assert got["status"] == "awaiting_proof" and _production_jobs() == 0
    assert got["proof"]["changesRequested"]["comment"] == "Please spell it Adah"
    audit = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "design.proof_rejected")
    )
    assert audit is not None and "Adah" not in str(audit.details)  # the words stay on the design
    # the shop can still approve the version it has
    approved = client.post(f"/v1/designs/{design_id}/proof", headers=headers).get_json()
    assert (
        approved["status"] == "production_ready" and approved["proof"]["changesRequested"] is None
    )


def test_forged_or_other_links_show_a_page_and_change_nothing(app, client):
    _, design_id, path = _waiting(app, client)
    forged = client.get(path[:-3] + "xyz", headers={"Accept": "text/html"})
    assert forged.status_code == 404 and "not valid" in forged.get_data(as_text=True)
    assert client.post(path[:-3] + "xyz", data={"verdict": "approve"}).status_code == 404
    assert db.session.get(Design, design_id).status == "awaiting_proof"
    unknown = client.post(path, data={"verdict": "ship-it"})
    assert unknown.status_code == 422


def test_a_link_answered_after_approval_says_so(app, client):
    headers, design_id, path = _waiting(app, client)
    client.post(f"/v1/designs/{design_id}/proof", headers=headers)
    late = client.post(path, data={"verdict": "changes", "comment": "too late"})
    assert late.status_code == 409
    assert "Approved on" in late.get_data(as_text=True)
