"""Outbound webhooks: signed, one event id across retries, backoff for a day, a log."""

from __future__ import annotations

import pytest

from connectors import signatures
from luneo_app.auth.apikeys import create_api_key
from luneo_app.core import uow
from luneo_app.extensions import db
from luneo_app.models import Brand, OutboundDelivery
from luneo_app.outbound import endpoints
from luneo_app.outbound import service as outbound_service
from luneo_app.outbound.service import backoff
from luneo_app.outbound.tasks import sweep_due_deliveries
from tests.orders.conftest import ENDPOINT_SECRET
from tests.orders.helpers import connect_endpoint
from tests.support.factories import make_brand


def send_event(*args, **kwargs):  # type: ignore[no-untyped-def]
    """The service call, then the commit its caller owns (the delivery is sent after it)."""
    delivery = outbound_service.send_event(*args, **kwargs)
    uow.commit()
    if delivery is not None:
        db.session.refresh(delivery)
    return delivery


@pytest.fixture()
def brand(app, receiver) -> Brand:  # type: ignore[no-untyped-def]
    row = make_brand()
    connect_endpoint(app, row, receiver.url + "/hooks/luneo", ENDPOINT_SECRET)
    return row


def test_an_event_arrives_signed_with_its_event_id(app, brand, receiver):
    delivery = send_event(brand, "order.production_ready", {"orderId": "ord_1"})

    [request] = receiver.wait_for(1)
    assert request.path == "/hooks/luneo" and request.signature_ok is True
    body = request.json()
    assert body["id"] == delivery.event_id == request.headers["Luneo-Event-Id"]
    assert body["type"] == "order.production_ready" and body["data"] == {"orderId": "ord_1"}
    assert request.headers["Content-Type"] == "application/json"
    db.session.refresh(delivery)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)


def test_a_signature_with_another_secret_or_a_changed_body_does_not_verify(app, brand, receiver):
    body = b'{"id":"evt_1"}'
    header = signatures.sign(ENDPOINT_SECRET, body)

    assert signatures.verify(ENDPOINT_SECRET, header, body) > 0
    for secret, sent in (("whsec_other", body), (ENDPOINT_SECRET, b'{"id":"evt_2"}')):
        with pytest.raises(signatures.SignatureMismatch):
            signatures.verify(secret, header, sent)
    old = signatures.sign(ENDPOINT_SECRET, body, timestamp=1_000_000)
    with pytest.raises(signatures.SignatureMismatch, match="tolerance"):
        signatures.verify(ENDPOINT_SECRET, old, body)


def test_a_500_is_retried_and_the_retry_carries_the_same_event_id_and_body(app, brand, receiver):
    receiver.fail_next(500)
    delivery = send_event(brand, "design.completed", {"designId": "des_1"})
    db.session.refresh(delivery)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("retrying", 1, 500)

    assert sweep_due_deliveries() == 1  # without a worker, due retries go out with the sweep

    first, second = receiver.wait_for(2)
    assert first.body == second.body and first.signature_ok and second.signature_ok
    assert first.headers["Luneo-Event-Id"] == second.headers["Luneo-Event-Id"]
    assert [first.headers["Luneo-Delivery-Attempt"], second.headers["Luneo-Delivery-Attempt"]] == [
        "1",
        "2",
    ]
    db.session.refresh(delivery)
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)
    assert [h["statusCode"] for h in delivery.history] == [500, 200]


def test_retries_back_off_exponentially_and_stop_after_the_window(app, brand, receiver):
    app.config.update(OUTBOUND_WEBHOOK_RETRY_BASE=60, OUTBOUND_WEBHOOK_RETRY_MAX=4 * 3600)
    delays = [backoff(n) for n in range(1, 12)]
    assert delays[:4] == [60, 120, 240, 480] and delays[-1] == 4 * 3600
    app.config.update(OUTBOUND_WEBHOOK_WINDOW=0, OUTBOUND_WEBHOOK_RETRY_BASE=1)
    receiver.fail_next(503)

    delivery = send_event(brand, "design.completed", {"designId": "des_2"})

    db.session.refresh(delivery)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 1, 503)
    assert sweep_due_deliveries() == 0


def test_the_same_event_key_is_sent_once(app, brand, receiver):
    first = send_event(brand, "design.completed", {"designId": "d"}, dedup_key="design:d")
    again = send_event(brand, "design.completed", {"designId": "d"}, dedup_key="design:d")

    assert first.id == again.id
    assert db.session.query(OutboundDelivery).count() == 1 and len(receiver.wait_for(1)) == 1


def test_a_brand_without_an_endpoint_gets_nothing(app):
    assert send_event(make_brand(), "design.completed", {"designId": "d"}) is None
    assert db.session.query(OutboundDelivery).count() == 0


def test_the_endpoint_secret_is_stored_encrypted_and_private_urls_are_refused_in_production(app):
    brand = make_brand()
    secret = endpoints.configure_endpoint(brand, "https://93.184.215.14/hooks")
    assert secret.startswith("whsec_") and secret not in brand.webhook_secret_enc
    assert endpoints.secret_of(brand) == secret

    app.config["OUTBOUND_WEBHOOK_ALLOW_PRIVATE"] = False
    for url in (
        "http://93.184.215.14/hooks",
        "https://127.0.0.1/x",
        "https://10.1.2.3/x",
        "https://169.254.169.254/latest",
        "https://user:pw@93.184.215.14/",
        "ftp://x",
    ):
        with pytest.raises(endpoints.EndpointRefused):
            endpoints.check_url(url)


def test_verify_sends_a_signed_test_event_and_reports_the_answer(app, client, brand, receiver):
    issued = create_api_key(brand)
    db.session.commit()
    headers = {"Authorization": f"Bearer {issued.plaintext}"}

    answer = client.get("/v1/webhooks/verify", headers=headers)
    too_soon = client.get("/v1/webhooks/verify", headers=headers)

    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["ok"] is True and body["statusCode"] == 200
    [request] = receiver.wait_for(1)
    assert request.signature_ok and request.json()["type"] == "webhook.test"
    assert request.json()["id"] == body["eventId"]
    assert too_soon.status_code == 429
    log = client.get("/v1/webhooks/deliveries", headers=headers).get_json()["deliveries"]
    assert [(d["type"], d["status"], d["attempts"]) for d in log] == [
        ("webhook.test", "succeeded", 1)
    ]


def test_verify_reports_a_failing_endpoint_and_a_missing_url(app, client, brand, receiver):
    issued = create_api_key(brand)
    bare = make_brand(name="No Endpoint")
    bare_key = create_api_key(bare)
    db.session.commit()
    receiver.fail_next(500)

    failing = client.get(
        "/v1/webhooks/verify", headers={"Authorization": f"Bearer {issued.plaintext}"}
    )
    missing = client.get(
        "/v1/webhooks/verify", headers={"Authorization": f"Bearer {bare_key.plaintext}"}
    )
    anonymous = client.get("/v1/webhooks/verify")

    assert failing.status_code == 200
    assert (failing.get_json()["ok"], failing.get_json()["statusCode"]) == (False, 500)
    assert missing.status_code == 409 and missing.get_json()["error"]["code"] == "no_webhook_url"
    assert anonymous.status_code == 401


def test_a_budget_alert_reaches_the_brand_and_is_stamped_delivered(app, brand, receiver):
    from luneo_app.ai import alerts
    from luneo_app.core.clock import utcnow
    from luneo_app.models import BudgetAlert

    alert = BudgetAlert(
        brand_id=brand.id,
        month="2026-11",
        threshold_percent=75,
        spent_cents=1500,
        budget_cents=2000,
        created_at=utcnow(),
    )
    db.session.add(alert)
    db.session.commit()

    alerts.dispatch([alert])

    [request] = receiver.wait_for(1)
    assert request.signature_ok and request.json()["type"] == "budget.alert"
    assert request.json()["data"]["thresholdPercent"] == 75
    db.session.refresh(alert)
    assert alert.delivered_at is not None and alerts.pending(brand.id) == []
