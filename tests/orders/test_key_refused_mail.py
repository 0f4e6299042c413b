"""A store that refuses Luneo's key (WooCommerce key revoked, a REST brand's API key withdrawn)
is told to the brand by email, once per incident, through a real SMTP server (aiosmtpd), with
no key or secret in it; once the key works again, the next refusal is told again."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from luneo_app.commerce.connections import unseal
from luneo_app.commerce.tasks import check_stores
from luneo_app.extensions import db
from luneo_app.models import Account, CommerceConnection, Order
from tests.accounts.mailbox import Mailbox
from tests.orders.helpers import make_design
from tests.orders.test_rest_connector import brand_api, event, post, rest_brand  # noqa: F401
from tests.orders.test_woocommerce import connect, relay, woo, woo_brand  # noqa: F401


@pytest.fixture()
def mailbox(app) -> Iterator[Mailbox]:  # type: ignore[no-untyped-def]
    box = Mailbox().start()
    app.config["SMTP_URL"] = box.url
    try:
        yield box
    finally:
        box.stop()


def team(brand) -> None:  # type: ignore[no-untyped-def]
    """An owner, an admin, a developer, and an admin whose invitation is not accepted yet."""
    now = datetime.now(UTC)
    for email, role, status in [
        ("owner@acme.test", "owner", "active"),
        ("admin@acme.test", "admin", "active"),
        ("dev@acme.test", "developer", "active"),
        ("invited@acme.test", "admin", "invited"),
    ]:
        db.session.add(
            Account(brand_id=brand.id, email=email, role=role, status=status,
                    email_verified_at=now)
        )  # fmt: skip
    db.session.commit()


def _connection() -> CommerceConnection:
    row = db.session.scalar(db.select(CommerceConnection))
    db.session.refresh(row)
    return row


def test_a_revoked_woocommerce_key_emails_the_owners_and_admins_once(app, client, woo, mailbox):  # noqa: F811
    brand, product = woo_brand(app, client, woo)
    team(brand)
    keys = json.loads(unseal(_connection().credential_enc))
    webhook_secret = unseal(_connection().inbound_secret_enc)
    woo.revoke_all_keys()

    # The order still comes in by webhook; its write-back is refused, then the hourly check.
    order = woo.add_order([{"design": make_design(product).id}])
    assert relay(client, *woo.delivery("order.created", order)).status_code == 200
    assert check_stores() == 1
    assert check_stores() == 1

    assert _connection().status == "failing"
    assert db.session.scalar(db.select(Order)).production_status == "ready"
    assert sorted(m.to[0] for m in mailbox.mails) == ["admin@acme.test", "owner@acme.test"]
    mail = mailbox.mails[0]
    assert mail.subject == "Luneo: your WooCommerce store refused Luneo's key"
    assert woo.origin in mail.body
    assert app.config["APP_URL"] + "/console/connector" in mail.body
    for secret in (keys["key"], keys["secret"], webhook_secret, "ck_", "cs_"):
        assert secret not in mail.body


def test_after_reconnecting_a_new_refusal_is_a_new_incident_and_told_again(
    app,
    client,
    woo,  # noqa: F811
    mailbox,
):
    brand, _product = woo_brand(app, client, woo)
    team(brand)
    woo.revoke_all_keys()
    check_stores()
    assert len(mailbox.mails) == 2

    connect(app, client, woo, brand)  # a fresh key: the incident is over
    assert _connection().status == "connected" and _connection().key_refused_at is None
    check_stores()
    assert len(mailbox.mails) == 2  # the new key works: nothing to tell

    woo.revoke_all_keys()
    check_stores()
    assert len(mailbox.mails) == 4


def test_a_rest_brand_whose_api_refuses_the_key_is_emailed_once(app, client, brand_api, mailbox):  # noqa: F811
    brand, secret, _mug = rest_brand(app, brand_api)
    team(brand)
    brand_api.route("GET", "/api/orders/SO-7", 401, {"error": "revoked"})

    for event_id in ("evt_a", "evt_b"):
        answer = post(client, brand, secret, event("order.created", {"orderId": "SO-7"}, event_id))
        assert answer.status_code == 502

    assert _connection().status == "failing"
    assert sorted(m.to[0] for m in mailbox.mails) == ["admin@acme.test", "owner@acme.test"]
    mail = mailbox.mails[0]
    assert mail.subject == "Luneo: your API refused Luneo's key"
    assert brand_api.url + "/api" in mail.body
    assert "brand-api-key" not in mail.body and secret not in mail.body


def test_a_relay_that_is_down_leaves_the_incident_to_be_told_at_the_next_refusal(
    app,
    client,
    woo,  # noqa: F811
    mailbox,
):
    brand, _product = woo_brand(app, client, woo)
    team(brand)
    woo.revoke_all_keys()
    app.config["SMTP_URL"] = "smtp://127.0.0.1:9"  # nothing listens: the relay is down

    check_stores()

    assert _connection().status == "failing" and _connection().key_refused_at is None
    app.config["SMTP_URL"] = mailbox.url
    check_stores()
    assert len(mailbox.mails) == 2
