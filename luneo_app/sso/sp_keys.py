"""The service provider's own key pair: it signs our AuthnRequests and decrypts the
assertions an IdP encrypts for us; its certificate is published in the SP metadata (both
``use="signing"`` and ``use="encryption"``).

One pair for every realm when the operator gives ``SAML_SP_PRIVATE_KEY`` and
``SAML_SP_CERTIFICATE`` (PEM, from the environment, a ``_FILE`` or Vault). Otherwise each
realm (a brand, or ``staff``) gets its own pair on first use: RSA 3072, a self-signed
certificate for ten years, the private key encrypted at rest with the app's keyring.

pysaml2 hands keys to the ``xmlsec1`` command line, which reads files: :func:`files` writes
the pair to a private temporary folder (0700, files 0600) for the length of one operation.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from flask import current_app
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from ..core.clock import utcnow
from ..extensions import db
from ..models import SamlSpKey


@dataclass(frozen=True)
class SpKeyPair:
    certificate_pem: str
    private_key_pem: str


@dataclass(frozen=True)
class SpKeyFiles:
    cert_file: str
    key_file: str


def _configured() -> SpKeyPair | None:
    key = (current_app.config.get("SAML_SP_PRIVATE_KEY") or "").strip()
    cert = (current_app.config.get("SAML_SP_CERTIFICATE") or "").strip()
    return SpKeyPair(cert + "\n", key + "\n") if key and cert else None


def _generate(realm_key: str) -> SpKeyPair:
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Luneo"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"Luneo SAML SP {realm_key}"[:64]),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    return SpKeyPair(
        cert.public_bytes(serialization.Encoding.PEM).decode(),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
    )


def key_pair(realm_key: str) -> SpKeyPair:
    """The realm's key pair: the configured one, else its own (made and stored on first
    use, in its own short transaction so a GET of the SP metadata can create it)."""
    configured = _configured()
    if configured is not None:
        return configured
    keyring = current_app.extensions["luneo.keyring"]
    row = db.session.get(SamlSpKey, realm_key)
    if row is None:
        pair = _generate(realm_key)
        try:
            # Its own connection and transaction: it never commits the caller's work.
            with db.engine.begin() as connection:
                connection.execute(
                    insert(SamlSpKey).values(
                        realm_key=realm_key,
                        certificate_pem=pair.certificate_pem,
                        private_key_enc=keyring.encrypt(pair.private_key_pem),
                        created_at=utcnow(),
                    )
                )
            return pair
        except IntegrityError:  # another request made it first: use theirs
            row = db.session.get(SamlSpKey, realm_key)
            if row is None:
                raise
    return SpKeyPair(row.certificate_pem, keyring.decrypt(row.private_key_enc))


def certificate_base64(pair: SpKeyPair) -> str:
    """The certificate as metadata carries it (base64 DER, no PEM armour)."""
    lines = pair.certificate_pem.strip().splitlines()
    return "".join(line for line in lines if not line.startswith("-----"))


@contextmanager
def files(pair: SpKeyPair) -> Iterator[SpKeyFiles]:
    """The pair as files readable by this process only, removed afterwards."""
    folder = tempfile.mkdtemp(prefix="luneo-sp-")
    try:
        os.chmod(folder, 0o700)
        cert_file, key_file = os.path.join(folder, "sp.crt"), os.path.join(folder, "sp.key")
        for path, text in ((cert_file, pair.certificate_pem), (key_file, pair.private_key_pem)):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(text)
        yield SpKeyFiles(cert_file, key_file)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
