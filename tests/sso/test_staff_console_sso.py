"""Staff sign in to the support console through the staff SAML IdP: the sign-in page offers
it only when the IdP is set, the fake IdP signs a real response over HTTP, the ACS hands a
one-time ticket to ``/support/sso/complete``, which opens the console session."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import requests
from sqlalchemy import select

from luneo_app.extensions import db
from luneo_app.models import AuditEvent, StaffUser
from luneo_app.sso import staff
from luneo_app.staff.auth import create_staff
from tests.fakes.saml_idp import EMAIL, GROUPS, FakeIdP, IdpUser

AGENT = "agent@luneo-staff.com"


def set_up_staff_idp(client, idp: FakeIdP) -> None:  # type: ignore[no-untyped-def]
    staff.configure(
        metadata_xml=idp.metadata_xml(),
        email_attribute=EMAIL,
        groups_attribute=GROUPS,
        group_roles={"Luneo Admins": "admin", "Luneo Support": "support"},
    )
    idp.trust_sp(client.get("/v1/auth/sso/saml/metadata/staff").text)


def through_the_idp(client, idp: FakeIdP, start: str):  # type: ignore[no-untyped-def]
    """Follow the SSO button: our redirect, the IdP's page (over HTTP), the auto-post to
    the ACS. Returns the ACS's answer."""
    to_idp = client.get(start)
    assert to_idp.status_code == 302 and to_idp.location.startswith(f"{idp.origin}/sso?")
    page = requests.get(to_idp.location, timeout=10).text
    saml_response = re.search(r'name="SAMLResponse" value="([^"]+)"', page).group(1)
    relay = re.search(r'name="RelayState" value="([^"]*)"', page).group(1)
    return client.post(
        "/v1/auth/sso/saml/callback", data={"SAMLResponse": saml_response, "RelayState": relay}
    )


def sso_link(client, next_path: str = "/support/audit") -> str:  # type: ignore[no-untyped-def]
    page = client.get(f"/support/login?next={next_path}").text
    found = re.search(r'id="sso-sign-in" href="([^"]+)"', page)
    assert found, "the sign-in page has no SSO button"
    return found.group(1).replace("&amp;", "&")


def audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_sign_in_page_offers_sso_only_when_the_staff_idp_is_set(client, idp):
    assert "Sign in with SSO" not in client.get("/support/login").text
    set_up_staff_idp(client, idp)
    assert sso_link(client) == "/v1/auth/sso/saml/staff/login?next=/support/audit"
    # A next outside the console is not carried into the SSO link.
    assert sso_link(client, "//evil.example/support").endswith("?next=/support")
    assert sso_link(client, "https://evil.example/support").endswith("?next=/support")
    staff.configure(enabled=False)
    assert "Sign in with SSO" not in client.get("/support/login").text


def test_staff_member_signs_in_through_saml_and_reaches_the_console(client, idp):
    user = create_staff(AGENT, "a long staff password", "support")
    db.session.commit()
    set_up_staff_idp(client, idp)
    assert client.get("/support/audit").status_code == 302  # not signed in yet
    idp.user = IdpUser(AGENT, groups=["Luneo Admins"])
    acs = through_the_idp(client, idp, sso_link(client))
    assert acs.status_code == 302 and acs.location.startswith("/support/sso/complete?ticket=")
    assert audit("staff.signed_in") == []  # no session yet: only the verified assertion
    assert len(audit("staff.sso_verified")) == 1

    done = client.get(acs.location)
    assert done.status_code == 302 and done.location == "/support/audit"
    console = client.get("/support/audit")
    assert console.status_code == 200 and AGENT in console.text
    assert client.get("/support/account").status_code == 200
    db.session.expire_all()
    assert db.session.get(StaffUser, user.id).role == "admin"  # from the mapped group
    [event] = audit("staff.signed_in")
    assert event.target_id == user.id and event.details["method"] == "saml"

    # The same ticket again (a copied link, a browser's history): refused with a page.
    other = client.application.test_client()
    again = other.get(acs.location)
    assert again.status_code == 400 and again.mimetype == "text/html"
    assert "This sign-in link no longer works" in again.text
    assert other.get("/support/audit").status_code == 302  # still signed out
    assert len(audit("staff.signed_in")) == 1


def test_a_made_up_or_malformed_ticket_shows_the_page_and_signs_nobody_in(client, idp):
    set_up_staff_idp(client, idp)
    for query in ("ticket=" + "x" * 43, "ticket=short", "", "ticket=" + "y" * 300):
        r = client.get(f"/support/sso/complete?{query}&next=/support/audit")
        assert r.status_code == 400 and "This sign-in link no longer works" in r.text
        assert 'href="/v1/auth/sso/saml/staff/login' in r.text  # try again
    assert client.get("/support/audit").status_code == 302
    assert audit("staff.signed_in") == []


def test_the_next_page_after_sso_stays_inside_the_console(client, idp):
    create_staff(AGENT, "a long staff password", "support")
    db.session.commit()
    set_up_staff_idp(client, idp)
    idp.user = IdpUser(AGENT)
    acs = through_the_idp(client, idp, "/v1/auth/sso/saml/staff/login?next=/console/keys")
    ticket = parse_qs(urlsplit(acs.location).query)["ticket"][0]
    done = client.get(f"/support/sso/complete?ticket={ticket}&next=/support/../console")
    assert done.status_code == 302 and done.location == "/support"
    signed_out = client.application.test_client()
    for crafted in ("/support/%2E%2E/console", "/supportx", "/support/\\evil.example", "/console"):
        assert sso_link(signed_out, crafted).endswith("?next=/support"), crafted
    assert sso_link(signed_out, "/support?q=acme").endswith("?next=/support?q%3Dacme")


def test_unknown_or_deactivated_staff_email_is_refused_and_nobody_is_signed_in(client, idp):
    set_up_staff_idp(client, idp)
    idp.user = IdpUser("stranger@luneo-staff.com", groups=["Luneo Admins"])
    refused = through_the_idp(client, idp, sso_link(client))
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "staff_unknown"
    assert len(audit("staff.sso_refused")) == 1
    assert client.get("/support/audit").status_code == 302

    # Switched off between the IdP's answer and the hand-over: the ticket signs nobody in.
    user = create_staff(AGENT, "a long staff password", "support")
    db.session.commit()
    idp.user = IdpUser(AGENT)
    acs = through_the_idp(client, idp, sso_link(client))
    assert acs.status_code == 302
    user.active = False
    db.session.commit()
    r = client.get(acs.location)
    assert r.status_code == 400 and "This sign-in link no longer works" in r.text
    assert client.get("/support/audit").status_code == 302
    assert audit("staff.signed_in") == []
