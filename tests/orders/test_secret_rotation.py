"""Rotating a webhook signing secret: both secrets sign during the overlap window (two
``v1`` values in ``Luneo-Signature``), only the new one after it."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import pytest

from connectors import signatures
from luneo_app.core import clock, uow
from luneo_app.extensions import db
from luneo_app.outbound import endpoints
from luneo_app.outbound import service as outbound_service
from tests.orders.conftest import ENDPOINT_SECRET
from tests.orders.helpers import connect_endpoint
from tests.support.factories import make_brand


def _parts(header: str) -> tuple[int, list[str]]:
    """Read the header as a receiver's own code would: ``t=...,v1=...,v1=...``."""
    fields = [part.split("=", 1) for part in header.split(",")]
    stamp = int(next(v for k, v in fields if k == "t"))
    return stamp, [v for k, v in fields if k == "v1"]


def _hmac(secret: str, stamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()


@pytest.fixture()
def brand(app, receiver):  # type: ignore[no-untyped-def]
    row = make_brand()
    connect_endpoint(app, row, receiver.url + "/hooks/luneo", ENDPOINT_SECRET)
    return row


def _send(brand, receiver, count: int):  # type: ignore[no-untyped-def]
    outbound_service.send_event(brand, "order.production_ready", {"orderId": f"ord_{count}"})
    uow.commit()
    return receiver.wait_for(count)[-1]


def test_both_secrets_sign_inside_the_window_and_only_the_new_one_after(
    app, brand, receiver, monkeypatch
):
    new_secret = endpoints.rotate_secret(brand, timedelta(hours=24))
    db.session.commit()
    assert new_secret.startswith("whsec_") and new_secret != ENDPOINT_SECRET

    request = _send(brand, receiver, 1)
    header = request.headers[signatures.HEADER]
    stamp, values = _parts(header)
    assert values == [
        _hmac(new_secret, stamp, request.body),
        _hmac(ENDPOINT_SECRET, stamp, request.body),
    ]
    # A receiver holding either secret verifies the same request.
    assert request.signature_ok is True  # the fake receiver still holds the old secret
    assert signatures.verify(new_secret, header, request.body) == stamp
    assert signatures.verify(ENDPOINT_SECRET, header, request.body) == stamp

    monkeypatch.setattr(
        endpoints, "utcnow", lambda: clock.utcnow() + timedelta(hours=24, seconds=1)
    )
    receiver.secret = new_secret
    request = _send(brand, receiver, 2)
    header = request.headers[signatures.HEADER]
    stamp, values = _parts(header)
    assert values == [_hmac(new_secret, stamp, request.body)]
    assert request.signature_ok is True
    with pytest.raises(signatures.SignatureMismatch):
        signatures.verify(ENDPOINT_SECRET, header, request.body)


def test_a_rotation_without_overlap_or_a_new_url_stops_the_old_secret_at_once(app, brand, receiver):
    endpoints.rotate_secret(brand, timedelta(0))
    db.session.commit()
    request = _send(brand, receiver, 1)
    assert request.signature_ok is False  # the receiver only knows the old secret
    assert len(_parts(request.headers[signatures.HEADER])[1]) == 1

    endpoints.rotate_secret(brand, timedelta(hours=2))
    assert endpoints.previous_secret_until(brand) is not None
    endpoints.configure_endpoint(brand, receiver.url + "/hooks/other")
    db.session.commit()
    assert endpoints.previous_secret_until(brand) is None
    assert brand.webhook_secret_old_enc is None
