"""Secrets at rest: AES-256-GCM with a key id so keys can be rotated without downtime.

A ciphertext is ``v1.<kid>.<base64url(nonce || ciphertext+tag)>``. The current key encrypts;
every key in the keyring (current and old) decrypts. The key id is also bound into the
GCM associated data, so a ciphertext cannot be replayed under another key id.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class CryptoError(Exception):
    """A ciphertext could not be decrypted or a key is malformed."""


@dataclass(frozen=True)
class Keyring:
    """The current key id and every key that may decrypt."""

    current: str
    keys: dict[str, bytes]

    @classmethod
    def parse(cls, current: str, old: str = "") -> Keyring:
        """Build a keyring from ``kid:base64key`` (current) and a comma list of old ones."""
        keys: dict[str, bytes] = {}
        entries = [current] + [part for part in old.split(",") if part.strip()]
        for index, entry in enumerate(entries):
            kid, _, encoded = entry.strip().partition(":")
            if not kid or not encoded:
                raise CryptoError("encryption keys are written 'kid:base64key'")
            try:
                key = base64.b64decode(encoded, validate=True)
            except binascii.Error as exc:
                raise CryptoError(f"key {kid!r} is not valid base64") from exc
            if len(key) != 32:
                raise CryptoError(f"key {kid!r} must be 32 bytes (AES-256)")
            keys.setdefault(kid, key)
            if index == 0:
                current_kid = kid
        return cls(current=current_kid, keys=keys)

    def encrypt(self, plaintext: str) -> str:
        """Encrypt text with the current key."""
        nonce = os.urandom(12)
        aad = f"v1.{self.current}".encode()
        sealed = AESGCM(self.keys[self.current]).encrypt(nonce, plaintext.encode(), aad)
        body = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
        return f"v1.{self.current}.{body}"

    def decrypt(self, token: str) -> str:
        """Decrypt a value written by :meth:`encrypt` with any key of the ring."""
        version, _, rest = token.partition(".")
        kid, _, body = rest.partition(".")
        if version != "v1" or kid not in self.keys:
            raise CryptoError("unknown ciphertext version or key id")
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            plain = AESGCM(self.keys[kid]).decrypt(raw[:12], raw[12:], f"v1.{kid}".encode())
        except (InvalidTag, ValueError, binascii.Error) as exc:
            raise CryptoError("ciphertext failed authentication") from exc
        return plain.decode()

    def key_id_of(self, token: str) -> str:
        """The key id a ciphertext was written with."""
        return token.split(".", 2)[1]


def generate_key(kid: str) -> str:
    """A fresh ``kid:base64key`` value for ``LUNEO_ENCRYPTION_KEY``."""
    return f"{kid}:{base64.b64encode(os.urandom(32)).decode()}"
