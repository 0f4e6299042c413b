"""A working access token for every installed shop, at all times.

Tokens are stored encrypted (AES-256-GCM with a key id, :mod:`luneo_app.core.crypto`); the
plaintext lives only in memory for the call that needs it and never reaches a log.

Expiring offline tokens are refreshed a few minutes before they expire. The refresh runs
under the shop's lock (:func:`~luneo_app.shopify.locks.shop_lock`) and re-reads the row once
it holds it, so when several processes find the token due at once exactly one of them calls
Shopify and the others use what it stored. The new access token, refresh token and expiry
times are written in one transaction.

Token reads and refreshes use their own short database session, so a refresh commits
without touching the caller's unit of work: call these before writing anything.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.shopify import ShopifyAuthError, ShopifyError, ShopifyUnavailable, TokenGrant

from ..core.clock import as_utc, utcnow
from ..core.crypto import Keyring
from ..core.errors import LuneoError
from ..extensions import db
from ..models import ShopInstall, TokenRefreshAttempt
from .client import admin_api
from .locks import shop_lock

log = logging.getLogger("luneo.shopify.tokens")

# Refresh this long before the access token expires.
REFRESH_MARGIN = timedelta(minutes=5)


class TokenUnavailable(LuneoError):
    """Luneo holds no usable token for the shop: the merchant must open the app again."""

    status = 409
    code = "shop_token_unavailable"


def keyring() -> Keyring:
    """The app's encryption keyring."""
    return current_app.extensions["luneo.keyring"]


def store_grant(install: ShopInstall, grant: TokenGrant) -> None:
    """Put a fresh grant on the install, encrypted (the caller commits)."""
    ring = keyring()
    install.access_token_enc = ring.encrypt(grant.access_token)
    install.access_token_expires_at = grant.expires_at
    install.refresh_token_enc = ring.encrypt(grant.refresh_token) if grant.refresh_token else None
    install.refresh_token_expires_at = grant.refresh_token_expires_at
    install.token_kind = "expiring" if grant.expiring else "legacy"
    if grant.scopes:
        install.scopes = ",".join(grant.scopes)
    install.last_error = None


def destroy_tokens(install: ShopInstall) -> None:
    """Forget every token of the install (the caller commits)."""
    install.access_token_enc = None
    install.access_token_expires_at = None
    install.refresh_token_enc = None
    install.refresh_token_expires_at = None
    install.token_kind = None


def needs_new_token(install: ShopInstall | None, now: datetime | None = None) -> bool:
    """True when only a new grant (install, token exchange) can give the shop a token."""
    if install is None or install.uninstalled_at is not None or not install.access_token_enc:
        return True
    if install.token_kind == "expiring":
        refresh_expires = as_utc(install.refresh_token_expires_at)
        if not install.refresh_token_enc:
            return True
        return refresh_expires is not None and refresh_expires <= (now or utcnow())
    return install.token_kind != "demo"  # non-expiring tokens are cycled when seen


def refresh_due(install: ShopInstall, now: datetime | None = None) -> bool:
    """True when an expiring token expires within :data:`REFRESH_MARGIN` (or is unknown)."""
    if install.token_kind != "expiring":
        return False
    expires = as_utc(install.access_token_expires_at)
    return expires is None or expires - (now or utcnow()) <= REFRESH_MARGIN


@contextmanager
def _token_session() -> Iterator[Session]:
    session = Session(db.engine, expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()


def _load(session: Session, shop_domain: str) -> ShopInstall | None:
    query = select(ShopInstall).where(ShopInstall.shop_domain == shop_domain)
    return session.scalar(query.execution_options(populate_existing=True))


def _usable(install: ShopInstall | None, shop_domain: str) -> ShopInstall:
    if install is None or install.uninstalled_at is not None or not install.access_token_enc:
        raise TokenUnavailable(f"Luneo holds no access token for {shop_domain}.")
    return install


def access_token_for(shop_domain: str) -> str:
    """A working access token for the shop, refreshed first when it is about to expire.

    Raises :class:`TokenUnavailable` when the shop is not installed or its refresh token was
    refused, and :class:`connectors.shopify.ShopifyUnavailable` when Shopify cannot be
    reached and the current token has run out.
    """
    with _token_session() as session:
        install = _usable(_load(session, shop_domain), shop_domain)
        if refresh_due(install):
            install = _refresh(session, shop_domain, rejected=None)
        return keyring().decrypt(install.access_token_enc)


def refresh_after_rejection(shop_domain: str, rejected_token: str) -> str:
    """Shopify refused ``rejected_token``: refresh once (unless another process already did)."""
    with _token_session() as session:
        install = _refresh(session, shop_domain, rejected=rejected_token)
        return keyring().decrypt(install.access_token_enc)


def refresh_now(shop_domain: str) -> ShopInstall:
    """Refresh the shop's expiring token at once (support's "refresh now"), recorded as an
    attempt like any other. Raises :class:`TokenUnavailable` or ``ShopifyUnavailable``."""
    with _token_session() as session:
        return _refresh(session, shop_domain, rejected=None, trigger="staff")


def _attempt(
    session: Session, install: ShopInstall, trigger: str, error: str | None = None
) -> None:
    """Record one refresh attempt with the caller's commit (every attempt, for support)."""
    session.add(
        TokenRefreshAttempt(
            brand_id=install.brand_id,
            install_id=install.id,
            trigger=trigger,
            ok=error is None,
            error=error[:500] if error else None,
            expires_at=install.access_token_expires_at if error is None else None,
            attempted_at=utcnow(),
        )
    )


def _refresh(
    session: Session, shop_domain: str, rejected: str | None, trigger: str | None = None
) -> ShopInstall:
    with shop_lock(shop_domain):
        session.rollback()  # end any snapshot taken before we held the lock
        install = _usable(_load(session, shop_domain), shop_domain)
        ring = keyring()
        forced = trigger == "staff"
        trigger = trigger or ("rejected" if rejected is not None else "expiring")
        if rejected is None and not forced and not refresh_due(install):
            return install  # another process refreshed while we waited
        if rejected is not None and not hmac.compare_digest(
            ring.decrypt(install.access_token_enc), rejected
        ):
            return install  # already replaced
        if install.token_kind != "expiring" or not install.refresh_token_enc:
            if forced:
                raise TokenUnavailable(
                    f"{shop_domain} holds a non-expiring token: there is nothing to refresh."
                )
            _attempt(session, install, trigger, "the token is not refreshable")
            _give_up(
                session, install, "Shopify refused the shop's token and it cannot be refreshed"
            )
        try:
            grant = admin_api().refresh(
                shop_domain,
                ring.decrypt(install.refresh_token_enc),
                as_utc(install.refresh_token_expires_at),
            )
        except ShopifyAuthError as exc:
            _attempt(session, install, trigger, f"refused by Shopify ({exc.code})")
            _give_up(session, install, f"Shopify refused the refresh token ({exc.code})")
        except ShopifyUnavailable as exc:
            _attempt(session, install, trigger, f"Shopify unavailable: {exc}")
            session.commit()
            expires = as_utc(install.access_token_expires_at)
            if rejected is None and not forced and expires is not None and expires > utcnow():
                log.warning("token refresh for %s postponed: Shopify unavailable", shop_domain)
                return install  # the current token still works for now
            raise
        store_grant(install, grant)
        _attempt(session, install, trigger)
        session.commit()
        log.info("access token refreshed", extra={"shop": shop_domain})
        return install


def _give_up(session: Session, install: ShopInstall, reason: str) -> NoReturn:
    """Forget tokens Shopify will not honour, so the next admin visit gets fresh ones."""
    destroy_tokens(install)
    install.last_error = reason
    session.commit()
    log.warning("tokens of %s dropped: %s", install.shop_domain, reason)
    raise TokenUnavailable(f"{reason}; the merchant must open Luneo in the Shopify admin.")


def shop_graphql(
    shop_domain: str, query: str, variables: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Run an Admin GraphQL call for a shop with its current token (refreshed on a 401)."""
    admin = admin_api()
    token = access_token_for(shop_domain)
    try:
        return admin.graphql(shop_domain, token, query, variables)
    except ShopifyAuthError:
        token = refresh_after_rejection(shop_domain, token)
        return admin.graphql(shop_domain, token, query, variables)


@dataclass(frozen=True)
class MigrationReport:
    """What ``flask luneo migrate-tokens`` did."""

    migrated: list[str]
    failed: dict[str, str]
    skipped: int


def migrate_legacy_tokens(dry_run: bool = False) -> MigrationReport:
    """Trade every active non-expiring offline token for an expiring one (token exchange).

    Shopify rejects non-expiring tokens of public apps from 2027-01-01. A shop that fails
    keeps its token and is reported; running the command again retries it.
    """
    migrated: list[str] = []
    failed: dict[str, str] = {}
    skipped = 0
    with _token_session() as session:
        shops = session.scalars(
            select(ShopInstall.shop_domain).where(
                ShopInstall.uninstalled_at.is_(None),
                ShopInstall.access_token_enc.is_not(None),
                ShopInstall.token_kind.is_distinct_from("expiring"),
                ShopInstall.token_kind.is_distinct_from("demo"),
            )
        ).all()
        for shop in shops:
            if dry_run:
                migrated.append(shop)
                continue
            try:
                with shop_lock(shop):
                    session.rollback()
                    install = _load(session, shop)
                    if install is None or install.token_kind in ("expiring", "demo"):
                        skipped += 1
                        continue
                    grant = admin_api().migrate_to_expiring(
                        shop, keyring().decrypt(install.access_token_enc)
                    )
                    store_grant(install, grant)
                    session.commit()
                    migrated.append(shop)
            except (ShopifyError, LuneoError) as exc:
                session.rollback()
                failed[shop] = f"{type(exc).__name__}: {exc}"
    return MigrationReport(migrated=migrated, failed=failed, skipped=skipped)
