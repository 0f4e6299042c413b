"""What a person sees when single sign-on refuses them in a browser.

The ACS is reached by the IdP's auto-posting form, so its refusals land in a browser tab:
those requests (``Accept`` preferring HTML) get a page with the reason in plain words,
what to do, and a way back; API callers (``Accept: application/json``, or no preference)
keep the uniform JSON error. The status code is the same either way.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template, request, url_for

from ..admin.assets import asset_url
from ..core.errors import LuneoError
from ..extensions import db
from ..web_errors import error_response


@dataclass(frozen=True)
class Explanation:
    title: str
    text: str
    advice: str


_IDP_ADMIN = "If it keeps happening, send the reference below to your identity provider's admin."
EXPLANATIONS = {
    "saml_expired": Explanation(
        "This sign-in has expired",
        "The answer from your identity provider arrived after it stopped being valid.",
        "Start again from Luneo. If it happens every time, check that your computer's "
        "clock is right.",
    ),
    "saml_replayed": Explanation(
        "This sign-in was already used",
        "Each answer from your identity provider signs in once. This one was used before, "
        "perhaps after going back or reloading the page.",
        "Start again from Luneo.",
    ),
    "saml_unsolicited": Explanation(
        "Luneo did not start this sign-in",
        "This answer does not match a sign-in started here, or it was already used.",
        "Start again from Luneo.",
    ),
    "saml_wrong_audience": Explanation(
        "This sign-in was meant for another application",
        "Your identity provider sent an answer that is not addressed to Luneo.",
        "Your admin should check the Audience (Entity ID) of the Luneo app in the identity "
        "provider: it is shown on Luneo's single sign-on settings page.",
    ),
    "saml_wrong_recipient": Explanation(
        "This sign-in was sent to the wrong address",
        "Your identity provider addressed its answer to another reply URL.",
        "Your admin should set the ACS (reply) URL shown on Luneo's single sign-on page.",
    ),
    "saml_bad_signature": Explanation(
        "Luneo could not verify your identity provider",
        "The answer is not signed by the identity provider your brand set up.",
        "Your admin may need to update the identity provider's metadata in Luneo. " + _IDP_ADMIN,
    ),
    "saml_weak_signature": Explanation(
        "Your identity provider uses an outdated signature",
        "The answer is signed with SHA-1, which Luneo no longer accepts.",
        "Your admin should set the Luneo app to sign with RSA-SHA256 (SHA-256 digest).",
    ),
    "saml_unknown_idp": Explanation(
        "Single sign-on is not set up for this",
        "Luneo has no identity provider set up for this sign-in.",
        "Sign in with your email and password, or ask your admin to set up single sign-on.",
    ),
    "sso_not_configured": Explanation(
        "Single sign-on is not set up",
        "There is no single sign-on for this address or brand.",
        "Sign in with your email and password instead.",
    ),
    "sso_wrong_brand": Explanation(
        "This account belongs to another brand",
        "Your identity provider can sign in only the people of its own brand.",
        "Sign in from your own brand's identity provider, or with your password.",
    ),
    "sso_no_account": Explanation(
        "You have no account in this brand yet",
        "Your identity provider vouched for you, but this brand does not create accounts "
        "automatically for your groups.",
        "Ask the brand's admin to invite you or to add you to a mapped group.",
    ),
    "account_deactivated": Explanation(
        "This account is deactivated",
        "Your brand's identity provider turned this account off.",
        "Ask your admin to reactivate it.",
    ),
    "saml_no_email": Explanation(
        "Your identity provider did not send an email address",
        "Luneo needs an email address to know who you are.",
        "Your admin should send the email attribute (or an email name id) to Luneo.",
    ),
    "saml_idp_error": Explanation(
        "Your identity provider refused the sign-in",
        "The identity provider answered, but did not sign you in.",
        "Try again; if it keeps failing, ask your identity provider's admin.",
    ),
}
FALLBACK = Explanation(
    "Single sign-on did not work",
    "Luneo could not accept the answer from your identity provider.",
    "Start again from Luneo. " + _IDP_ADMIN,
)


def wants_page() -> bool:
    """A browser (HTML preferred over JSON); clients without a preference get JSON."""
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "text/html"
        and request.accept_mimetypes["text/html"] > (request.accept_mimetypes["application/json"])
    )


def _staff() -> bool:
    relay = request.form.get("RelayState") or request.args.get("next") or ""
    return request.path.endswith("/staff/login") or relay.startswith("/support")


def answer(exc: LuneoError):  # type: ignore[no-untyped-def]
    """The refusal: a page for a browser, the JSON error otherwise (after a rollback)."""
    if not wants_page():
        return error_response(exc.status, exc.message, exc.code, exc.details)
    db.session.rollback()
    explanation = EXPLANATIONS.get(exc.code or "", FALLBACK)
    if _staff():
        back = ("Back to staff sign-in", "/support/login")
    else:
        back = ("Back to sign-in", url_for("console_auth.login"))
    body = render_template(
        "sso/refused.html",
        explanation=explanation,
        message=exc.message,
        code=exc.code,
        status=exc.status,
        back=back,
        asset_url=asset_url,
    )
    return body, exc.status, {"Cache-Control": "no-store"}
