"""SAML 2.0 service provider, shared by brands and Luneo staff: SP metadata, the
AuthnRequest of an SP-initiated sign-in, and the verification of the IdP's response.

Every XML signature, audience, recipient, destination and time check is pysaml2's (with
Debian's ``xmlsec1``); this module adds what pysaml2 leaves to its caller: choosing the
realm from the assertion's audience, ``InResponseTo`` against the requests we issued (kept
in the shared key-value store), the single use of each assertion id, and reading the
attributes of the verified assertion. Callers get a frozen :class:`VerifiedAssertion`.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from flask import current_app
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NAMEID_FORMAT_UNSPECIFIED
from saml2.sigver import SignatureError
from saml2.validate import ResponseLifetimeExceed, ToEarly
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from ..core.errors import LuneoError
from . import sp_keys

log = logging.getLogger("luneo.sso")

SAML_NS = "urn:oasis:names:tc:SAML:2.0:assertion"
PROTOCOL_NS = "urn:oasis:names:tc:SAML:2.0:protocol"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
MAX_RESPONSE_BYTES = 256 * 1024
REQUEST_TTL = 600  # seconds an SP-initiated sign-in may take at the IdP


class SamlRefused(LuneoError):
    """A SAML response Luneo does not accept (signature, audience, time, replay ...)."""

    status = 401
    code = "saml_refused"


@dataclass(frozen=True)
class Realm:
    """Who a SAML conversation signs in to: a brand (``key`` = brand id) or ``staff``."""

    key: str
    idp_metadata_xml: str
    idp_entity_id: str

    @property
    def sp_entity_id(self) -> str:
        return sp_entity_id(self.key)


@dataclass(frozen=True)
class VerifiedAssertion:
    """What a verified assertion says: the IdP, the subject, the attributes (each a list of
    strings, by name and by friendly name), and whether we asked for it."""

    realm_key: str
    issuer: str
    name_id: str
    name_id_format: str
    assertion_id: str
    in_response_to: str | None
    relay_state: str | None
    attributes: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def first(self, name: str | None) -> str | None:
        values = self.attributes.get(name or "", ())
        return values[0].strip() if values and values[0].strip() else None

    def all(self, name: str | None) -> tuple[str, ...]:
        return self.attributes.get(name or "", ())


def _app_url() -> str:
    return str(current_app.config["APP_URL"]).rstrip("/")


def sp_entity_id(realm_key: str) -> str:
    """The SP entity id (and metadata URL) of a realm: the Audience IdPs put in assertions."""
    return f"{_app_url()}/v1/auth/sso/saml/metadata/{realm_key}"


def acs_url() -> str:
    """The one assertion consumer service of every realm."""
    return f"{_app_url()}/v1/auth/sso/saml/callback"


@contextmanager
def _config(realm: Realm | None, key: str) -> Iterator[SPConfig]:
    """pysaml2's SP settings for a realm, with the realm's key pair on disk while in use
    (it signs our AuthnRequests and decrypts encrypted assertions)."""
    with sp_keys.files(sp_keys.key_pair(key)) as keys:
        sp: dict[str, Any] = {
            "endpoints": {"assertion_consumer_service": [(acs_url(), BINDING_HTTP_POST)]},
            # IdP-initiated sign-in is allowed; an InResponseTo is still checked below.
            "allow_unsolicited": True,
            "want_response_signed": False,
            "want_assertions_signed": False,
            "want_assertions_or_response_signed": True,
            "authn_requests_signed": True,
            "name_id_format": [NAMEID_FORMAT_EMAILADDRESS, NAMEID_FORMAT_UNSPECIFIED],
            "name_id_format_allow_create": True,
            # pysaml2 reads the algorithms per service; at the top level they are ignored
            # (and it would sign our requests with SHA-1).
            "signing_algorithm": SIG_RSA_SHA256,
            "digest_algorithm": DIGEST_SHA256,
        }
        settings: dict[str, Any] = {
            "entityid": sp_entity_id(key),
            "xmlsec_binary": current_app.config["SAML_XMLSEC_BINARY"],
            "accepted_time_diff": int(current_app.config["SAML_CLOCK_SKEW"]),
            "allow_unknown_attributes": True,
            "key_file": keys.key_file,
            "cert_file": keys.cert_file,
            "encryption_keypairs": [{"key_file": keys.key_file, "cert_file": keys.cert_file}],
            "service": {"sp": sp},
        }
        if realm is not None:
            settings["metadata"] = {"inline": [realm.idp_metadata_xml]}
        config = SPConfig()
        config.load(settings)
        yield config


def sp_metadata(realm_key: str) -> str:
    """The SP metadata XML of a realm: entity id, ACS, name id formats, and the SP
    certificate for signing (our AuthnRequests are signed) and for encryption."""
    with _config(None, realm_key) as config:
        descriptor = entity_descriptor(config)
    # pysaml2 advertises every algorithm xmlsec1 knows (md5, sha1 ...) and IdPs that read
    # the list pick the first they share: advertise only the ones Luneo accepts.
    strong = STRONG_SIGNATURES | STRONG_DIGESTS
    if descriptor.extensions is not None:
        descriptor.extensions.extension_elements = [
            element
            for element in descriptor.extensions.extension_elements
            if element.attributes.get("Algorithm", next(iter(strong))) in strong
        ]
    return str(descriptor)


def _kv():  # type: ignore[no-untyped-def]
    return current_app.extensions["luneo.kv"]


def start_login(
    realm: Realm, relay_state: str | None, issued: Callable[[str], None] | None = None
) -> str:
    """An SP-initiated sign-in: the URL of the IdP with our AuthnRequest (HTTP-Redirect).

    The request id is remembered for ``REQUEST_TTL`` seconds; the response must answer it.
    ``issued(request_id)`` lets the caller keep its own state with the request.
    """
    with _config(realm, realm.key) as config:
        request_id, info = Saml2Client(config=config).prepare_for_authenticate(
            entityid=realm.idp_entity_id,
            relay_state=relay_state or "",
            binding=BINDING_HTTP_REDIRECT,
            sign=True,
            sigalg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
    _kv().set_if_absent(f"luneo:saml-request:{request_id}", realm.key, REQUEST_TTL)
    if issued is not None:
        issued(request_id)
    return dict(info["headers"])["Location"]


def _decode(saml_response: str) -> bytes:
    if not isinstance(saml_response, str) or not saml_response.strip():
        raise SamlRefused("The SAML response is missing.", code="saml_response_missing")
    if len(saml_response) > MAX_RESPONSE_BYTES * 4 // 3 + 4:
        raise SamlRefused("The SAML response is too large.", code="saml_response_too_large")
    try:
        return base64.b64decode(saml_response.strip(), validate=False)
    except (binascii.Error, ValueError) as exc:
        raise SamlRefused("The SAML response is not base64.", code="saml_malformed") from exc


@dataclass(frozen=True)
class Envelope:
    """What the unencrypted part of a response says, read without trusting it."""

    audiences: list[str]
    in_response_to: str | None
    destination: str | None
    issuer: str
    encrypted: bool


def envelope(xml: bytes) -> Envelope:
    """The Audience values, InResponseTo, Destination and Issuer of a response, and whether
    it carries an encrypted assertion, read with defusedxml, which refuses entity
    declarations (XML bombs, external entities)."""
    try:
        root = fromstring(xml, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise SamlRefused("The SAML response declares entities.", code="saml_malformed") from exc
    except Exception as exc:  # noqa: BLE001 - any parse error of hostile input is a 401
        raise SamlRefused(
            "The SAML response is not well-formed XML.", code="saml_malformed"
        ) from exc
    if root.tag != f"{{{PROTOCOL_NS}}}Response":
        raise SamlRefused("This is not a SAML response.", code="saml_malformed")
    found = [
        (node.text or "").strip()
        for node in root.iter(f"{{{SAML_NS}}}Audience")
        if (node.text or "").strip()
    ]
    issuer = root.find(f"{{{SAML_NS}}}Issuer")
    return Envelope(
        audiences=found,
        in_response_to=root.get("InResponseTo"),
        destination=root.get("Destination"),
        issuer=((issuer.text or "").strip() if issuer is not None else "")[:1024],
        encrypted=root.find(f"{{{SAML_NS}}}EncryptedAssertion") is not None,
    )


# Signatures and digests Luneo accepts; SHA-1 (rsa-sha1, dsa-sha1, sha1 digests) can be
# forged by collision and is refused even when it verifies.
STRONG_SIGNATURES = {
    SIG_RSA_SHA256,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
}
STRONG_DIGESTS = {
    DIGEST_SHA256,
    "http://www.w3.org/2001/04/xmldsig-more#sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512",
}
WEAK_REFUSAL = (
    "The SAML response is signed with SHA-1, which Luneo refuses: set the identity "
    "provider to sign with RSA-SHA256 and a SHA-256 digest."
)


def refuse_weak_signatures(xml: bytes) -> None:
    """401 ``saml_weak_signature`` when any XML signature of the (unencrypted part of the)
    response uses a signature method or digest outside :data:`STRONG_SIGNATURES` /
    :data:`STRONG_DIGESTS`. Read with defusedxml, before any cryptography is done."""
    root = fromstring(xml, forbid_dtd=True)
    for signature in root.iter(f"{{{DS_NS}}}Signature"):
        info = signature.find(f"{{{DS_NS}}}SignedInfo")
        methods = [] if info is None else info.findall(f"{{{DS_NS}}}SignatureMethod")
        digests = [] if info is None else info.iter(f"{{{DS_NS}}}DigestMethod")
        if any(m.get("Algorithm") not in STRONG_SIGNATURES for m in methods) or any(
            d.get("Algorithm") not in STRONG_DIGESTS for d in digests
        ):
            raise SamlRefused(WEAK_REFUSAL, code="saml_weak_signature")


def _refuse_weak(signature: Any) -> None:
    """The same check on a parsed (decrypted) pysaml2 signature."""
    if signature is None or signature.signed_info is None:
        return
    info = signature.signed_info
    method = info.signature_method.algorithm if info.signature_method else None
    digests = [r.digest_method.algorithm for r in info.reference or [] if r.digest_method]
    if method not in STRONG_SIGNATURES or any(d not in STRONG_DIGESTS for d in digests):
        raise SamlRefused(WEAK_REFUSAL, code="saml_weak_signature")


def realm_key_of(audience: str) -> str | None:
    """The realm an Audience names when it is one of our SP entity ids."""
    prefix = sp_entity_id("")
    if audience.startswith(prefix):
        key = audience[len(prefix) :]
        if key and "/" not in key:
            return key
    return None


MAX_CANDIDATES = 20


def verify_response(
    saml_response: str,
    relay_state: str | None,
    find_realm: Callable[[str], Realm | None],
    realms_of_issuer: Callable[[str], list[str]] = lambda issuer: [],
) -> VerifiedAssertion:
    """Verify a base64 ``SAMLResponse`` posted to the ACS and return what it asserts.

    The realm is the one named by the assertion's Audience (``find_realm(key)``, None when
    unknown or switched off); pysaml2 then checks that realm's IdP signature (on the response
    or the assertion), the audience, destination and recipient, and ``NotBefore`` /
    ``NotOnOrAfter`` within ``SAML_CLOCK_SKEW``. An ``InResponseTo`` must name a request we
    issued for that realm (used once); each assertion id is accepted once.

    An encrypted assertion hides its Audience: the realm is then the one we sent the
    request for, or (IdP-initiated) each realm set up with the response's issuer
    (``realms_of_issuer``) in turn. Each realm decrypts with its own key only, and pysaml2
    checks the decrypted Audience against that realm, so the issuer never decides alone.
    """
    xml = _decode(saml_response)
    outer = envelope(xml)
    if outer.destination is not None and outer.destination != acs_url():
        raise SamlRefused(
            "The SAML response was sent to another address.", code="saml_wrong_recipient"
        )
    refuse_weak_signatures(xml)
    keys = _candidates(outer, realms_of_issuer)
    last: SamlRefused | None = None
    for key in keys:
        try:
            return _verify_for(key, xml, outer.in_response_to, relay_state, find_realm)
        except SamlRefused as exc:
            if len(keys) == 1:
                raise
            last = exc
    raise last or SamlRefused(
        "Single sign-on is not set up for this identity provider.", code="saml_unknown_idp"
    )


def _candidates(outer: Envelope, realms_of_issuer: Callable[[str], list[str]]) -> list[str]:
    keys = {key for key in (realm_key_of(a) for a in outer.audiences) if key}
    if keys or not outer.encrypted:
        if len(keys) != 1:
            raise SamlRefused(
                "The assertion is not addressed to Luneo.", code="saml_wrong_audience"
            )
        return [keys.pop()]
    if outer.in_response_to:
        owner = _kv().get(f"luneo:saml-request:{outer.in_response_to}")
        if owner is None:
            raise SamlRefused(
                "This response answers no sign-in we started (or it was used already).",
                code="saml_unsolicited",
            )
        return [owner]
    return realms_of_issuer(outer.issuer)[:MAX_CANDIDATES] if outer.issuer else []


def _verify_for(
    key: str,
    xml: bytes,
    in_response_to: str | None,
    relay_state: str | None,
    find_realm: Callable[[str], Realm | None],
) -> VerifiedAssertion:
    realm = find_realm(key)
    if realm is None:
        raise SamlRefused(
            "Single sign-on is not set up for this audience.", code="saml_unknown_idp"
        )
    outstanding: dict[str, str] = {}
    if in_response_to:
        owner = _kv().get(f"luneo:saml-request:{in_response_to}")
        if owner != key:
            raise SamlRefused(
                "This response answers no sign-in we started (or it was used already).",
                code="saml_unsolicited",
            )
        outstanding[in_response_to] = relay_state or ""
    try:
        with _config(realm, key) as config:
            response = Saml2Client(config=config).parse_authn_request_response(
                base64.b64encode(xml).decode(), BINDING_HTTP_POST, outstanding=outstanding
            )
    except (ToEarly, ResponseLifetimeExceed) as exc:
        raise SamlRefused(
            "The assertion is expired or not yet valid.", code="saml_expired"
        ) from exc
    except SignatureError as exc:
        raise SamlRefused("The SAML signature is not valid.", code="saml_bad_signature") from exc
    except Exception as exc:  # noqa: BLE001 - pysaml2 raises bare Exception for some checks
        log.info("saml response refused", extra={"reason": type(exc).__name__, "realm": key})
        raise SamlRefused(_reason(exc), code=_code(exc)) from exc
    if response is None:
        # pysaml2 answers None (and logs why) for a Destination that is not our ACS.
        raise SamlRefused(
            "The SAML response was sent to another address.", code="saml_wrong_recipient"
        )
    if response.assertion is None:
        raise SamlRefused("The SAML response carries no assertion.", code="saml_refused")
    if not response.status_ok():
        raise SamlRefused("The identity provider refused the sign-in.", code="saml_idp_error")
    assertion = response.assertion
    # An encrypted assertion's own signature is only visible once decrypted.
    _refuse_weak(assertion.signature)
    issuer = (assertion.issuer.text or "").strip() if assertion.issuer else ""
    if issuer != realm.idp_entity_id:
        raise SamlRefused("The assertion comes from another IdP.", code="saml_unknown_idp")
    _use_once(assertion)
    if in_response_to:
        _kv().delete(f"luneo:saml-request:{in_response_to}")
    name_id = response.name_id
    return VerifiedAssertion(
        realm_key=key,
        issuer=issuer,
        name_id=(name_id.text or "").strip() if name_id is not None else "",
        name_id_format=(name_id.format or "") if name_id is not None else "",
        assertion_id=assertion.id,
        in_response_to=in_response_to,
        relay_state=relay_state,
        attributes=_attributes(assertion),
    )


def _reason(exc: Exception) -> str:
    text = str(exc).lower()
    if "condition not ok" in text or "lifetime" in text or "too early" in text:
        return "The assertion is expired or not yet valid."
    if "audience" in text:
        return "The assertion is addressed to another service provider."
    if "signature" in text or "signed" in text:
        return "The SAML response is not signed by the configured identity provider."
    if "destination" in text or "recipient" in text:
        return "The SAML response was sent to another address."
    return "The SAML response is not valid."


def _code(exc: Exception) -> str:
    text = str(exc).lower()
    if "condition not ok" in text or "lifetime" in text or "too early" in text:
        return "saml_expired"
    if "audience" in text:
        return "saml_wrong_audience"
    if "signature" in text or "signed" in text:
        return "saml_bad_signature"
    if "destination" in text or "recipient" in text:
        return "saml_wrong_recipient"
    return "saml_refused"


def _use_once(assertion: Any) -> None:
    """Refuse an assertion id seen before; remembered until its validity ends (plus skew)."""
    ttl = 3600.0
    conditions = assertion.conditions
    if conditions is not None and conditions.not_on_or_after:
        ends = datetime.strptime(conditions.not_on_or_after[:19], "%Y-%m-%dT%H:%M:%S")
        left = ends.replace(tzinfo=UTC).timestamp() - datetime.now(UTC).timestamp()
        ttl = max(60.0, left + int(current_app.config["SAML_CLOCK_SKEW"]))
    if not _kv().set_if_absent(f"luneo:saml-assertion:{assertion.id}", "1", ttl):
        raise SamlRefused("This assertion was already used.", code="saml_replayed")


def _attributes(assertion: Any) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for statement in assertion.attribute_statement or []:
        for attribute in statement.attribute or []:
            values = [
                (value.text or "").strip()
                for value in attribute.attribute_value or []
                if value.text is not None
            ]
            for name in {attribute.name, attribute.friendly_name} - {None, ""}:
                found.setdefault(name, []).extend(values)
    return {name: tuple(values) for name, values in found.items()}
