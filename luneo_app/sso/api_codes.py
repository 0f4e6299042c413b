"""The API token pair from single sign-on, for the console SPA and command-line tools.

A client that cannot receive a console cookie starts SP-initiated sign-in with a PKCE
challenge (RFC 7636, ``S256`` only) and a ``redirect_uri``: a path of Luneo's own site or a
loopback address (``http://127.0.0.1:<port>/...``, RFC 8252 for native apps). The intent is
remembered with the AuthnRequest id, so only a response answering *that* request (never an
IdP-initiated one) leads back to the client. After the ACS has signed the member in (the
same :func:`.service.sign_in` as the console), the browser is sent to ``redirect_uri`` with
a one-time ``code`` (60 s). The client posts it with its ``code_verifier`` to
``POST /v1/auth/sso/saml/token`` and receives the access/refresh pair that password sign-in
issues (:func:`luneo_app.accounts.tokens.issue_pair`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import current_app

from ..accounts import tokens
from ..audit import record
from ..core.errors import Unauthorized, ValidationFailed
from ..extensions import db
from ..models import Account

CODE_TTL = 60
INTENT_TTL = 600  # as long as the AuthnRequest it rides on
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43,128}$")


@dataclass(frozen=True)
class ApiClientIntent:
    """Where to send the one-time code, and the PKCE challenge it must be redeemed with."""

    redirect_uri: str
    code_challenge: str
    state: str

    def dumps(self) -> str:
        return json.dumps(self.__dict__)


def _kv():  # type: ignore[no-untyped-def]
    return current_app.extensions["luneo.kv"]


def check_redirect_uri(value: str) -> str:
    """A redirect URI a code may be sent to: a path of this site, or a loopback http(s)
    address; anything else is a 422 (a code sent elsewhere could be stolen)."""
    uri = (value or "").strip()
    if len(uri) > 2048 or not uri:
        raise ValidationFailed("Give a redirect_uri.", details={"redirect_uri": "required"})
    if uri.startswith("/") and not uri.startswith("//") and "\\" not in uri:
        return uri
    parts = urlsplit(uri)
    if parts.scheme in ("http", "https") and (parts.hostname or "") in LOOPBACK_HOSTS:
        if not parts.username and not parts.password:
            return uri
    raise ValidationFailed(
        "redirect_uri must be a path of this site or a loopback address.",
        code="invalid_redirect_uri",
        details={"redirect_uri": "not allowed"},
    )


def intent(redirect_uri: str, code_challenge: str, method: str | None, state: str | None):  # type: ignore[no-untyped-def]
    """Validate what an API client asked for when it started sign-in."""
    if (method or "S256") != "S256":
        raise ValidationFailed(
            "Only the S256 code challenge method is supported.",
            details={"code_challenge_method": "S256"},
        )
    if not CHALLENGE.match(code_challenge or ""):
        raise ValidationFailed(
            "code_challenge must be a base64url SHA-256 (43 to 128 characters).",
            details={"code_challenge": "invalid"},
        )
    return ApiClientIntent(check_redirect_uri(redirect_uri), code_challenge, (state or "")[:512])


def remember(request_id: str, client: ApiClientIntent) -> None:
    _kv().set_if_absent(f"luneo:saml-client:{request_id}", client.dumps(), INTENT_TTL)


def intent_for(request_id: str | None) -> ApiClientIntent | None:
    """The API client that started the sign-in a response answers (once), if any."""
    if not request_id:
        return None
    raw = _kv().take(f"luneo:saml-client:{request_id}")
    return ApiClientIntent(**json.loads(raw)) if raw else None


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def issue_code(account: Account, client: ApiClientIntent) -> str:
    """The URL to send the browser to: ``redirect_uri`` with a one-time code (and state)."""
    code = "lsc_" + secrets.token_urlsafe(32)
    grant = {
        "account": account.id,
        "brand": account.brand_id,
        "authTime": int(datetime.now(UTC).timestamp()),
        "challenge": client.code_challenge,
        "redirectUri": client.redirect_uri,
    }
    _kv().set_if_absent(f"luneo:saml-code:{_hash(code)}", json.dumps(grant), CODE_TTL)
    parts = urlsplit(client.redirect_uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query.append(("code", code))
    if client.state:
        query.append(("state", client.state))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def exchange(code: str, code_verifier: str, redirect_uri: str, address: str) -> tokens.TokenPair:
    """Redeem a one-time code for the token pair. The code is used up by the first try,
    right or wrong; an unknown, expired or used code, a verifier that does not match the
    challenge, another redirect URI, or a member no longer active is a 401. Commits."""
    refused = Unauthorized(
        "This sign-in code is not valid (unknown, expired or used).", code="invalid_sso_code"
    )
    if not isinstance(code, str) or not code.startswith("lsc_") or len(code) > 100:
        raise refused
    raw = _kv().take(f"luneo:saml-code:{_hash(code)}")
    if raw is None:
        raise refused
    grant = json.loads(raw)
    verifier_ok = isinstance(code_verifier, str) and 43 <= len(code_verifier) <= 128
    if not verifier_ok or not hmac.compare_digest(_s256(code_verifier), grant["challenge"]):
        raise Unauthorized("The code verifier does not match.", code="invalid_sso_code")
    if redirect_uri != grant["redirectUri"]:
        raise Unauthorized("The redirect URI does not match.", code="invalid_sso_code")
    account = db.session.get(Account, grant["account"])
    if account is None or account.brand_id != grant["brand"] or account.status != "active":
        raise Unauthorized("This account cannot sign in.", code="session_ended")
    pair = tokens.issue_pair(account, datetime.fromtimestamp(grant["authTime"], UTC))
    record(
        "auth.token_issued",
        actor=f"account:{account.id}",
        brand_id=account.brand_id,
        target_type="account",
        target_id=account.id,
        details={"method": "saml", "address": address},
    )
    db.session.commit()
    return pair
