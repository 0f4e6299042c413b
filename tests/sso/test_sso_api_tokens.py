"""Single sign-on for API clients (console SPA, CLI): SP-initiated sign-in with PKCE and a
loopback or same-site redirect URI ends with a one-time code, exchanged for the same token
pair as password sign-in; codes are single use, bound to the verifier and redirect URI."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

from sqlalchemy import select

from luneo_app.extensions import db
from luneo_app.models import AuditEvent
from tests.accounts.helpers import bearer
from tests.sso.test_saml import ACS, connect, post, sp_entity

CALLBACK = "http://127.0.0.1:8765/callback"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign_in_for_code(client, idp, owner, redirect_uri=CALLBACK, state="s-1"):  # type: ignore[no-untyped-def]
    """Run the browser part: our redirect to the IdP, its auto-post back to the ACS."""
    verifier, challenge = pkce()
    query = urlencode({"redirect_uri": redirect_uri, "code_challenge": challenge, "state": state})
    start = client.get(f"/v1/auth/sso/saml/login/{owner.brand_id}?{query}")
    assert start.status_code == 302 and start.location.startswith(f"{idp.origin}/sso?")
    saml_query = {k: v[0] for k, v in parse_qs(urlsplit(start.location).query).items()}
    page = idp.answer_redirect(saml_query)
    saml_response = re.search(r'name="SAMLResponse" value="([^"]+)"', page).group(1)
    relay = re.search(r'name="RelayState" value="([^"]*)"', page).group(1)
    done = post(client, saml_response, relay)
    return done, verifier


def test_cli_sign_in_through_the_idp_ends_with_the_password_sign_in_token_pair(client, owner, idp):
    connect(client, idp, owner)
    idp.user.groups = ["Engineering"]
    done, verifier = sign_in_for_code(client, idp, owner)
    assert done.status_code == 302, done.get_json()
    landing = urlsplit(done.location)
    assert f"{landing.scheme}://{landing.netloc}{landing.path}" == CALLBACK
    params = parse_qs(landing.query)
    assert params["state"] == ["s-1"] and params["code"][0].startswith("lsc_")
    assert client.get("/console").status_code == 302  # no console cookie for an API client
    code = params["code"][0]
    r = client.post(
        "/v1/auth/sso/saml/token",
        json={"code": code, "codeVerifier": verifier, "redirectUri": CALLBACK},
    )
    assert r.status_code == 200, r.get_json()
    pair = r.get_json()
    assert pair["tokenType"] == "Bearer" and pair["refreshToken"].startswith("lr_")
    assert client.get("/v1/products", headers=bearer(pair["accessToken"])).status_code == 200
    # The refresh token rotates like a password sign-in's.
    rotated = client.post("/v1/auth/refresh", json={"refreshToken": pair["refreshToken"]})
    assert rotated.status_code == 200 and rotated.get_json()["accessToken"]
    # The code is single use.
    again = client.post(
        "/v1/auth/sso/saml/token",
        json={"code": code, "codeVerifier": verifier, "redirectUri": CALLBACK},
    )
    assert again.status_code == 401 and again.get_json()["error"]["code"] == "invalid_sso_code"
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "auth.token_issued" in actions


def test_a_code_is_used_up_by_a_wrong_verifier_or_redirect_uri(client, owner, idp):
    connect(client, idp, owner)
    for wrong in ("verifier", "redirect"):
        done, verifier = sign_in_for_code(client, idp, owner, redirect_uri="/console/cli-done")
        assert done.location.startswith("/console/cli-done?code=lsc_")
        code = parse_qs(urlsplit(done.location).query)["code"][0]
        body = {"code": code, "codeVerifier": verifier, "redirectUri": "/console/cli-done"}
        if wrong == "verifier":
            body["codeVerifier"] = pkce()[0]
        else:
            body["redirectUri"] = "/console/elsewhere"
        r = client.post("/v1/auth/sso/saml/token", json=body)
        assert r.status_code == 401 and r.get_json()["error"]["code"] == "invalid_sso_code"
        body.update(codeVerifier=verifier, redirectUri="/console/cli-done")
        assert client.post("/v1/auth/sso/saml/token", json=body).status_code == 401


def test_redirect_uris_other_than_loopback_or_this_site_are_refused(client, owner, idp):
    connect(client, idp, owner)
    _, challenge = pkce()
    for uri in (
        "https://evil.example/cb",
        "//evil.example/cb",
        "http://127.0.0.1.evil.example/cb",
        "http://user:pw@127.0.0.1:9/cb",
        "javascript:alert(1)",
    ):
        q = urlencode({"redirect_uri": uri, "code_challenge": challenge})
        r = client.get(f"/v1/auth/sso/saml/login/{owner.brand_id}?{q}")
        assert r.status_code == 422, uri
    q = urlencode({"redirect_uri": CALLBACK, "code_challenge": "short"})
    assert client.get(f"/v1/auth/sso/saml/login/{owner.brand_id}?{q}").status_code == 422
    q = urlencode({"redirect_uri": CALLBACK})
    assert client.get(f"/v1/auth/sso/saml/login/{owner.brand_id}?{q}").status_code == 422
    q = urlencode(
        {"redirect_uri": CALLBACK, "code_challenge": challenge, "code_challenge_method": "plain"}
    )
    assert client.get(f"/v1/auth/sso/saml/login/{owner.brand_id}?{q}").status_code == 422


def test_an_idp_initiated_response_never_yields_a_code(client, owner, idp):
    connect(client, idp, owner)
    idp.user.email = owner.email
    r = post(client, idp.response(audience=sp_entity(owner.brand_id), acs=ACS))
    assert r.status_code == 302 and r.location == "/console"
    r = client.post(
        "/v1/auth/sso/saml/token",
        json={"code": "lsc_" + "x" * 43, "codeVerifier": pkce()[0], "redirectUri": CALLBACK},
    )
    assert r.status_code == 401
