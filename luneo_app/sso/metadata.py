"""Identity-provider metadata: fetched from a URL through the outbound SSRF guard (https,
public addresses, no redirects, a size and time limit) or pasted, then checked before it
is stored: well-formed (no DTD, so no XML bombs or external entities), one IdP with an
SSO service and a signing certificate that parses."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

import httpx
from cryptography import x509
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from flask import current_app

from ..core.errors import ValidationFailed
from ..outbound.endpoints import EndpointRefused, check_url

MD_NS = "urn:oasis:names:tc:SAML:2.0:metadata"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"


class MetadataRefused(ValidationFailed):
    code = "invalid_idp_metadata"


@dataclass(frozen=True)
class IdpMetadata:
    """What Luneo needs from an IdP's metadata (the XML itself is kept for pysaml2)."""

    xml: str
    entity_id: str
    sso_url: str
    certificate_subjects: tuple[str, ...]


def fetch(url: str) -> str:
    """The metadata document at ``url`` (https, public address, at most
    ``SAML_METADATA_MAX_BYTES``, no redirects); raises :class:`MetadataRefused`."""
    try:
        checked = check_url(url)
    except EndpointRefused as exc:
        raise MetadataRefused(
            exc.message.replace("webhook", "metadata"), details={"metadataUrl": "refused"}
        ) from exc
    limit = int(current_app.config["SAML_METADATA_MAX_BYTES"])
    timeout = float(current_app.config["SAML_METADATA_TIMEOUT"])
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            with client.stream("GET", checked, headers={"Accept": "application/xml"}) as reply:
                if reply.status_code != 200:
                    raise MetadataRefused(
                        f"The metadata URL answered {reply.status_code}.",
                        details={"metadataUrl": f"HTTP {reply.status_code}"},
                    )
                body = bytearray()
                for chunk in reply.iter_bytes():
                    body.extend(chunk)
                    if len(body) > limit:
                        raise MetadataRefused(
                            "The metadata document is too large.",
                            details={"metadataUrl": f"over {limit} bytes"},
                        )
    except httpx.HTTPError as exc:
        raise MetadataRefused(
            "The metadata URL could not be reached.", details={"metadataUrl": "unreachable"}
        ) from exc
    try:
        return bytes(body).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MetadataRefused("The metadata is not UTF-8 XML.") from exc


def parse(xml: str) -> IdpMetadata:
    """Check pasted or fetched metadata; raises :class:`MetadataRefused` (422)."""
    text = (xml or "").strip()
    if not text:
        raise MetadataRefused(
            "Paste the IdP metadata or give its URL.", details={"metadata": "empty"}
        )
    if len(text.encode()) > int(current_app.config["SAML_METADATA_MAX_BYTES"]):
        raise MetadataRefused(
            "The metadata document is too large.", details={"metadata": "too large"}
        )
    try:
        root = fromstring(text.encode(), forbid_dtd=True)
    except DefusedXmlException as exc:
        raise MetadataRefused(
            "The metadata declares a DTD or entities, which Luneo refuses.",
            details={"metadata": "DTD or entities"},
        ) from exc
    except Exception as exc:  # noqa: BLE001 - any parse error of pasted text is a 422
        raise MetadataRefused(
            "The metadata is not well-formed XML.", details={"metadata": "not XML"}
        ) from exc
    descriptors = (
        [root]
        if root.tag == f"{{{MD_NS}}}EntityDescriptor"
        else list(root.iter(f"{{{MD_NS}}}EntityDescriptor"))
    )
    idps = [d for d in descriptors if d.find(f"{{{MD_NS}}}IDPSSODescriptor") is not None]
    if len(idps) != 1:
        raise MetadataRefused(
            "The metadata must describe exactly one identity provider.",
            details={"metadata": f"{len(idps)} IdPs"},
        )
    idp = idps[0]
    entity_id = (idp.get("entityID") or "").strip()
    sso = idp.find(f"{{{MD_NS}}}IDPSSODescriptor")
    urls = [
        s.get("Location", "")
        for s in sso.findall(f"{{{MD_NS}}}SingleSignOnService")
        if s.get("Binding", "").endswith("HTTP-Redirect")
    ]
    if not entity_id or not urls or not urls[0].startswith(("https://", "http://")):
        raise MetadataRefused(
            "The metadata needs an entityID and an HTTP-Redirect SingleSignOnService.",
            details={"metadata": "no entityID or SSO service"},
        )
    subjects = []
    for key in sso.findall(f"{{{MD_NS}}}KeyDescriptor"):
        if key.get("use") not in (None, "signing"):
            continue
        for cert in key.iter(f"{{{DS_NS}}}X509Certificate"):
            try:
                der = base64.b64decode("".join((cert.text or "").split()), validate=True)
                subjects.append(x509.load_der_x509_certificate(der).subject.rfc4514_string())
            except (binascii.Error, ValueError) as exc:
                raise MetadataRefused(
                    "A signing certificate in the metadata does not parse.",
                    details={"metadata": "bad certificate"},
                ) from exc
    if not subjects:
        raise MetadataRefused(
            "The metadata carries no signing certificate.", details={"metadata": "no certificate"}
        )
    return IdpMetadata(text, entity_id, urls[0], tuple(subjects))
