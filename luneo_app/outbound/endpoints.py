"""A brand's webhook endpoint: its URL (checked against SSRF) and its signing secret.

The secret is made by Luneo, shown once, and kept encrypted with the app's keyring
(AES-256-GCM). URLs must be ``https`` and resolve to public addresses, unless
``OUTBOUND_WEBHOOK_ALLOW_PRIVATE`` is on (the embedded default and tests).
"""

from __future__ import annotations

import ipaddress
import secrets
import socket
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app

from ..core.clock import as_utc, utcnow
from ..core.errors import ValidationFailed
from ..models import Brand

SECRET_PREFIX = "whsec_"
MAX_URL_LENGTH = 2048


class EndpointRefused(ValidationFailed):
    """The webhook URL is malformed or points somewhere Luneo must not call."""

    code = "invalid_webhook_url"


def _allow_private() -> bool:
    return bool(current_app.config.get("OUTBOUND_WEBHOOK_ALLOW_PRIVATE"))


def check_url(url: str, *, resolve: bool = True) -> str:
    """The URL if Luneo may send webhooks to it; raises :class:`EndpointRefused`.

    Refused: other schemes than https (http only with private addresses allowed), user
    info in the URL, and hosts resolving to loopback, private, link-local or reserved
    addresses (unless allowed).
    """
    text = (url or "").strip()
    if not text or len(text) > MAX_URL_LENGTH:
        raise EndpointRefused("The webhook URL is empty or too long.")
    parts = urlsplit(text)
    allowed_schemes = ("https", "http") if _allow_private() else ("https",)
    if parts.scheme not in allowed_schemes:
        raise EndpointRefused("The webhook URL must use https.")
    if not parts.hostname or parts.username or parts.password:
        raise EndpointRefused("The webhook URL must name a host and carry no credentials.")
    try:
        port = parts.port
    except ValueError as exc:
        raise EndpointRefused("The webhook URL has an invalid port.") from exc
    if resolve and not _allow_private():
        for address in _addresses(parts.hostname, port):
            if not address.is_global or address.is_multicast:
                raise EndpointRefused("The webhook URL must point to a public address.")
    return text


def _addresses(host: str, port: int | None) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise EndpointRefused("The webhook URL's host does not resolve.") from exc
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def configure_endpoint(brand: Brand, url: str | None) -> str | None:
    """Set (or with ``None`` remove) the brand's webhook URL; returns a new secret, once.

    A new secret is made whenever a URL is set; a previous secret in its overlap window is
    dropped (a new receiver never knew it). The caller commits.
    """
    brand.webhook_secret_old_enc = None
    brand.webhook_secret_old_until = None
    if url is None:
        brand.webhook_url = None
        brand.webhook_secret_enc = None
        return None
    brand.webhook_url = check_url(url)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    brand.webhook_secret_enc = current_app.extensions["luneo.keyring"].encrypt(secret)
    return secret


def rotate_secret(brand: Brand, overlap: timedelta) -> str:
    """A new signing secret for the same URL, returned once. The current one keeps signing
    beside it for ``overlap`` (zero: it stops now). The caller commits."""
    previous = brand.webhook_secret_enc
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    brand.webhook_secret_enc = current_app.extensions["luneo.keyring"].encrypt(secret)
    if previous and overlap > timedelta(0):
        brand.webhook_secret_old_enc = previous
        brand.webhook_secret_old_until = utcnow() + overlap
    else:
        brand.webhook_secret_old_enc = None
        brand.webhook_secret_old_until = None
    return secret


def previous_secret_until(brand: Brand) -> datetime | None:
    """When the previous signing secret stops signing; None when none is in its window."""
    until = as_utc(brand.webhook_secret_old_until)
    if brand.webhook_secret_old_enc and until is not None and until > utcnow():
        return until
    return None


def ensure_secret(brand: Brand) -> str | None:
    """The brand's signing secret, made now if its URL was set without one (admin settings
    set only the URL); None without a URL. The caller commits."""
    if not brand.webhook_url:
        return None
    if not brand.webhook_secret_enc:
        secret = SECRET_PREFIX + secrets.token_urlsafe(32)
        brand.webhook_secret_enc = current_app.extensions["luneo.keyring"].encrypt(secret)
        return secret
    return secret_of(brand)


def secret_of(brand: Brand) -> str | None:
    """The brand's signing secret in clear (for signing only; never log it)."""
    if not brand.webhook_secret_enc:
        return None
    return current_app.extensions["luneo.keyring"].decrypt(brand.webhook_secret_enc)


# Events that go somewhere else than the brand's webhook endpoint (a connector's order
# endpoint): the feature that owns the event type says where and with which secret.
Target = Callable[[Brand], "tuple[str, str] | None"]
_TARGETS: dict[str, Target] = {}


def register_target(event_type: str, resolve: Target) -> None:
    """Send ``event_type`` to ``resolve(brand)`` (URL, secret) instead of the webhook URL.

    Features register at import (the commerce connectors' ``order.write_back``).
    """
    _TARGETS[event_type] = resolve


def targeted(event_type: str) -> bool:
    """True when the event type has its own target (not the brand's webhook endpoint)."""
    return event_type in _TARGETS


def target_of(brand: Brand, event_type: str) -> tuple[str, list[str]] | None:
    """Where an event of this type goes for the brand and the secrets that sign it (the
    current one first, then the previous one during a rotation's overlap window); None
    when the brand has no such endpoint. The caller commits (a secret may be made)."""
    resolve = _TARGETS.get(event_type)
    if resolve is not None:
        found = resolve(brand)
        return (found[0], [found[1]]) if found is not None else None
    secret = ensure_secret(brand)
    if not brand.webhook_url or not secret:
        return None
    signing = [secret]
    if previous_secret_until(brand) is not None:
        keyring = current_app.extensions["luneo.keyring"]
        signing.append(keyring.decrypt(brand.webhook_secret_old_enc))
    return brand.webhook_url, signing
