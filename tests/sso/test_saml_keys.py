"""The SP's own key pair: AuthnRequests are signed (checked by the IdP and independently
with ``cryptography``), the SP metadata publishes the signing and encryption certificate,
encrypted assertions are decrypted, and SHA-1 signatures or digests are refused."""

from __future__ import annotations

import base64
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from defusedxml.ElementTree import fromstring
from sqlalchemy import delete, func, select

from luneo_app.extensions import db
from luneo_app.models import Account, SamlSpKey
from tests.fakes.saml_idp import make_key_and_cert
from tests.sso.test_saml import ACS, accounts, connect, post, sp_entity

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"


def published_certificates(metadata_xml: str) -> dict[str, x509.Certificate]:
    root = fromstring(metadata_xml.encode())
    found = {}
    for key in root.iter(f"{{{MD}}}KeyDescriptor"):
        text = "".join(key.find(f".//{{{DS}}}X509Certificate").text.split())
        found[key.get("use")] = x509.load_der_x509_certificate(base64.b64decode(text))
    return found


def test_sp_metadata_publishes_the_sp_certificate_and_only_strong_algorithms(client, owner):
    r = client.get(f"/v1/auth/sso/saml/metadata/{owner.brand_id}")
    certs = published_certificates(r.text)
    assert set(certs) == {"signing", "encryption"}
    assert certs["signing"] == certs["encryption"]
    assert certs["signing"].public_key().key_size >= 2048
    assert 'AuthnRequestsSigned="true"' in r.text
    assert "sha1" not in r.text and "md5" not in r.text
    # One pair per realm, kept: the same certificate on the next request, another brand's
    # differs, and the private key is stored encrypted.
    again = published_certificates(client.get(r.request.path).text)["signing"]
    assert again == certs["signing"]
    staff = published_certificates(client.get("/v1/auth/sso/saml/metadata/staff").text)
    assert staff["signing"] != certs["signing"]
    row = db.session.get(SamlSpKey, owner.brand_id)
    assert row.private_key_enc.startswith("v1.") and "PRIVATE KEY" not in row.private_key_enc


def test_authn_requests_are_signed_with_the_published_key(client, owner, idp):
    connect(client, idp, owner)
    start = client.get(f"/v1/auth/sso/saml/login/{owner.brand_id}?next=/console")
    raw_query = urlsplit(start.location).query
    query = {k: v[0] for k, v in parse_qs(raw_query).items()}
    assert query["SigAlg"] == RSA_SHA256
    # The redirect-binding signature covers SAMLRequest, RelayState and SigAlg as sent.
    parts = dict(p.split("=", 1) for p in raw_query.split("&"))
    fields = ("SAMLRequest", "RelayState", "SigAlg")
    signed = "&".join(f"{k}={parts[k]}" for k in fields if k in parts)
    cert = published_certificates(client.get(f"/v1/auth/sso/saml/metadata/{owner.brand_id}").text)
    cert["signing"].public_key().verify(
        base64.b64decode(query["Signature"]), signed.encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    # The IdP (wanting signed requests) accepts it and refuses a forged signature.
    assert "SAMLResponse" in idp.answer_redirect(query)
    forged = {**query, "Signature": base64.b64encode(b"\0" * 384).decode()}
    with pytest.raises(Exception):  # noqa: B017 - pysaml2 raises its own signature errors
        idp.answer_redirect(forged)
    unsigned = {k: v for k, v in query.items() if k not in ("Signature", "SigAlg")}
    with pytest.raises(Exception):  # noqa: B017
        idp.answer_redirect(unsigned)


@pytest.mark.parametrize("sign_response", [False, True])
def test_encrypted_assertions_are_decrypted_and_sign_in(client, owner, idp, sign_response):
    connect(client, idp, owner)
    idp.user.email = "enc@acme-brand.com"
    xml = idp.response_xml(
        audience=sp_entity(owner.brand_id),
        acs=ACS,
        encrypt_assertion=True,
        sign_response=sign_response,
    )
    assert "EncryptedAssertion" in xml and "enc@acme-brand.com" not in xml
    r = post(client, base64.b64encode(xml.encode()).decode())
    assert r.status_code == 302, r.get_json()
    assert db.session.scalar(select(Account).where(Account.email == "enc@acme-brand.com"))


def test_an_assertion_encrypted_for_another_key_is_refused(client, owner, idp):
    connect(client, idp, owner)
    xml = idp.response_xml(audience=sp_entity(owner.brand_id), acs=ACS, encrypt_assertion=True)
    # Our key pair is replaced (as if the IdP used an old certificate).
    db.session.execute(delete(SamlSpKey).where(SamlSpKey.realm_key == owner.brand_id))
    db.session.commit()
    before = accounts()
    r = post(client, base64.b64encode(xml.encode()).decode())
    assert r.status_code == 401
    assert accounts() == before


@pytest.mark.parametrize(
    "sign_alg,digest_alg,encrypt",
    [
        (RSA_SHA1, SHA1, False),
        (RSA_SHA256, SHA1, False),
        (RSA_SHA1, "http://www.w3.org/2001/04/xmlenc#sha256", False),
        (RSA_SHA1, SHA1, True),
    ],
)
def test_sha1_signatures_and_digests_are_refused(client, owner, idp, sign_alg, digest_alg, encrypt):
    connect(client, idp, owner)
    idp.user.email = "sha1@acme-brand.com"
    xml = idp.response_xml(
        audience=sp_entity(owner.brand_id),
        acs=ACS,
        sign_alg=sign_alg,
        digest_alg=digest_alg,
        encrypt_assertion=encrypt,
    )
    if not encrypt:
        assert re.search(r'Algorithm="[^"]*sha1"', xml)
    before = accounts()
    r = post(client, base64.b64encode(xml.encode()).decode())
    assert r.status_code == 401, r.get_json()
    error = r.get_json()["error"]
    assert error["code"] == "saml_weak_signature" and "SHA-1" in error["message"]
    assert accounts() == before


def test_a_key_pair_from_the_environment_serves_every_realm(client, owner, app, tmp_path):
    key_file, cert_file = make_key_and_cert(tmp_path, "ops-sp")
    app.config["SAML_SP_PRIVATE_KEY"] = key_file.read_text()
    app.config["SAML_SP_CERTIFICATE"] = cert_file.read_text()
    expected = x509.load_pem_x509_certificate(cert_file.read_bytes())
    for realm in (owner.brand_id, "staff"):
        text = client.get(f"/v1/auth/sso/saml/metadata/{realm}").text
        assert published_certificates(text)["signing"] == expected
    assert db.session.scalar(select(func.count()).select_from(SamlSpKey)) == 0


def test_an_encrypted_assertion_signs_in_only_to_the_brand_it_was_encrypted_for(client, owner, idp):
    from tests.sso.conftest import make_brand

    other = make_brand("Other Co", "boss@other-brand.com")
    connect(client, idp, other)  # the same IdP (one issuer), set up by a second brand first
    connect(client, idp, owner)
    idp.user.email = "enc2@acme-brand.com"
    xml = idp.response_xml(audience=sp_entity(owner.brand_id), acs=ACS, encrypt_assertion=True)
    r = post(client, base64.b64encode(xml.encode()).decode())
    assert r.status_code == 302, r.get_json()
    account = db.session.scalar(select(Account).where(Account.email == "enc2@acme-brand.com"))
    assert account.brand_id == owner.brand_id
    assert account.provisioned_by == "saml"
