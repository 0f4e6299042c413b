"""SSO refusals seen in a browser are pages with the reason and a way back; API callers
(Accept: application/json, or no preference) keep the uniform JSON error, same status."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.sso.test_saml import ACS, connect, post, sp_entity

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


class Page(HTMLParser):
    """An independent reader of the page: its visible title, reason and links."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: dict[str, str] = {}
        self.links: dict[str, str] = {}
        self._open: list[tuple[str | None, str | None]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        attributes = dict(attrs)
        self._open.append((attributes.get("id"), attributes.get("href")))

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if self._open:
            self._open.pop()

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        for element_id, href in self._open[-1:]:
            if element_id:
                self.ids[element_id] = self.ids.get(element_id, "") + data.strip()
            if href and data.strip():
                self.links[data.strip()] = href


def browser_post(client, saml_response: str, relay: str = ""):  # type: ignore[no-untyped-def]
    return client.post(
        "/v1/auth/sso/saml/callback",
        data={"SAMLResponse": saml_response, "RelayState": relay},
        headers={"Accept": BROWSER},
    )


@pytest.mark.parametrize(
    "fault,status,title",
    [
        ("expired", 401, "This sign-in has expired"),
        ("replayed", 401, "This sign-in was already used"),
        ("wrong_audience", 401, "This sign-in was meant for another application"),
        ("no_account", 403, "You have no account in this brand yet"),
        ("sha1", 401, "Your identity provider uses an outdated signature"),
    ],
)
def test_a_browser_gets_a_page_with_the_reason_and_a_way_back(
    client, owner, idp, fault, status, title
):
    connect(client, idp, owner, **({"defaultRole": ""} if fault == "no_account" else {}))
    audience = sp_entity(owner.brand_id)
    idp.user.email = "pat@acme-brand.com"
    if fault == "expired":
        forged = idp.response(audience=audience, acs=ACS, clock_offset=-1200)
    elif fault == "replayed":
        idp.user.email = owner.email
        forged = idp.response(audience=audience, acs=ACS)
        assert post(client, forged).status_code == 302
        client.delete_cookie("luneo_console", path="/console")
    elif fault == "wrong_audience":
        forged = idp.response(audience="https://other.example/sp", acs=ACS)
    elif fault == "sha1":
        forged = idp.response(
            audience=audience,
            acs=ACS,
            sign_alg="http://www.w3.org/2000/09/xmldsig#rsa-sha1",
            digest_alg="http://www.w3.org/2000/09/xmldsig#sha1",
        )
    else:
        forged = idp.response(audience=audience, acs=ACS)
    r = browser_post(client, forged)
    assert r.status_code == status
    assert r.mimetype == "text/html" and r.headers["Cache-Control"] == "no-store"
    page = Page(r.text)
    assert page.ids["refusal-title"] == title
    assert page.ids["refusal-reason"]
    assert page.links["Back to sign-in"] == "/console/login"
    assert client.get(page.links["Back to sign-in"]).status_code == 200
    # The same refusal for an API caller is the JSON error (a fresh assertion: a refused
    # sign-in of a verified one has used its id up).
    if fault != "replayed":
        if fault == "no_account":
            forged = idp.response(audience=audience, acs=ACS)
        r = client.post(
            "/v1/auth/sso/saml/callback",
            data={"SAMLResponse": forged},
            headers={"Accept": "application/json"},
        )
        assert r.status_code == status and r.mimetype == "application/json"
        assert r.get_json()["error"]["message"]


def test_discovery_without_sso_in_a_browser_says_so_and_offers_the_password(client, owner):
    r = client.get(
        "/v1/auth/sso/saml/discover?email=nobody@acme-brand.com", headers={"Accept": BROWSER}
    )
    assert r.status_code == 404
    page = Page(r.text)
    assert page.ids["refusal-title"] == "Single sign-on is not set up"
    assert page.links["Back to sign-in"] == "/console/login"
    r = client.get("/v1/auth/sso/saml/discover?email=nobody@acme-brand.com")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "sso_not_configured"


def test_a_staff_refusal_leads_back_to_the_staff_sign_in(client, owner, idp):
    connect(client, idp, owner)
    forged = idp.response(audience=sp_entity(owner.brand_id), acs=ACS, clock_offset=-1200)
    r = browser_post(client, forged, relay="/support/audit")
    assert Page(r.text).links["Back to staff sign-in"] == "/support/login"
