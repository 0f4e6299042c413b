"""``/v1/auth/sso/saml``: SP metadata per realm, SP-initiated sign-in, and the ACS that
signs a brand member in to the console (or hands a staff member to the support console)."""

from __future__ import annotations

import time

from apiflask import APIBlueprint
from flask import Response, redirect, request

from ..accounts.service import find_by_email
from ..accounts.throttle import client_address
from ..console import session as console_session
from ..core.errors import NotFound
from ..extensions import db
from ..models import Brand
from . import saml, service, staff

bp = APIBlueprint("sso", __name__, url_prefix="/v1/auth/sso/saml", tag="Single sign-on")

XML = "application/samlmetadata+xml"


def _find_realm(key: str) -> saml.Realm | None:
    return staff.realm() if key == staff.STAFF else service.brand_realm(key)


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


@bp.get("/login/<brand_id>")
@bp.doc(
    summary="Start single sign-on for a brand",
    description="Redirects (302) to the brand's IdP with a SAML AuthnRequest; the IdP "
    "posts its answer to the ACS, which signs in to the console and goes to `next`.",
    responses={302: "To the IdP", 404: "The brand has no single sign-on"},
)
def login(brand_id: str) -> Response:
    realm = service.brand_realm(brand_id)
    if realm is None:
        raise NotFound("This brand has no single sign-on.", code="sso_not_configured")
    return redirect(saml.start_login(realm, _next(request.args.get("next"))))


@bp.get("/discover")
@bp.doc(
    summary="Start single sign-on from an email address",
    description="Finds the brand of the account with this email and redirects to its IdP. "
    "404 `sso_not_configured` when the address has no account in a brand with single "
    "sign-on (the console then asks for the password).",
    responses={302: "To the IdP", 404: "No single sign-on for this address"},
)
def discover() -> Response:
    email = (request.args.get("email") or "").strip().lower()[:320]
    account = find_by_email(email) if "@" in email else None
    realm = service.brand_realm(account.brand_id) if account is not None else None
    if realm is None:
        raise NotFound("There is no single sign-on for this address.", code="sso_not_configured")
    return redirect(saml.start_login(realm, _next(request.args.get("next"))))


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
        request.form.get("SAMLResponse", ""), request.form.get("RelayState"), _find_realm
    )
    address = client_address()
    if verified.realm_key == staff.STAFF:
        user = staff.sign_in(verified, address)
        return redirect(staff.issue_ticket(user, verified.relay_state))
    done = service.sign_in(verified, address)
    console_session.start(done.account, time.time())
    return redirect(_next(verified.relay_state))
