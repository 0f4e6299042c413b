"""Progressive delays after failed sign-ins: per address, per account and address, per
account, and never a lock that one address can put on the owner."""

from __future__ import annotations

import time

from sqlalchemy import select

from luneo_app.accounts import throttle
from luneo_app.extensions import db
from luneo_app.models import AuditEvent
from tests.accounts.helpers import PASSWORD, api_sign_up

ATTACKER = {"REMOTE_ADDR": "203.0.113.9"}
OWNER_HOME = {"REMOTE_ADDR": "198.51.100.7"}


def _login(client, email, password, env):  # type: ignore[no-untyped-def]
    return client.post(
        "/v1/auth/login", json={"email": email, "password": password}, environ_base=env
    )


def test_repeated_failures_earn_growing_waits_with_retry_after(client, mailbox):
    owner = api_sign_up(client, mailbox, "owner@acme-brand.com")
    for _ in range(throttle.PAIR.free):
        assert _login(client, owner.email, "wrong password!", ATTACKER).status_code == 401
    # The next failure starts a wait; during it even the right password is refused.
    assert _login(client, owner.email, "wrong password!", ATTACKER).status_code == 401
    r = _login(client, owner.email, PASSWORD, ATTACKER)
    assert r.status_code == 429
    assert r.get_json()["error"]["code"] == "too_many_attempts"
    first_wait = int(r.headers["Retry-After"])
    assert first_wait >= 1

    time.sleep(first_wait + 0.05)
    assert _login(client, owner.email, "wrong password!", ATTACKER).status_code == 401
    r = _login(client, owner.email, PASSWORD, ATTACKER)
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) >= first_wait  # it grows

    failures = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed")
    ).all()
    assert len(failures) == throttle.PAIR.free + 2
    assert all(f.details["address"] == ATTACKER["REMOTE_ADDR"] for f in failures)


def test_an_attacker_cannot_lock_the_owner_out(client, mailbox):
    owner = api_sign_up(client, mailbox, "owner@acme-brand.com")
    for _ in range(throttle.PAIR.free + 3):
        _login(client, owner.email, "wrong password!", ATTACKER)
    assert _login(client, owner.email, PASSWORD, ATTACKER).status_code == 429
    # From the owner's own address the right password still works.
    assert _login(client, owner.email, PASSWORD, OWNER_HOME).status_code == 200


def test_one_address_guessing_many_accounts_is_slowed_down(client, mailbox):
    api_sign_up(client, mailbox, "owner@acme-brand.com")
    for i in range(throttle.ADDRESS.free + 1):
        r = _login(client, f"guess{i}@acme-brand.com", "wrong password!", ATTACKER)
        assert r.status_code == 401
    r = _login(client, "owner@acme-brand.com", PASSWORD, ATTACKER)
    assert r.status_code == 429
    assert _login(client, "owner@acme-brand.com", PASSWORD, OWNER_HOME).status_code == 200


def test_the_wait_per_account_is_capped_low(client, mailbox):
    assert throttle.ACCOUNT.cap <= 30
    assert throttle.PAIR.cap >= 900 and throttle.ADDRESS.cap >= 900
