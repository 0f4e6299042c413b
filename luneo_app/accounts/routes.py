"""``/v1/auth/...``: the JSON token pair for API clients, sign-up, verification and reset;
``/v1/brands/{id}/data``: the owner's erasure of the brand."""

from __future__ import annotations

from apiflask import APIBlueprint, Schema
from apiflask.fields import Boolean, DateTime, Integer, String
from flask import current_app, g

from ..auth.principal import authenticate
from ..core.clock import utcnow
from ..core.errors import Forbidden
from ..extensions import db
from ..models import Account, Brand
from . import erasure, service, tokens
from .throttle import client_address

bp = APIBlueprint("auth_api", __name__, url_prefix="/v1/auth", tag="Accounts")
data_bp = APIBlueprint("brand_data", __name__, url_prefix="/v1/brands", tag="Brand data")


class LoginIn(Schema):
    email = String(required=True, metadata={"example": "owner@acme.test"})
    password = String(required=True)
    totp = String(
        load_default=None, metadata={"description": "Two-factor code or a recovery code."}
    )


class TokenPairOut(Schema):
    accessToken = String(metadata={"description": "JWT, 15 minutes"})  # noqa: N815
    refreshToken = String(metadata={"description": "Single use, 7 days, rotating"})  # noqa: N815
    tokenType = String()  # noqa: N815
    expiresIn = Integer()  # noqa: N815


class RefreshIn(Schema):
    refreshToken = String(required=True)  # noqa: N815


class SignUpIn(Schema):
    brandName = String(required=True, metadata={"example": "Acme Engraving"})  # noqa: N815
    email = String(required=True)
    password = String(required=True, metadata={"description": "10 to 256 characters"})


class SignUpOut(Schema):
    brandId = String()  # noqa: N815
    accountId = String()  # noqa: N815
    emailVerified = Boolean()  # noqa: N815
    verificationSent = Boolean()  # noqa: N815


class TokenIn(Schema):
    token = String(required=True, metadata={"description": "The token of the emailed link"})


class EmailIn(Schema):
    email = String(required=True)


class ResetIn(Schema):
    token = String(required=True)
    password = String(required=True)


class ErasureOut(Schema):
    brandId = String()  # noqa: N815
    erasureDueAt = DateTime(allow_none=True)  # noqa: N815


@bp.post("/login")
@bp.input(LoginIn, arg_name="body")
@bp.output(TokenPairOut)
@bp.doc(
    summary="Sign in",
    description="Email and password (and the two-factor code when it is on) for a 15-minute "
    "access token and a 7-day refresh token. Unknown email and wrong password give the same "
    "401; repeated failures earn growing waits (429 with `Retry-After`).",
    responses={401: "Wrong email, password or code", 429: "Too many failed attempts"},
)
def login(body: dict):  # type: ignore[no-untyped-def]
    """The token pair of an API client."""
    done = service.sign_in(body["email"], body["password"], body.get("totp"), client_address())
    pair = tokens.issue_pair(done.account, done.auth_time)
    db.session.commit()
    return pair.as_json()


@bp.post("/refresh")
@bp.input(RefreshIn, arg_name="body")
@bp.output(TokenPairOut)
@bp.doc(
    summary="Rotate the refresh token",
    description="Uses up the refresh token and returns a new pair. A token used twice "
    "revokes every token of its sign-in.",
    responses={401: "Unknown, expired or reused refresh token"},
)
def refresh(body: dict):  # type: ignore[no-untyped-def]
    return tokens.rotate(body["refreshToken"], client_address()).as_json()


@bp.post("/logout")
@bp.input(RefreshIn, arg_name="body")
@bp.output({}, status_code=204)
@bp.doc(summary="Sign out", description="Revokes the refresh token's whole sign-in.")
def logout(body: dict):  # type: ignore[no-untyped-def]
    tokens.revoke(body["refreshToken"])
    return ""


@bp.post("/signup")
@bp.input(SignUpIn, arg_name="body")
@bp.output(SignUpOut, status_code=201)
@bp.doc(
    summary="Create a brand and its owner",
    description="Mails a verification link. Until it is opened the brand cannot use the API "
    "and its AI budget is 0. Limited per client address.",
    responses={409: "The email cannot be used", 429: "Too many sign-ups from this address"},
)
def signup(body: dict):  # type: ignore[no-untyped-def]
    done = service.sign_up(body["brandName"], body["email"], body["password"], client_address())
    return {
        "brandId": done.account.brand_id,
        "accountId": done.account.id,
        "emailVerified": False,
        "verificationSent": done.mailed,
    }


@bp.post("/verify-email")
@bp.input(TokenIn, arg_name="body")
@bp.output(SignUpOut)
@bp.doc(summary="Verify an email address", responses={400: "Bad or expired link"})
def verify_email(body: dict):  # type: ignore[no-untyped-def]
    account = service.verify_email(body["token"])
    return {"brandId": account.brand_id, "accountId": account.id, "emailVerified": True}


@bp.post("/password-reset")
@bp.input(EmailIn, arg_name="body")
@bp.output({}, status_code=202)
@bp.doc(
    summary="Ask for a password reset link",
    description="Always 202, whether or not the address has an account.",
)
def password_reset(body: dict):  # type: ignore[no-untyped-def]
    service.request_password_reset(body["email"])
    return ""


@bp.post("/password-reset/confirm")
@bp.input(ResetIn, arg_name="body")
@bp.output({}, status_code=204)
@bp.doc(summary="Set a new password from a reset link", responses={400: "Bad or used link"})
def password_reset_confirm(body: dict):  # type: ignore[no-untyped-def]
    service.reset_password(body["token"], body["password"])
    return ""


def _recent_owner() -> Account:
    """The signed-in owner, re-authenticated within ``REAUTH_MAX_AGE`` (never an API key)."""
    principal = authenticate()
    if principal.kind != "user":
        raise Forbidden(
            "Only the brand's owner, signed in, may do this; API keys may not.",
            code="user_sign_in_required",
        )
    account = db.session.get(Account, principal.subject)
    if account is None or not principal.can("brand:erase"):
        raise Forbidden("Only the brand's owner may erase its data.", code="insufficient_scope")
    age = utcnow().timestamp() - int(principal.claims.get("auth_time", 0))
    if age > int(current_app.config["REAUTH_MAX_AGE"]):
        raise Forbidden(
            "Sign in again (password and code) within the last minutes to do this.",
            code="reauth_required",
        )
    return account


@data_bp.delete("/<brand_id>/data")
@data_bp.doc(security="BearerAuth")
@data_bp.output(ErasureOut, status_code=202)
@data_bp.doc(
    summary="Erase every datum of the brand",
    description="Owner only, with a user access token from a sign-in of the last "
    "`REAUTH_MAX_AGE` seconds (API keys are refused). The erasure runs after "
    "`BRAND_ERASURE_DELAY_HOURS` unless cancelled; it removes every row and file of the brand "
    "and keeps an audit record.",
    responses={403: "Not the owner, an API key, or the sign-in is too old", 404: "Other brand"},
)
def erase(brand_id: str):  # type: ignore[no-untyped-def]
    due = erasure.schedule(_recent_owner(), brand_id)
    return {"brandId": brand_id, "erasureDueAt": due}


@data_bp.post("/<brand_id>/data/erasure/cancel")
@data_bp.doc(security="BearerAuth")
@data_bp.output(ErasureOut)
@data_bp.doc(summary="Cancel a scheduled erasure", responses={409: "None is scheduled"})
def cancel_erasure(brand_id: str):  # type: ignore[no-untyped-def]
    erasure.cancel(_recent_owner(), brand_id)
    brand = db.session.get(Brand, brand_id)
    g.brand = brand
    return {"brandId": brand_id, "erasureDueAt": None}
