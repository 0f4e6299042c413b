"""The scheduled refresh of IdP metadata given by URL: a rotated IdP certificate is picked
up; when the refresh fails (IdP down, SSRF guard, another entity id) the last good metadata
stays in use and the console says so."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from luneo_app.core.clock import utcnow
from luneo_app.extensions import db
from luneo_app.jobs import schedule
from luneo_app.models import AuditEvent
from luneo_app.sso import refresh, service
from tests.accounts.helpers import console_sign_in
from tests.fakes.saml_idp import FakeIdP, make_key_and_cert
from tests.sso.test_saml import ACS, connect, post, sp_entity


def make_due(brand_id: str) -> None:
    provider = service.provider_of(brand_id)
    provider.metadata_fetched_at = utcnow() - timedelta(hours=13)
    db.session.commit()


def run_schedule() -> dict[str, int]:
    result = refresh.refresh_due.run()
    db.session.expire_all()
    return result


def test_the_refresh_is_on_the_schedule(app):
    assert "luneo.sso.refresh_idp_metadata" in {e.task for e in schedule.entries(app.config)}


def test_a_rotated_idp_certificate_is_picked_up_by_the_scheduled_refresh(client, owner):
    idp = FakeIdP("rotating-idp").start()
    try:
        connect(client, idp, owner)
        idp.user.email = owner.email
        audience = sp_entity(owner.brand_id)
        assert post(client, idp.response(audience=audience, acs=ACS)).status_code == 302
        client.delete_cookie("luneo_console", path="/console")
        # The IdP rotates its signing key and publishes the new certificate.
        idp.key_file, idp.cert_file = make_key_and_cert(idp.folder, "rotated")
        idp._idp = None
        r = post(client, idp.response(audience=audience, acs=ACS))
        assert r.status_code == 401 and r.get_json()["error"]["code"] == "saml_bad_signature"
        assert run_schedule() == {"refreshed": 0, "failed": 0}  # not due yet
        make_due(owner.brand_id)
        assert run_schedule() == {"refreshed": 1, "failed": 0}
        assert post(client, idp.response(audience=audience, acs=ACS)).status_code == 302
        provider = service.provider_of(owner.brand_id)
        assert provider.metadata_fetched_at > utcnow() - timedelta(minutes=1)
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert "sso.metadata_refreshed" in actions
    finally:
        idp.stop()


def test_a_failed_refresh_keeps_the_last_good_metadata_and_the_console_says_so(client, owner, app):
    idp = FakeIdP("flaky-idp").start()
    connect(client, idp, owner)
    good = service.provider_of(owner.brand_id).metadata_xml
    idp.stop()  # the IdP's metadata URL is down
    make_due(owner.brand_id)
    assert run_schedule() == {"refreshed": 0, "failed": 1}
    provider = service.provider_of(owner.brand_id)
    assert provider.metadata_xml == good
    assert provider.metadata_refresh_error == "The metadata URL could not be reached."
    # Sign-in keeps working with the stored metadata.
    idp.user.email = owner.email
    r = post(client, idp.response(audience=sp_entity(owner.brand_id), acs=ACS))
    assert r.status_code == 302
    client.delete_cookie("luneo_console", path="/console")
    # Still due: the next tick tries again.
    assert run_schedule() == {"refreshed": 0, "failed": 1}
    console_sign_in(client, owner.email)
    page = client.get("/console/sso").text
    assert 'id="metadata-refresh-failed"' in page and "could not be reached" in page


def test_the_refresh_goes_through_the_ssrf_guard(owner, app, idp, client):
    connect(client, idp, owner)
    provider = service.provider_of(owner.brand_id)
    good = provider.metadata_xml
    provider.metadata_url = "https://10.0.0.1/federationmetadata.xml"
    db.session.commit()
    app.config["OUTBOUND_WEBHOOK_ALLOW_PRIVATE"] = False
    make_due(owner.brand_id)
    assert run_schedule() == {"refreshed": 0, "failed": 1}
    provider = service.provider_of(owner.brand_id)
    assert provider.metadata_xml == good and provider.metadata_refresh_error


def test_metadata_naming_another_idp_is_not_trusted(client, owner, idp):
    connect(client, idp, owner)
    other = FakeIdP("impostor-idp").start()
    try:
        provider = service.provider_of(owner.brand_id)
        provider.metadata_url = f"{other.origin}/idp/metadata"
        db.session.commit()
        make_due(owner.brand_id)
        assert run_schedule() == {"refreshed": 0, "failed": 1}
        provider = service.provider_of(owner.brand_id)
        assert provider.idp_entity_id == idp.entity_id
        assert other.entity_id not in provider.metadata_xml
        assert "another identity provider" in provider.metadata_refresh_error
    finally:
        other.stop()
