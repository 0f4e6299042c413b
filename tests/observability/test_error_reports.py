"""Sentry: an unhandled error reaches the ingest endpoint without secrets or personal data."""

from __future__ import annotations

import json

import pytest

from luneo_app import create_app
from luneo_app.observability.errors import shutdown_error_reporting
from tests.conftest import clean_state, make_config
from tests.fakes.sentry import FakeSentry

EMAIL = "jessica.shopper@example.com"
ADDRESS = "12 Rue des Lilas"
TOKEN = "shpat_0123456789abcdef0123456789abcdef"
API_KEY = "lk_live_9f8e7d6c5b4a39281706f5e4d3c2b1a0"


@pytest.fixture()
def sentry():  # type: ignore[no-untyped-def]
    with FakeSentry() as fake:
        yield fake


@pytest.fixture()
def reporting_app(_schema, sentry):  # type: ignore[no-untyped-def]
    application = create_app(make_config(SENTRY_DSN=sentry.dsn, SENTRY_ENVIRONMENT="test"))
    clean_state(application)
    try:
        yield application
    finally:
        shutdown_error_reporting()


def test_an_unhandled_error_is_reported_without_secrets_email_or_address(reporting_app, sentry):
    def explode():  # type: ignore[no-untyped-def]
        shipping = {"address1": ADDRESS, "email": EMAIL}  # noqa: F841 - a local Sentry would read
        access_token = TOKEN  # noqa: F841
        raise RuntimeError(f"could not reach {EMAIL} with token {TOKEN} at {ADDRESS!r}"[:60])

    reporting_app.add_url_rule("/v1/_explode", "explode", explode, methods=["POST"])
    client = reporting_app.test_client()
    answer = client.post(
        "/v1/_explode?email=" + EMAIL,
        json={"shipping": {"address1": ADDRESS}, "email": EMAIL},
        headers={"Authorization": f"Bearer {API_KEY}", "Cookie": f"luneo_console={TOKEN}"},
    )
    assert answer.status_code == 500
    import sentry_sdk

    sentry_sdk.flush(timeout=5)
    event = sentry.wait_for_event()
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert "[email]" in event["exception"]["values"][-1]["value"]  # masked, not dropped
    assert event["environment"] == "test"
    assert event["request"]["url"].endswith("/v1/_explode")
    frames = event["exception"]["values"][-1]["stacktrace"]["frames"]
    assert any(frame["function"] == "explode" for frame in frames)
    sent = b"".join(sentry.raw).decode()
    for secret in (EMAIL, ADDRESS, TOKEN, API_KEY, "jessica.shopper"):
        assert secret not in sent, secret
    assert "RuntimeError" in sent and json.dumps(event)  # the report itself arrived whole
