"""Headless Chromium (Debian's): an expired assertion and one meant for another app, posted
to the ACS the way an IdP's auto-posting form does, show the refusal page; its button
leads back to the console sign-in. Screenshots at 1280x900 and 390x844 go to
``$LUNEO_SCREENSHOTS`` when set, else a temporary folder."""

from __future__ import annotations

import html
import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from luneo_app import create_app
from luneo_app.extensions import db
from luneo_app.models import Account
from luneo_app.sso import service
from tests.conftest import clean_state, make_config
from tests.sso.conftest import make_brand
from tests.support.browser import ARGS, CHROMIUM, free_port, require_chromium

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture()
def served(_schema, idp):  # type: ignore[no-untyped-def]
    sync_api = pytest.importorskip("playwright.sync_api")
    require_chromium()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(make_config(APP_URL=base))
    clean_state(app)
    with app.app_context():
        owner = make_brand()
        service.configure(
            db.session.get(Account, owner.account_id),
            enabled=True,
            metadata_url=None,
            metadata_xml=idp.metadata_xml(),
            attribute_map=None,
            group_roles=None,
            default_role="viewer",
            require_sso=False,
            break_glass_account_id=None,
        )
        idp.trust_sp(app.test_client().get(f"/v1/auth/sso/saml/metadata/{owner.brand_id}").text)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base, sync_api, owner
    finally:
        server.shutdown()
        thread.join(10)
        with app.app_context():
            db.engine.dispose()


def auto_post(acs: str, saml_response: str) -> str:
    """The page an IdP answers with: a form that posts itself to the ACS."""
    return (
        '<!doctype html><body onload="document.forms[0].submit()">'
        f'<form method="post" action="{html.escape(acs)}">'
        f'<input type="hidden" name="SAMLResponse" value="{saml_response}">'
        "</form></body>"
    )


def test_refusals_in_a_browser_show_a_page_with_a_way_back(served, idp, tmp_path):
    base, sync_api, owner = served
    shots = Path(os.environ.get("LUNEO_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    acs = f"{base}/v1/auth/sso/saml/callback"
    audience = f"{base}/v1/auth/sso/saml/metadata/{owner.brand_id}"
    cases = {
        "expired": (
            idp.response(audience=audience, acs=acs, clock_offset=-1200),
            "This sign-in has expired",
        ),
        "wrong-audience": (
            idp.response(audience="https://other.example/sp", acs=acs),
            "This sign-in was meant for another application",
        ),
    }
    errors: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            for name, (saml_response, title) in cases.items():
                for viewport, size in VIEWPORTS.items():
                    page = browser.new_context(viewport=size).new_page()
                    page.on("pageerror", lambda exc: errors.append(str(exc)))
                    page.goto(f"{base}/console/login", wait_until="load")
                    with page.expect_navigation(url=acs):
                        page.set_content(auto_post(acs, saml_response))
                    page.wait_for_load_state("load")
                    assert page.inner_text("#refusal-title") == title
                    back = page.locator("#refusal-back")
                    assert back.is_visible()
                    box = back.bounding_box()
                    assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"]
                    page.screenshot(path=str(shots / f"sso-{name}-{viewport}.png"), full_page=True)
                    back.click()
                    page.wait_for_url(f"{base}/console/login")
                    page.context.close()
        finally:
            browser.close()
    assert errors == []
