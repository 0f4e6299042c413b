"""Encryption at rest and secret redaction in logs (the key-value store: test_kv.py)."""

from __future__ import annotations

import json
import logging

import pytest

from luneo_app.core.crypto import CryptoError, Keyring, generate_key
from luneo_app.observability.logs import JsonFormatter, redact


def test_tokens_round_trip_and_rotate_without_downtime():
    old = generate_key("k1")
    new = generate_key("k2")
    ring_before = Keyring.parse(old)
    sealed = ring_before.encrypt("shpat_secret_token")
    assert "shpat_secret_token" not in sealed
    assert ring_before.key_id_of(sealed) == "k1"
    ring_during = Keyring.parse(new, old)
    assert ring_during.decrypt(sealed) == "shpat_secret_token"
    resealed = ring_during.encrypt("shpat_secret_token")
    assert ring_during.key_id_of(resealed) == "k2"
    with pytest.raises(CryptoError):
        Keyring.parse(old).decrypt(resealed)


def test_tampered_ciphertext_is_refused():
    ring = Keyring.parse(generate_key("k1"))
    sealed = ring.encrypt("secret")
    flipped = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    with pytest.raises(CryptoError):
        ring.decrypt(flipped)
    relabelled = sealed.replace("v1.k1.", "v1.k2.")
    with pytest.raises(CryptoError):
        Keyring.parse(generate_key("k2"), generate_key("k1")).decrypt(relabelled)


def test_bad_keys_are_refused_clearly():
    with pytest.raises(CryptoError, match="32 bytes"):
        Keyring.parse("k1:c2hvcnQ=")
    with pytest.raises(CryptoError, match="kid:base64key"):
        Keyring.parse("nokid")


def test_logs_are_json_and_never_carry_tokens():
    record = logging.makeLogRecord(
        {"msg": "exchanged access_token=shpat_abcdef123456 ok", "levelname": "INFO", "name": "t"}
    )
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert "shpat_abcdef123456" not in line
    assert entry["level"] == "INFO"
    assert redact("key lk_ab12_SECRETSECRETSECRET") == "key lk_ab12_***"


def test_woocommerce_keys_in_a_logged_request_url_are_masked():
    # httpx logs every request's URL at INFO; over plain HTTP WooCommerce's OAuth 1.0a puts
    # the consumer key and the signature in the query string.
    url = (
        "HTTP Request: GET http://shop.test/wp-json/wc/v3/orders/7?oauth_consumer_key="
        'ck_0123456789abcdef&oauth_signature=Zm9vYmFyYmF6&oauth_nonce=n1 "HTTP/1.1 200 OK"'
    )
    line = JsonFormatter().format(logging.makeLogRecord({"msg": url, "name": "httpx"}))
    assert "ck_0123456789abcdef" not in line and "Zm9vYmFyYmF6" not in line
    assert "/wp-json/wc/v3/orders/7" in line
    assert redact("consumer_secret=cs_abcdef0123456789") == "consumer_secret=***"
