"""Access tokens: encrypted at rest, refreshed before expiry, rotated keys, migration."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from connectors.shopify import ShopifyUnavailable
from luneo_app.core.crypto import generate_key
from luneo_app.extensions import db
from luneo_app.shopify.tokens import (
    REFRESH_MARGIN,
    TokenUnavailable,
    access_token_for,
    shop_graphql,
)
from tests.shopify.conftest import shopify_config
from tests.shopify.helpers import SHOP, install_of, seed_install


def _decrypt(app, value: str) -> str:  # type: ignore[no-untyped-def]
    return app.extensions["luneo.keyring"].decrypt(value)


def _expire(minutes_left: float) -> None:
    install = install_of()
    install.access_token_expires_at = datetime.now(UTC) + timedelta(minutes=minutes_left)
    db.session.commit()


def test_tokens_are_stored_encrypted_with_a_key_id_and_never_logged(
    app, client, fake_shopify, caplog
):
    caplog.set_level(logging.DEBUG)
    client.get(
        "/test-shopify/api/whoami",
        headers={"Authorization": f"Bearer {fake_shopify.session_token(SHOP)}"},
    )
    _expire(-1)
    token = access_token_for(SHOP)
    install = install_of()
    refresh = _decrypt(app, install.refresh_token_enc)

    kid = app.extensions["luneo.keyring"].current
    assert install.access_token_enc.startswith(f"v1.{kid}.")
    assert install.refresh_token_enc.startswith(f"v1.{kid}.")
    with db.engine.connect() as conn:
        dump = " ".join(
            str(value)
            for table in ("shop_installs", "audit_events", "brands")
            for row in conn.execute(text(f"SELECT * FROM {table}"))  # noqa: S608
            for value in row
        )
    assert token not in dump and refresh not in dump
    assert "shpat_" not in dump and "shprt_" not in dump
    assert fake_shopify.count("refresh") == 1
    logged = "\n".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
    assert token not in logged and refresh not in logged


def test_a_token_about_to_expire_is_refreshed_and_the_new_refresh_token_stored(app, fake_shopify):
    _brand, _install, grant = seed_install(app, fake_shopify)
    _expire((REFRESH_MARGIN / timedelta(minutes=1)) - 1)

    token = access_token_for(SHOP)

    assert token != grant.access_token
    assert fake_shopify.token_is_valid(SHOP, token)
    assert fake_shopify.count("refresh") == 1
    install = install_of()
    assert _decrypt(app, install.refresh_token_enc) != grant.refresh_token
    expires = install.access_token_expires_at.replace(tzinfo=UTC)
    assert timedelta(minutes=59) < expires - datetime.now(UTC) <= timedelta(hours=1)
    assert access_token_for(SHOP) == token  # fresh now: no second refresh
    assert fake_shopify.count("refresh") == 1


def test_a_token_far_from_expiry_is_used_as_is(app, fake_shopify):
    _brand, _install, grant = seed_install(app, fake_shopify)

    assert access_token_for(SHOP) == grant.access_token
    assert fake_shopify.count("refresh") == 0


def test_a_refresh_response_without_expiry_times_does_not_break_the_next_refresh(app, fake_shopify):
    seed_install(app, fake_shopify)
    fake_shopify.omit("refresh", "expires_in", "refresh_token_expires_in")
    _expire(-1)

    first = access_token_for(SHOP)

    install = install_of()
    assert install.access_token_expires_at is not None
    assert install.refresh_token_expires_at is None  # unknown, not "expired now"
    fake_shopify.omit("refresh")
    _expire(-1)
    second = access_token_for(SHOP)
    assert second != first and fake_shopify.token_is_valid(SHOP, second)
    assert fake_shopify.count("refresh") == 2


def test_a_refused_refresh_token_drops_the_tokens_so_the_next_admin_visit_reinstalls(
    app, client, fake_shopify
):
    seed_install(app, fake_shopify)
    fake_shopify.fail_next("refresh", 400, {"error": "invalid_grant", "error_description": "x"})
    _expire(-1)

    with pytest.raises(TokenUnavailable):
        access_token_for(SHOP)

    install = install_of()
    assert install.access_token_enc is None and "refresh token" in install.last_error
    response = client.get(
        "/test-shopify/api/whoami",
        headers={"Authorization": f"Bearer {fake_shopify.session_token(SHOP)}"},
    )
    assert response.status_code == 200
    assert fake_shopify.count("exchange") == 1
    assert install_of().access_token_enc is not None


def test_shopify_down_during_a_refresh_keeps_a_still_valid_token_and_fails_an_expired_one(
    app, fake_shopify
):
    _brand, _install, grant = seed_install(app, fake_shopify)
    fake_shopify.fail_next("refresh", 503, "<html>down</html>", times=3)
    _expire(2)

    assert access_token_for(SHOP) == grant.access_token

    fake_shopify.fail_next("refresh", 503, "<html>down</html>", times=3)
    _expire(-1)
    with pytest.raises(ShopifyUnavailable):
        access_token_for(SHOP)


def test_a_token_shopify_rejects_is_refreshed_once_and_the_call_retried(app, fake_shopify):
    seed_install(app, fake_shopify)
    fake_shopify.fail_next("graphql", 401, {"errors": "[API] Invalid API key or access token"})

    data = shop_graphql(SHOP, "query { shop { name } }")

    assert data["shop"]["name"] == "Acme Mugs"
    assert fake_shopify.count("refresh") == 1
    assert fake_shopify.count("graphql") == 2


def test_an_uninstalled_shop_has_no_token(app, fake_shopify):
    seed_install(app, fake_shopify)
    install = install_of()
    install.uninstalled_at = datetime.now(UTC)
    db.session.commit()

    with pytest.raises(TokenUnavailable):
        access_token_for(SHOP)


def test_rotate_key_reencrypts_every_token_with_the_new_key(app, fake_shopify, build_app):
    _brand, _install, grant = seed_install(app, fake_shopify)
    old_key = app.config["LUNEO_ENCRYPTION_KEY"]
    new_key = generate_key("k2")
    rotated = build_app(
        shopify_config(
            fake_shopify, LUNEO_ENCRYPTION_KEY=new_key, LUNEO_ENCRYPTION_OLD_KEYS=old_key
        )
    )

    with rotated.app_context():  # the CLI runs in the current app context
        result = rotated.test_cli_runner().invoke(args=["luneo", "rotate-key"])

    assert result.exit_code == 0, result.output
    assert "rewritten with key k2: 2" in result.output
    install = install_of()
    assert install.access_token_enc.startswith("v1.k2.")
    assert install.refresh_token_enc.startswith("v1.k2.")
    only_new = build_app(shopify_config(fake_shopify, LUNEO_ENCRYPTION_KEY=new_key))
    with only_new.app_context():
        assert access_token_for(SHOP) == grant.access_token


def test_rotate_key_without_the_old_key_changes_nothing_and_says_why(app, fake_shopify, build_app):
    seed_install(app, fake_shopify)
    before = install_of().access_token_enc
    stranger = build_app(shopify_config(fake_shopify, LUNEO_ENCRYPTION_KEY=generate_key("k3")))

    with stranger.app_context():
        result = stranger.test_cli_runner().invoke(args=["luneo", "rotate-key"])

    assert result.exit_code != 0
    assert "LUNEO_ENCRYPTION_OLD_KEYS" in result.output
    assert install_of().access_token_enc == before


def test_migrate_tokens_trades_non_expiring_tokens_for_expiring_ones(app, fake_shopify):
    _brand, _install, legacy = seed_install(app, fake_shopify, expiring=False)
    assert install_of().token_kind == "legacy"

    result = app.test_cli_runner().invoke(args=["luneo", "migrate-tokens"])

    assert result.exit_code == 0, result.output
    assert f"migrated: 1\n  {SHOP}" in result.output
    install = install_of()
    assert install.token_kind == "expiring" and install.refresh_token_enc
    assert fake_shopify.count("migrate") == 1
    assert not fake_shopify.token_is_valid(SHOP, legacy.access_token)
    assert fake_shopify.token_is_valid(SHOP, access_token_for(SHOP))
    again = app.test_cli_runner().invoke(args=["luneo", "migrate-tokens"])
    assert "migrated: 0" in again.output and fake_shopify.count("migrate") == 1
