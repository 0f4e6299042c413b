"""Sign-up, verification, the token pair, refresh rotation and reuse, reset by mail."""

from __future__ import annotations

from sqlalchemy import select

from luneo_app.extensions import db
from luneo_app.models import Account, AuditEvent, Brand, RefreshToken
from tests.accounts.helpers import PASSWORD, api_sign_up, bearer, login


def _actions(brand_id: str) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.brand_id == brand_id)
            .order_by(AuditEvent.created_at)
        )
    )


def test_sign_up_mails_a_link_and_the_api_stays_off_until_it_is_opened(client, mailbox):
    r = client.post(
        "/v1/auth/signup",
        json={"brandName": "Acme", "email": "Owner@Acme-Brand.com", "password": PASSWORD},
    )
    assert r.status_code == 201
    body = r.get_json()
    assert body["emailVerified"] is False and body["verificationSent"] is True
    brand = db.session.get(Brand, body["brandId"])
    assert brand.kind == "api" and brand.status == "unverified"
    assert brand.monthly_ai_budget_cents == 0  # no AI money before verification

    tokens = login(client, "owner@acme-brand.com")
    r = client.get("/v1/ai/usage", headers=bearer(tokens["accessToken"]))
    assert r.status_code == 403
    assert r.get_json()["error"]["code"] == "email_unverified"

    mail = mailbox.last("owner@acme-brand.com", "verify")
    assert client.post("/v1/auth/verify-email", json={"token": mail.token()}).status_code == 200
    db.session.expire_all()
    brand = db.session.get(Brand, body["brandId"])
    assert brand.status == "active" and brand.monthly_ai_budget_cents is None
    r = client.get("/v1/ai/usage", headers=bearer(tokens["accessToken"]))
    assert r.status_code == 200
    assert {"account.signed_up", "auth.signed_in", "account.email_verified"} <= set(
        _actions(brand.id)
    )


def test_passwords_are_stored_as_argon2_hashes(client, mailbox):
    owner = api_sign_up(client, mailbox, "owner@acme-brand.com")
    account = db.session.get(Account, owner.account_id)
    assert account.password_hash.startswith("$argon2id$")
    assert PASSWORD not in account.password_hash


def test_unknown_email_and_wrong_password_get_the_same_answer(client, mailbox):
    api_sign_up(client, mailbox, "owner@acme-brand.com")
    wrong = client.post(
        "/v1/auth/login", json={"email": "owner@acme-brand.com", "password": "not the password"}
    )
    unknown = client.post(
        "/v1/auth/login", json={"email": "nobody@acme-brand.com", "password": "not the password"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()


def test_bad_sign_ups_are_refused_and_nothing_is_written(client, mailbox):
    api_sign_up(client, mailbox, "owner@acme-brand.com")
    cases = [
        ({"brandName": "B", "email": "not-an-email", "password": PASSWORD}, 422),
        ({"brandName": "B2", "email": "x@acme-brand.com", "password": "short"}, 422),
        ({"brandName": "Other", "email": "OWNER@acme-brand.com", "password": PASSWORD}, 409),
        ({"brandName": "Other", "email": "y@acme-brand.com"}, 422),
    ]
    for body, status in cases:
        r = client.post("/v1/auth/signup", json=body)
        assert r.status_code == status, (body, r.get_json())
        assert set(r.get_json()["error"]) == {"code", "message", "details"}
    assert db.session.scalar(select(db.func.count()).select_from(Brand)) == 1
    assert db.session.scalar(select(db.func.count()).select_from(Account)) == 1


def test_sign_ups_are_limited_per_address(app, client, mailbox):
    limit = app.config["SIGNUPS_PER_ADDRESS_PER_DAY"]
    for i in range(limit):
        body = {"brandName": f"Brand {i}", "email": f"o{i}@acme-brand.com", "password": PASSWORD}
        assert client.post("/v1/auth/signup", json=body).status_code == 201
    body = {"brandName": "One more", "email": "more@acme-brand.com", "password": PASSWORD}
    r = client.post("/v1/auth/signup", json=body)
    assert r.status_code == 429
    assert db.session.scalar(select(Account).where(Account.email == "more@acme-brand.com")) is None


def test_refresh_rotates_and_reusing_an_old_token_signs_the_whole_family_out(client, mailbox):
    owner = api_sign_up(client, mailbox, "owner@acme-brand.com")
    first = login(client, owner.email)
    second = client.post("/v1/auth/refresh", json={"refreshToken": first["refreshToken"]})
    assert second.status_code == 200
    second = second.get_json()
    assert second["refreshToken"] != first["refreshToken"]
    third = client.post("/v1/auth/refresh", json={"refreshToken": second["refreshToken"]})
    assert third.status_code == 200
    third = third.get_json()

    # Someone replays the first (already used) token: everything of that sign-in ends.
    r = client.post("/v1/auth/refresh", json={"refreshToken": first["refreshToken"]})
    assert r.status_code == 401
    assert r.get_json()["error"]["code"] == "refresh_token_reused"
    r = client.post("/v1/auth/refresh", json={"refreshToken": third["refreshToken"]})
    assert r.status_code == 401
    rows = db.session.scalars(
        select(RefreshToken).where(RefreshToken.account_id == owner.account_id)
    ).all()
    assert rows and all(row.revoked_at is not None for row in rows)
    assert "auth.refresh_reused" in _actions(owner.brand_id)

    # Another sign-in (another family) is unaffected.
    other = login(client, owner.email)
    assert (
        client.post("/v1/auth/refresh", json={"refreshToken": other["refreshToken"]}).status_code
        == 200
    )


def test_refresh_tokens_are_stored_hashed_and_expire(app, client, mailbox):
    owner = api_sign_up(client, mailbox, "owner@acme-brand.com")
    pair = login(client, owner.email)
    row = db.session.scalar(select(RefreshToken).where(RefreshToken.account_id == owner.account_id))
    assert pair["refreshToken"] not in row.token_hash
    assert pair["expiresIn"] == 900
    lifetime = row.expires_at - row.created_at
    assert lifetime.total_seconds() == 7 * 86400
    from datetime import timedelta

    row.expires_at = row.created_at - timedelta(seconds=1)
    db.session.commit()
    r = client.post("/v1/auth/refresh", json={"refreshToken": pair["refreshToken"]})
    assert r.status_code == 401
    assert r.get_json()["error"]["code"] == "invalid_refresh_token"


def test_logout_revokes_the_refresh_token(client, mailbox):
    owner = api_sign_up(client, mailbox, "owner@acme-brand.com")
    pair = login(client, owner.email)
    assert (
        client.post("/v1/auth/logout", json={"refreshToken": pair["refreshToken"]}).status_code
        == 204
    )
    r = client.post("/v1/auth/refresh", json={"refreshToken": pair["refreshToken"]})
    assert r.status_code == 401


def test_an_expired_or_forged_access_token_is_refused(app, client, mailbox):
    import jwt

    owner = api_sign_up(client, mailbox, "owner@acme-brand.com")
    pair = login(client, owner.email)
    claims = jwt.decode(pair["accessToken"], options={"verify_signature": False})
    forged = jwt.encode(
        {**claims, "brand": "brd_other"},
        "not-our-secret-but-long-enough-for-hs256",
        algorithm="HS256",
        headers={"kid": "luneo-user"},
    )
    r = client.get("/v1/ai/usage", headers=bearer(forged))
    assert r.status_code == 401
    from luneo_app.accounts.tokens import signing_key

    expired = jwt.encode(
        {**claims, "exp": claims["iat"] - 1},
        signing_key(),
        algorithm="HS256",
        headers={"kid": "luneo-user"},
    )
    r = client.get("/v1/ai/usage", headers=bearer(expired))
    assert r.status_code == 401
    assert r.get_json()["error"]["code"] == "token_expired"


def test_password_reset_by_mail_works_once_and_ends_every_session(client, mailbox):
    owner = api_sign_up(client, mailbox, "owner@acme-brand.com")
    pair = login(client, owner.email)
    assert client.post("/v1/auth/password-reset", json={"email": owner.email}).status_code == 202
    assert (
        client.post("/v1/auth/password-reset", json={"email": "nobody@acme-brand.com"}).status_code
        == 202
    )
    token = mailbox.last(owner.email, "reset").token()
    new = "a brand new passphrase"
    body = {"token": token, "password": new}
    assert client.post("/v1/auth/password-reset/confirm", json=body).status_code == 204
    again = client.post(
        "/v1/auth/password-reset/confirm", json={"token": token, "password": "another one here"}
    )
    assert again.status_code == 400
    assert client.get("/v1/ai/usage", headers=bearer(pair["accessToken"])).status_code == 401
    assert (
        client.post("/v1/auth/refresh", json={"refreshToken": pair["refreshToken"]}).status_code
        == 401
    )
    assert (
        client.post("/v1/auth/login", json={"email": owner.email, "password": PASSWORD}).status_code
        == 401
    )
    login(client, owner.email, new)
    assert len([m for m in mailbox.mails if "reset" in m.subject.lower()]) == 1
