"""Headless Chromium (Debian's) signs a staff member in to /support through the staff IdP:
the "Sign in with SSO" button, the fake IdP's auto-posting page, the ACS, the hand-over
view, the console; then the used hand-over link shows its page. Screenshots of the sign-in
page with the button and of the refused link at 1280x900 and 390x844 go to
``$LUNEO_SCREENSHOTS`` when set, else a temporary folder."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from luneo_app import create_app
from luneo_app.extensions import db
from luneo_app.models import AuditEvent
from luneo_app.sso import staff
from luneo_app.staff.auth import create_staff
from tests.conftest import clean_state, make_config
from tests.fakes.saml_idp import EMAIL, GROUPS, IdpUser
from tests.support.browser import ARGS, CHROMIUM, free_port, require_chromium

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
AGENT = "agent@luneo-staff.com"


@pytest.fixture()
def served(_schema, idp):  # type: ignore[no-untyped-def]
    sync_api = pytest.importorskip("playwright.sync_api")
    require_chromium()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(make_config(APP_URL=base))
    clean_state(app)
    with app.app_context():
        create_staff(AGENT, "a long staff password", "support")
        db.session.commit()
        staff.configure(
            metadata_xml=idp.metadata_xml(),
            email_attribute=EMAIL,
            groups_attribute=GROUPS,
            group_roles={"Luneo Admins": "admin"},
        )
        idp.trust_sp(app.test_client().get("/v1/auth/sso/saml/metadata/staff").text)
    idp.user = IdpUser(AGENT, groups=["Luneo Admins"])
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base, sync_api, app
    finally:
        server.shutdown()
        thread.join(10)
        with app.app_context():
            db.engine.dispose()


def test_staff_member_signs_in_with_sso_in_a_browser_and_pages_are_shot(served, tmp_path):
    base, sync_api, app = served
    shots = Path(os.environ.get("LUNEO_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            context = browser.new_context(viewport=VIEWPORTS["desktop"])
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{base}/support/login?next=/support/audit", wait_until="load")
            page.screenshot(path=str(shots / "login-sso-desktop.png"), full_page=True)
            handed_over: list[str] = []
            page.on(
                "request",
                lambda r: handed_over.append(r.url) if "/support/sso/complete" in r.url else None,
            )
            page.click("#sso-sign-in")  # -> our redirect -> the IdP -> auto-post -> ACS
            page.wait_for_url(f"{base}/support/audit")
            assert AGENT in page.content()
            assert handed_over, "the ACS did not hand over to /support/sso/complete"

            page.goto(handed_over[0], wait_until="load")  # the same link again
            assert "This sign-in link no longer works" in page.content()
            page.screenshot(path=str(shots / "sso-link-used-desktop.png"), full_page=True)

            phone = browser.new_context(viewport=VIEWPORTS["phone"]).new_page()
            phone.goto(f"{base}/support/login", wait_until="load")
            phone.screenshot(path=str(shots / "login-sso-phone.png"), full_page=True)
            phone.goto(handed_over[0], wait_until="load")
            phone.screenshot(path=str(shots / "sso-link-used-phone.png"), full_page=True)
        finally:
            browser.close()
    assert errors == []
    with app.app_context():
        [event] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "staff.signed_in")
        )
        assert event.details["method"] == "saml"
