"""A SAML 2.0 identity provider that signs real responses: pysaml2's IdP ``Server`` with a
key and certificate made at test time (``cryptography``), signing with Debian's xmlsec1.

It serves its metadata (``/idp/metadata``) and an SSO endpoint (``/sso``, HTTP-Redirect
binding) that answers the AuthnRequest with an auto-posting form to the SP's ACS, the way
Okta or Entra do in a browser. Tests also ask it for responses directly (:meth:`response`)
and for signed responses with chosen faults (other audience, expired, unsigned ...).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, time_util
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server

from tests.fakes._server import LocalServer

XMLSEC = "/usr/bin/xmlsec1"
EMAIL = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
GIVEN = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname"
SURNAME = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname"
GROUPS = "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"


@contextmanager
def idp_clock(offset: float) -> Iterator[None]:
    """Run the IdP's clock ``offset`` seconds away from ours (pysaml2 reads the time through
    ``saml2.time_util`` only), to mint assertions that are stale or not yet valid."""
    real_time, real_datetime = time_util.time, time_util.datetime

    class ShiftedTime:
        def __getattr__(self, name: str) -> Any:
            return getattr(real_time, name)

        def gmtime(self, seconds: float | None = None) -> Any:
            return real_time.gmtime((real_time.time() if seconds is None else seconds) + offset)

    class ShiftedDatetime(real_datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:  # type: ignore[override]
            return real_datetime.now(tz) + dt.timedelta(seconds=offset)

    time_util.time, time_util.datetime = ShiftedTime(), ShiftedDatetime
    try:
        yield
    finally:
        time_util.time, time_util.datetime = real_time, real_datetime


def make_key_and_cert(folder: Path, name: str) -> tuple[Path, Path]:
    """An RSA key and a self-signed certificate (PEM files) for an IdP."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = folder / f"{name}.key", folder / f"{name}.crt"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


@dataclass
class IdpUser:
    email: str
    given_name: str = "Ada"
    family_name: str = "Lovelace"
    groups: list[str] = field(default_factory=list)

    def identity(self) -> dict[str, list[str]]:
        return {
            EMAIL: [self.email],
            GIVEN: [self.given_name],
            SURNAME: [self.family_name],
            GROUPS: list(self.groups),
        }


class FakeIdP(LocalServer):
    """A signing IdP on a loopback port; ``user`` is who "signs in" at ``/sso``."""

    def __init__(self, name: str = "fake-idp") -> None:
        self.name = name
        self.folder = Path(tempfile.mkdtemp(prefix="luneo-idp-"))
        self.key_file, self.cert_file = make_key_and_cert(self.folder, name)
        self.user = IdpUser("ada@acme-brand.com")
        self.sp_metadata: list[str] = []
        self.requests: list[str] = []
        self._idp: Server | None = None

    # ------------------------------------------------------------------ config
    def start(self) -> Self:
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                parts = urlsplit(self.path)
                if parts.path == "/idp/metadata":
                    body, kind = idp.metadata_xml().encode(), "application/samlmetadata+xml"
                elif parts.path == "/sso":
                    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                    body, kind = idp.answer_redirect(query).encode(), "text/html"
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return self._serve(Handler)

    @property
    def entity_id(self) -> str:
        return f"{self.origin}/idp/metadata"

    def _config(self, lifetime: dict[str, int] | None = None) -> IdPConfig:
        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "xmlsec_binary": XMLSEC,
                "key_file": str(self.key_file),
                "cert_file": str(self.cert_file),
                "metadata": {"inline": self.sp_metadata} if self.sp_metadata else {},
                # What Okta and Entra use today (pysaml2's IdP default would be SHA-1).
                "signing_algorithm": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                "digest_algorithm": "http://www.w3.org/2001/04/xmlenc#sha256",
                "service": {
                    "idp": {
                        # Like Okta/Entra with "signed requests" on: an unsigned
                        # AuthnRequest, or one not signed by the SP's published key, fails.
                        "want_authn_requests_signed": True,
                        # pysaml2 reads these per service ("idp"); at the top level they
                        # are ignored and it signs with SHA-1.
                        "signing_algorithm": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                        "digest_algorithm": "http://www.w3.org/2001/04/xmlenc#sha256",
                        "endpoints": {
                            "single_sign_on_service": [
                                (f"{self.origin}/sso", BINDING_HTTP_REDIRECT)
                            ]
                        },
                        "policy": {
                            "default": {
                                "lifetime": lifetime or {"minutes": 5},
                                "name_form": "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
                            }
                        },
                        "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                    }
                },
            }
        )
        return config

    def trust_sp(self, sp_metadata_xml: str) -> None:
        """Register a service provider (its metadata, as an admin pastes it into Okta)."""
        self.sp_metadata.append(sp_metadata_xml)
        self._idp = None

    def server(self, lifetime: dict[str, int] | None = None) -> Server:
        if lifetime is not None:
            return Server(config=self._config(lifetime))
        if self._idp is None:
            self._idp = Server(config=self._config())
        return self._idp

    def metadata_xml(self) -> str:
        return str(entity_descriptor(self._config()))

    # ------------------------------------------------------------------ responses
    def response_xml(
        self,
        *,
        audience: str,
        acs: str,
        in_response_to: str | None = None,
        user: IdpUser | None = None,
        sign_response: bool = False,
        sign_assertion: bool = True,
        lifetime: dict[str, int] | None = None,
        clock_offset: float = 0,
        encrypt_assertion: bool = False,
        sign_alg: str | None = None,
        digest_alg: str | None = None,
    ) -> str:
        """A SAML Response (XML) for ``audience`` posted to ``acs``, minted ``clock_offset``
        seconds from now; ``encrypt_assertion`` encrypts it for the SP's published
        encryption certificate (the SP's metadata must be trusted); ``sign_alg`` and
        ``digest_alg`` replace RSA-SHA256 / SHA-256."""
        who = user or self.user
        server = self.server(lifetime)
        with idp_clock(clock_offset):
            response = self._create(
                server,
                who,
                audience,
                acs,
                in_response_to,
                sign_response,
                sign_assertion,
                encrypt_assertion=encrypt_assertion,
                sign_alg=sign_alg,
                digest_alg=digest_alg,
            )
        return str(response)

    def _create(
        self,
        server: Server,
        who: IdpUser,
        audience: str,
        acs: str,
        in_response_to: str | None,
        sign_response: bool,
        sign_assertion: bool,
        **options: Any,
    ) -> Any:
        options = {k: v for k, v in options.items() if v}
        return server.create_authn_response(
            identity=who.identity(),
            in_response_to=in_response_to,
            destination=acs,
            sp_entity_id=audience,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=who.email),
            authn={
                "class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
            },
            sign_response=sign_response,
            sign_assertion=sign_assertion,
            **options,
        )

    def response(self, **kwargs: Any) -> str:
        """The same, base64 as the browser posts it (``SAMLResponse``)."""
        return base64.b64encode(self.response_xml(**kwargs).encode()).decode()

    def answer_redirect(self, query: dict[str, str]) -> str:
        """Answer an HTTP-Redirect AuthnRequest with an auto-posting form to its ACS."""
        server = self.server()
        request = server.parse_authn_request(
            query["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
        )
        message = request.message
        self.requests.append(message.id)
        acs = message.assertion_consumer_service_url
        saml = self.response(audience=message.issuer.text, acs=acs, in_response_to=message.id)
        relay = html.escape(query.get("RelayState", ""), quote=True)
        return (
            "<!doctype html><html><head><title>Fake IdP</title></head>"
            '<body onload="document.forms[0].submit()">'
            f"<p>Signed in at the fake IdP as {html.escape(self.user.email)}.</p>"
            f'<form method="post" action="{html.escape(acs, quote=True)}">'
            f'<input type="hidden" name="SAMLResponse" value="{saml}">'
            f'<input type="hidden" name="RelayState" value="{relay}">'
            "<button>Continue</button></form></body></html>"
        )


__all__ = ["BINDING_HTTP_POST", "FakeIdP", "IdpUser", "make_key_and_cert"]
