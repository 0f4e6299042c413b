"""SAML sign-in against a local IdP that signs real responses (pysaml2 + xmlsec1): the
sign-in works SP- and IdP-initiated, and each forgery is refused with nothing written."""

from __future__ import annotations

import base64
import re
import subprocess
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from luneo_app.extensions import db
from luneo_app.models import Account, AuditEvent, SamlIdentityProvider
from luneo_app.sso import saml, service
from tests.accounts.helpers import PASSWORD, console_sign_in, csrf_of
from tests.fakes.saml_idp import EMAIL, GROUPS, FakeIdP, IdpUser
from tests.sso.conftest import make_brand

ACS = "http://127.0.0.1:5000/v1/auth/sso/saml/callback"


def sp_entity(brand_id: str) -> str:
    return f"http://127.0.0.1:5000/v1/auth/sso/saml/metadata/{brand_id}"


def connect(client, idp: FakeIdP, owner, **form: str) -> None:  # type: ignore[no-untyped-def]
    """The owner sets the IdP up in the console (metadata by URL), the IdP trusts our SP."""
    csrf = console_sign_in(client, owner.email)
    data = {
        "csrf_token": csrf,
        "enabled": "on",
        "metadataUrl": f"{idp.origin}/idp/metadata",
        "groupRoles": "Luneo Admins = admin\nEngineering = developer",
        "defaultRole": "viewer",
        **form,
    }
    r = client.post("/console/sso", data=data)
    assert r.status_code == 302, re.findall(r"<strong>.*", r.text)
    metadata = client.get(f"/v1/auth/sso/saml/metadata/{owner.brand_id}")
    assert metadata.status_code == 200
    idp.trust_sp(metadata.text)
    client.post("/console/logout", data={"csrf_token": csrf_of(client.get("/console").text)})


def post(client, saml_response: str, relay: str = ""):  # type: ignore[no-untyped-def]
    return client.post(
        "/v1/auth/sso/saml/callback", data={"SAMLResponse": saml_response, "RelayState": relay}
    )


def accounts() -> int:
    return db.session.scalar(select(func.count()).select_from(Account))


def test_sp_metadata_is_valid_saml_metadata_with_the_brand_audience_and_acs(client, owner):
    r = client.get(f"/v1/auth/sso/saml/metadata/{owner.brand_id}")
    assert r.status_code == 200
    assert r.mimetype == "application/samlmetadata+xml"
    assert f'entityID="{sp_entity(owner.brand_id)}"' in r.text
    assert ACS in r.text
    assert client.get("/v1/auth/sso/saml/metadata/brd_nope").status_code == 404


def test_sp_initiated_sign_in_creates_the_member_just_in_time_with_the_group_role(
    client, owner, idp
):
    connect(client, idp, owner)
    idp.user.groups = ["Engineering"]
    start = client.get(f"/v1/auth/sso/saml/login/{owner.brand_id}?next=/console/keys")
    assert start.status_code == 302 and start.location.startswith(f"{idp.origin}/sso?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(start.location).query).items()}
    page = idp.answer_redirect(query)  # what the browser gets from the IdP
    saml_response = re.search(r'name="SAMLResponse" value="([^"]+)"', page).group(1)
    relay = re.search(r'name="RelayState" value="([^"]*)"', page).group(1)
    done = post(client, saml_response, relay)
    assert done.status_code == 302, done.get_json()
    assert done.location == "/console/keys"
    account = db.session.scalar(select(Account).where(Account.email == "ada@acme-brand.com"))
    assert account.brand_id == owner.brand_id and account.role == "developer"
    assert account.provisioned_by == "saml" and account.name == "Ada Lovelace"
    assert client.get("/console/keys").status_code == 200  # the same console session
    # The request id is used up: the same response again is refused.
    again = post(client, saml_response, relay)
    assert again.status_code == 401


def test_idp_initiated_sign_in_of_an_existing_member(client, owner, idp):
    connect(client, idp, owner)
    idp.user.email = owner.email
    r = post(client, idp.response(audience=sp_entity(owner.brand_id), acs=ACS))
    assert r.status_code == 302 and r.location == "/console"
    assert client.get("/console").status_code == 200
    assert db.session.get(Account, owner.account_id).role == "owner"


def test_signed_response_without_signed_assertion_is_accepted(client, owner, idp):
    connect(client, idp, owner)
    r = post(
        client,
        idp.response(
            audience=sp_entity(owner.brand_id), acs=ACS, sign_response=True, sign_assertion=False
        ),
    )
    assert r.status_code == 302


def test_response_signature_checks_out_with_xmlsec1_independently(owner, idp, tmp_path):
    xml = idp.response_xml(audience=sp_entity(owner.brand_id), acs=ACS)
    (tmp_path / "r.xml").write_text(xml)
    checked = subprocess.run(
        [
            "/usr/bin/xmlsec1",
            "--verify",
            "--pubkey-cert-pem",
            str(idp.cert_file),
            "--id-attr:ID",
            "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
            str(tmp_path / "r.xml"),
        ],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize(
    "fault,code",
    [
        ("replayed", "saml_replayed"),
        ("expired", "saml_expired"),
        ("not_yet_valid", "saml_expired"),
        ("wrong_audience", "saml_wrong_audience"),
        ("unsigned", "saml_bad_signature"),
        ("tampered", "saml_bad_signature"),
        ("other_idp", "saml_bad_signature"),
        ("unknown_request", "saml_unsolicited"),
        ("xml_bomb", "saml_malformed"),
        ("external_entity", "saml_malformed"),
        ("not_xml", "saml_malformed"),
        ("wrong_recipient", "saml_wrong_recipient"),
    ],
)
def test_forged_or_stale_assertions_are_refused_and_nothing_is_written(
    client, owner, idp, fault, code
):
    connect(client, idp, owner)
    audience = sp_entity(owner.brand_id)
    idp.user.email = "mallory@acme-brand.com"
    good = idp.response(audience=audience, acs=ACS)
    if fault == "replayed":
        assert post(client, good).status_code == 302
        client.delete_cookie("luneo_console", path="/console")
        forged = good
    elif fault == "expired":
        # Minted 20 minutes ago with a 5-minute life: expired beyond the 2-minute skew.
        forged = idp.response(audience=audience, acs=ACS, clock_offset=-1200)
    elif fault == "not_yet_valid":
        forged = idp.response(audience=audience, acs=ACS, clock_offset=600)
    elif fault == "wrong_audience":
        forged = idp.response(audience="https://other.example/sp", acs=ACS)
    elif fault == "unsigned":
        forged = idp.response(audience=audience, acs=ACS, sign_assertion=False)
    elif fault == "tampered":
        xml = idp.response_xml(audience=audience, acs=ACS)
        forged = base64.b64encode(
            xml.replace("mallory@acme-brand.com", "owner@acme-brand.com").encode()
        )
        forged = forged.decode()
    elif fault == "other_idp":
        other = FakeIdP("evil-idp")
        other.start()
        try:
            xml = other.response_xml(audience=audience, acs=ACS)
        finally:
            other.stop()
        # Claim to be the configured IdP: the signature is by another key.
        forged = base64.b64encode(
            re.sub(r"http://127\.0\.0\.1:\d+/idp/metadata", idp.entity_id, xml).encode()
        ).decode()
    elif fault == "unknown_request":
        forged = idp.response(audience=audience, acs=ACS, in_response_to="id-we-never-sent")
    elif fault == "xml_bomb":
        bomb = (
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
            '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&lol2;'
            "</samlp:Response>"
        )
        forged = base64.b64encode(bomb.encode()).decode()
    elif fault == "external_entity":
        xxe = (
            '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&x;'
            "</samlp:Response>"
        )
        forged = base64.b64encode(xxe.encode()).decode()
    elif fault == "not_xml":
        forged = base64.b64encode(b"<samlp:Response").decode()
    else:  # wrong_recipient
        forged = idp.response(audience=audience, acs="https://elsewhere.example/acs")
    before = accounts()
    r = post(client, forged)
    assert r.status_code == 401, (fault, r.get_json())
    assert r.get_json()["error"]["code"] == code, r.get_json()
    assert accounts() == before
    assert client.get("/console").status_code == 302  # no session


def test_an_assertion_for_one_brand_never_signs_in_another_brands_account(client, owner, idp):
    connect(client, idp, owner)
    other = make_brand("Other Co", "boss@other-brand.com")
    idp.user.email = other.email
    r = post(client, idp.response(audience=sp_entity(owner.brand_id), acs=ACS))
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "sso_wrong_brand"
    # The issuer alone decides nothing: the same IdP aimed at a brand without SSO.
    r = post(client, idp.response(audience=sp_entity(other.brand_id), acs=ACS))
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "saml_unknown_idp"


def test_without_a_role_to_give_an_unknown_person_is_not_created(client, owner, idp):
    connect(client, idp, owner, defaultRole="")
    idp.user.email = "stranger@acme-brand.com"
    before = accounts()
    r = post(client, idp.response(audience=sp_entity(owner.brand_id), acs=ACS))
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "sso_no_account"
    assert accounts() == before


def test_require_sso_refuses_passwords_except_the_break_glass_owner(client, owner, idp):
    connect(client, idp, owner, requireSso="on")
    member = Account(
        brand_id=owner.brand_id, email="dev@acme-brand.com", role="developer", status="active"
    )
    from luneo_app.accounts.passwords import hash_password
    from luneo_app.core.clock import utcnow

    member.password_hash = hash_password(PASSWORD)
    member.email_verified_at = utcnow()
    db.session.add(member)
    db.session.commit()
    r = client.post("/v1/auth/login", json={"email": "dev@acme-brand.com", "password": PASSWORD})
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "sso_required"
    r = client.post("/v1/auth/login", json={"email": owner.email, "password": PASSWORD})
    assert r.status_code == 200
    events = db.session.scalars(select(AuditEvent.action)).all()
    assert "auth.break_glass_sign_in" in events and "auth.sign_in_refused" in events


def test_metadata_url_goes_through_the_ssrf_guard(client, owner, app):
    app.config["OUTBOUND_WEBHOOK_ALLOW_PRIVATE"] = False
    csrf = console_sign_in(client, owner.email)
    for url in ("http://idp.example/metadata", "https://127.0.0.1/metadata", "https://10.0.0.1/m"):
        r = client.post(
            "/console/sso", data={"csrf_token": csrf, "enabled": "on", "metadataUrl": url}
        )
        assert r.status_code == 422, url
    assert db.session.scalar(select(func.count()).select_from(SamlIdentityProvider)) == 0


def test_pasted_metadata_with_entities_is_refused(client, owner, idp):
    csrf = console_sign_in(client, owner.email)
    evil = '<!DOCTYPE x [<!ENTITY a "b">]>' + idp.metadata_xml()
    r = client.post("/console/sso", data={"csrf_token": csrf, "metadataXml": evil})
    assert r.status_code == 422
    ok = client.post(
        "/console/sso",
        data={"csrf_token": csrf, "metadataXml": idp.metadata_xml(), "enabled": "on"},
    )
    assert ok.status_code == 302
    assert service.provider_of(owner.brand_id).idp_entity_id == idp.entity_id


def test_realm_is_read_from_our_audience_only(app):
    assert saml.realm_key_of(saml.sp_entity_id("brd_1")) == "brd_1"
    assert saml.realm_key_of("https://evil.example/v1/auth/sso/saml/metadata/brd_1") is None
    assert saml.realm_key_of(saml.sp_entity_id("brd_1") + "/x") is None


def test_staff_sign_in_hands_a_one_time_ticket_to_the_support_console(client, idp, app):
    from luneo_app.sso import staff
    from luneo_app.staff.auth import create_staff

    user = create_staff("agent@luneo-staff.com", "a long staff password", "support")
    db.session.commit()
    staff.configure(
        metadata_xml=idp.metadata_xml(),
        email_attribute=EMAIL,
        groups_attribute=GROUPS,
        group_roles={"Luneo Admins": "admin"},
    )
    idp.trust_sp(client.get("/v1/auth/sso/saml/metadata/staff").text)
    start = client.get("/v1/auth/sso/saml/staff/login?next=/support/brands")
    assert start.status_code == 302
    query = {k: v[0] for k, v in parse_qs(urlsplit(start.location).query).items()}
    idp.user = IdpUser("agent@luneo-staff.com", groups=["Luneo Admins"])
    page = idp.answer_redirect(query)
    saml_response = re.search(r'name="SAMLResponse" value="([^"]+)"', page).group(1)
    relay = re.search(r'name="RelayState" value="([^"]*)"', page).group(1)
    r = post(client, saml_response, relay)
    assert r.status_code == 302 and r.location.startswith("/support/sso/complete?ticket=")
    ticket = parse_qs(urlsplit(r.location).query)["ticket"][0]
    assert parse_qs(urlsplit(r.location).query)["next"] == ["/support/brands"]
    with app.test_request_context():
        redeemed = staff.redeem_ticket(ticket)
        assert redeemed is not None and redeemed.id == user.id and redeemed.role == "admin"
        assert staff.redeem_ticket(ticket) is None  # once
    # A brand's IdP cannot sign staff in: its assertion for the staff audience fails.
    idp.user = IdpUser("agent@luneo-staff.com")


def test_console_login_offers_sso_by_email_and_discovery_finds_the_brand_idp(client, owner, idp):
    assert "Continue with SSO" in client.get("/console/login").text
    connect(client, idp, owner)
    r = client.get(f"/v1/auth/sso/saml/discover?email={owner.email}&next=/console/keys")
    assert r.status_code == 302 and r.location.startswith(f"{idp.origin}/sso?")
    r = client.get("/v1/auth/sso/saml/discover?email=nobody@acme-brand.com")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "sso_not_configured"


def test_staff_sso_command_sets_the_staff_idp(app, idp, tmp_path):
    from luneo_app.sso import staff

    path = tmp_path / "idp.xml"
    path.write_text(idp.metadata_xml())
    result = app.test_cli_runner().invoke(
        args=["luneo", "staff-sso", "--metadata-file", str(path), "--admin-group", "Ops"]
    )
    assert result.exit_code == 0, result.output
    assert staff.realm().idp_entity_id == idp.entity_id
    assert staff.provider().group_roles == {"Ops": "admin"}


def test_a_new_member_signing_in_past_the_plans_seats_is_refused_with_the_upgrade_path(
    client, idp, app
):
    app.config["OUTBOUND_WEBHOOK_ALLOW_PRIVATE"] = True  # the fake IdP's metadata is local
    owner = make_brand(plan="free")
    connect(client, idp, owner)
    db.session.add(
        Account(brand_id=owner.brand_id, email="lin@acme-brand.com", role="viewer", status="active")
    )
    db.session.commit()  # Free's two seats: the owner and Lin
    before = accounts()
    r = post(client, idp.response(audience=sp_entity(owner.brand_id), acs=ACS))
    assert r.status_code == 402
    assert "team seats" in r.get_data(as_text=True)
    assert accounts() == before  # nobody was created
