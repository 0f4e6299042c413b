"""``/v1/auth/sso/saml``: SP metadata per realm, SP-initiated sign-in, and the ACS that
signs a brand member in to the console (or hands a staff member to the support console)."""

from __future__ import annotations

import time

from apiflask import APIBlueprint, Schema
from apiflask.fields import String
from flask import Response, redirect, request
from sqlalchemy import select

from ..accounts.routes import TokenPairOut
from ..accounts.service import find_by_email
from ..accounts.throttle import client_address
from ..console import session as console_session
from ..core.errors import LuneoError, NotFound
from ..extensions import db
from ..models import Brand, SamlIdentityProvider
from . import api_codes, refusals, saml, service, staff

bp = APIBlueprint("sso", __name__, url_prefix="/v1/auth/sso/saml", tag="Single sign-on")

XML = "application/samlmetadata+xml"


@bp.errorhandler(LuneoError)
def _refused(exc: LuneoError):  # type: ignore[no-untyped-def]
    """Refusals seen in a browser (the IdP's form posts to the ACS) get a page."""
    return refusals.answer(exc)


def _find_realm(key: str) -> saml.Realm | None:
    return staff.realm() if key == staff.STAFF else service.brand_realm(key)


def _realms_of_issuer(issuer: str) -> list[str]:
    """Realms whose IdP is ``issuer`` (tried for an encrypted IdP-initiated assertion)."""
    rows = db.session.execute(
        select(SamlIdentityProvider.realm, SamlIdentityProvider.brand_id)
        .where(SamlIdentityProvider.idp_entity_id == issuer, SamlIdentityProvider.enabled)
        .order_by(SamlIdentityProvider.id)
    ).all()
    return [staff.STAFF if realm == staff.STAFF else str(brand) for realm, brand in rows]


@bp.get("/metadata/<realm_key>")
@bp.doc(
    summary="SAML service provider metadata",
    description="The SP metadata of a brand (`realm_key` = brand id) or of Luneo staff "
    "(`staff`): entity id (the Audience the IdP must use), the ACS "
    "`POST /v1/auth/sso/saml/callback`, name id formats. Give its URL to the IdP.",
    responses={200: "SAML metadata XML", 404: "Unknown brand"},
)
def metadata(realm_key: str) -> Response:
    if realm_key != staff.STAFF:
        brand = db.session.get(Brand, realm_key)
        if brand is None or brand.kind != "api":
            raise NotFound("No such brand.")
    return Response(saml.sp_metadata(realm_key), mimetype=XML)


def _next(value: str | None) -> str:
    return console_session.safe_next(value, "/console")


class LoginQuery(Schema):
    next = String(load_default=None, metadata={"description": "Console path after sign-in"})
    redirect_uri = String(
        load_default=None,
        metadata={
            "description": "API clients (console SPA, CLI): where to send the one-time "
            "`code` — a path of this site or a loopback `http://127.0.0.1:<port>/...`. "
            "Needs `code_challenge`."
        },
    )
    code_challenge = String(
        load_default=None, metadata={"description": "PKCE challenge: base64url SHA-256"}
    )
    code_challenge_method = String(load_default="S256", metadata={"description": "S256 only"})
    state = String(load_default=None, metadata={"description": "Returned with the code"})


class DiscoverQuery(LoginQuery):
    email = String(required=True, metadata={"example": "ada@acme.test"})


class CodeIn(Schema):
    code = String(required=True, metadata={"description": "The one-time `lsc_...` code"})
    codeVerifier = String(required=True, metadata={"description": "PKCE verifier"})  # noqa: N815
    redirectUri = String(required=True, metadata={"description": "As given at login"})  # noqa: N815


def _start(realm: saml.Realm, query: dict) -> Response:
    """Redirect to the IdP; an API client's PKCE intent rides on the AuthnRequest id."""
    if query.get("redirect_uri") is None and query.get("code_challenge") is None:
        return redirect(saml.start_login(realm, _next(query.get("next"))))
    client = api_codes.intent(
        query.get("redirect_uri") or "",
        query.get("code_challenge") or "",
        query.get("code_challenge_method"),
        query.get("state"),
    )
    return redirect(
        saml.start_login(realm, None, lambda request_id: api_codes.remember(request_id, client))
    )


@bp.get("/login/<brand_id>")
@bp.input(LoginQuery, location="query", arg_name="query")
@bp.doc(
    summary="Start single sign-on for a brand",
    description="Redirects (302) to the brand's IdP with a SAML AuthnRequest; the IdP "
    "posts its answer to the ACS, which signs in to the console and goes to `next`. "
    "API clients give `redirect_uri` and a PKCE `code_challenge` instead: the ACS then "
    "sends the browser to `redirect_uri?code=...&state=...`, and `POST "
    "/v1/auth/sso/saml/token` exchanges the code for the token pair.",
    responses={302: "To the IdP", 404: "The brand has no single sign-on"},
)
def login(brand_id: str, query: dict) -> Response:
    realm = service.brand_realm(brand_id)
    if realm is None:
        raise NotFound("This brand has no single sign-on.", code="sso_not_configured")
    return _start(realm, query)


@bp.get("/discover")
@bp.input(DiscoverQuery, location="query", arg_name="query")
@bp.doc(
    summary="Start single sign-on from an email address",
    description="Finds the brand of the account with this email and redirects to its IdP. "
    "404 `sso_not_configured` when the address has no account in a brand with single "
    "sign-on (the console then asks for the password).",
    responses={302: "To the IdP", 404: "No single sign-on for this address"},
)
def discover(query: dict) -> Response:
    email = (query.get("email") or "").strip().lower()[:320]
    account = find_by_email(email) if "@" in email else None
    realm = service.brand_realm(account.brand_id) if account is not None else None
    if realm is None:
        raise NotFound("There is no single sign-on for this address.", code="sso_not_configured")
    return _start(realm, query)


@bp.get("/staff/login")
@bp.doc(
    summary="Start single sign-on for Luneo staff",
    description="Redirects to the staff IdP; after the ACS the support console receives "
    "a one-time ticket.",
    responses={302: "To the staff IdP", 404: "No staff IdP"},
)
def staff_login() -> Response:
    realm = staff.realm()
    if realm is None:
        raise NotFound("Staff single sign-on is not set up.", code="sso_not_configured")
    target = request.args.get("next") or "/support"
    relay = target if target.startswith("/") and not target.startswith("//") else "/support"
    return redirect(saml.start_login(realm, relay))


@bp.post("/callback")
@bp.doc(
    summary="Assertion consumer service (ACS)",
    description="The IdP posts `SAMLResponse` (and `RelayState`) here, SP- or IdP-initiated. "
    "The realm is the one named by the signed Audience. Checked: the IdP's signature on the "
    "response or the assertion, audience, destination and recipient, `NotBefore`/"
    "`NotOnOrAfter` (with `SAML_CLOCK_SKEW`), `InResponseTo` against our requests, and each "
    "assertion id once. A brand member gets a console session (created just in time when "
    "the brand allows) and is redirected to `RelayState` or `/console`.",
    responses={
        302: "Signed in",
        401: "Refused assertion (signature, audience, time, replay, unknown IdP)",
        403: "Account of another brand, deactivated, or no account and no role to give",
    },
)
def callback() -> Response:
    verified = saml.verify_response(
        request.form.get("SAMLResponse", ""),
        request.form.get("RelayState"),
        _find_realm,
        _realms_of_issuer,
    )
    address = client_address()
    if verified.realm_key == staff.STAFF:
        user = staff.sign_in(verified, address)
        return redirect(staff.issue_ticket(user, verified.relay_state))
    client = api_codes.intent_for(verified.in_response_to)
    done = service.sign_in(verified, address)
    if client is not None:
        return redirect(api_codes.issue_code(done.account, client))
    console_session.start(done.account, time.time())
    return redirect(_next(verified.relay_state))


@bp.post("/token")
@bp.input(CodeIn, arg_name="body")
@bp.output(TokenPairOut)
@bp.doc(
    summary="Exchange a single sign-on code for the token pair",
    description="The one-time code (60 s) that SP-initiated sign-in with `redirect_uri` "
    "and `code_challenge` delivered, with its PKCE `codeVerifier` and the same "
    "`redirectUri`: the same 15-minute access token and 7-day refresh token as "
    "`POST /v1/auth/login`. The code is used up by the first attempt.",
    responses={401: "Unknown, expired or used code, or a verifier that does not match"},
)
def token(body: dict):  # type: ignore[no-untyped-def]
    return api_codes.exchange(
        body["code"], body["codeVerifier"], body["redirectUri"], client_address()
    ).as_json()
