"""Telling the brand that its store refused Luneo's key: once per incident, by email.

A connector that gets a 401/403 from the brand's store (WooCommerce consumer key revoked, the
brand's REST API key withdrawn) raises ``ConnectorAuthError``; whoever catches it calls
:func:`key_refused`. The connection is marked failing (support console, Store page) and the
first refusal of an incident claims ``key_refused_at`` with one conditional UPDATE, so two
workers seeing the refusal at once send one email. The incident ends when the key works
again (:func:`~.connections.mark_working`) or a new key is set.

The email goes to the brand's active owners and admins through the account mail path
(``SMTP_URL``). It names the store's address and what to do; it never carries a key, a
secret or the store's error text.
"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import select, update

from ..accounts.mail import MailUnavailable, send_mail
from ..core.clock import utcnow
from ..extensions import db
from ..models import Account, Brand, CommerceConnection
from .connections import mark_failing

log = logging.getLogger("luneo.commerce")

NOTIFIED_ROLES = ("owner", "admin")

_WORDING = {
    "woocommerce": (
        "Luneo: your WooCommerce store refused Luneo's key",
        "Your WooCommerce store at {store} refused Luneo's key on {when}. The key was probably "
        "revoked in WooCommerce (WooCommerce > Settings > Advanced > REST API), or its user "
        "lost its rights.",
        "Connect the store again on the Store page",
    ),
    "rest": (
        "Luneo: your API refused Luneo's key",
        "Your API at {store} refused the API key set in Luneo on {when}. The key was probably "
        "revoked or rotated on your side.",
        "Enter a working API key on the Store page",
    ),
}


def key_refused(connection_id: str, reason: str) -> bool:
    """The store refused Luneo's key: mark the connection failing and, on the first refusal
    of the incident, email the brand. True when this call sent the email.

    Runs in its own short transactions (the caller usually rolls back); a mail relay that
    fails gives the claim back, so the next refusal tries again.
    """
    mark_failing(connection_id, reason)
    with db.engine.begin() as conn:
        claimed = conn.execute(
            update(CommerceConnection)
            .where(
                CommerceConnection.id == connection_id,
                CommerceConnection.key_refused_at.is_(None),
            )
            .values(key_refused_at=utcnow())
        ).rowcount
    if claimed != 1:
        return False
    row = db.session.scalar(
        select(CommerceConnection)
        .where(CommerceConnection.id == connection_id)
        .execution_options(populate_existing=True)
    )
    if row is None:
        return False
    recipients = _recipients(row.brand_id)
    if not recipients:
        log.warning("connection %s refused its key; the brand has nobody to email", row.id)
        return False
    subject, body = key_refused_mail(row)
    try:
        for to in recipients:
            send_mail(to, subject, body)
    except MailUnavailable:
        with db.engine.begin() as conn:
            conn.execute(
                update(CommerceConnection)
                .where(CommerceConnection.id == connection_id)
                .values(key_refused_at=None)
            )
        log.warning("the key-refused email of connection %s was not sent", connection_id)
        return False
    log.info("brand told that connection %s refused its key", row.id)
    return True


def _recipients(brand_id: str) -> list[str]:
    """The brand's active owners and admins with a verified email (this brand only)."""
    return list(
        db.session.scalars(
            select(Account.email)
            .where(
                Account.brand_id == brand_id,
                Account.status == "active",
                Account.role.in_(NOTIFIED_ROLES),
                Account.email_verified_at.is_not(None),
            )
            .order_by(Account.created_at)
        )
    )


def key_refused_mail(row: CommerceConnection) -> tuple[str, str]:
    """The subject and plain-text body telling the brand its store refused Luneo's key."""
    subject, what, action = _WORDING.get(row.platform, _WORDING["rest"])
    brand = db.session.get(Brand, row.brand_id)
    when = (row.key_refused_at or utcnow()).strftime("%Y-%m-%d %H:%M UTC")
    store = row.store_url or "your store"
    link = current_app.config["APP_URL"] + "/console/connector"
    body = "\n".join(
        [
            f"Hello {brand.name} team," if brand is not None else "Hello,",
            "",
            what.format(store=store, when=when),
            "",
            "Until a working key is set, Luneo cannot write production links onto your orders "
            "or import products. Orders already in Luneo keep their production files.",
            "",
            f"{action}: {link}",
            "",
            "You will not get another email about this until the key works again.",
            "",
            "Luneo",
        ]
    )
    return subject, body
