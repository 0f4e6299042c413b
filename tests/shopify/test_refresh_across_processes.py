"""Two OS processes find the same shop's token due at once: Shopify sees one refresh,
with the shop lock on Redis and on the database."""

from __future__ import annotations

import multiprocessing

import pytest

from tests.shopify.helpers import API_KEY, API_SECRET, SHOP, install_of, seed_install
from tests.shopify.processes import refresh_in_child
from tests.support.env import database_url, need, redis_url


@pytest.mark.parametrize("shared_state", ["redis", "database"])
def test_two_processes_refreshing_the_same_shop_make_one_refresh_call(
    app, fake_shopify, shared_state
):
    need("DATABASE_URL", database_url())
    if shared_state == "redis":
        need("REDIS_URL", redis_url())
    _brand, _install, grant = seed_install(app, fake_shopify, expires_in=-60)
    fake_shopify.delay("refresh", 0.5)  # both processes are surely waiting while one refreshes
    env = {
        "DATABASE_URL": database_url(),
        # without Redis the shop lock is a kv_entries row of the database
        "REDIS_URL": redis_url() if shared_state == "redis" else "",
        "SHOPIFY_API_KEY": API_KEY,
        "SHOPIFY_API_SECRET": API_SECRET,
        "SHOPIFY_ADMIN_ORIGIN": fake_shopify.origin,
        "LUNEO_DEMO_MODE": "0",
        "LUNEO_ENCRYPTION_KEY": app.config["LUNEO_ENCRYPTION_KEY"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "LUNEO_INSTANCE_DIR": app.instance_path,
        "STORAGE_DIR": app.config["STORAGE_DIR"],
        "CELERY_EAGER": "1",
    }
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    children = [
        ctx.Process(target=refresh_in_child, args=(env, SHOP, barrier, results)) for _ in range(2)
    ]
    for child in children:
        child.start()
    answers = [results.get(timeout=90) for _ in children]
    for child in children:
        child.join(30)

    assert [status for status, _ in answers] == ["ok", "ok"], answers
    tokens = {token for _, token in answers}
    assert len(tokens) == 1 and grant.access_token not in tokens
    assert fake_shopify.count("refresh") == 1
    assert fake_shopify.token_is_valid(SHOP, tokens.pop())
    keyring = app.extensions["luneo.keyring"]
    assert keyring.decrypt(install_of().refresh_token_enc) != grant.refresh_token
