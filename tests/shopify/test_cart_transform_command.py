"""``flask luneo create-cart-transforms``: shops installed before Luneo made its Cart Transform
at install get it (exact personalization fees), once, with a line per shop."""

from __future__ import annotations

from luneo_app.extensions import db
from luneo_app.models import AuditEvent
from tests.shopify.helpers import SHOP, install_of, seed_install

OTHER = "bolt-rings.myshopify.com"
OLD = "old-scopes.myshopify.com"
MISSING = "no-function.myshopify.com"


def _run(app):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=["luneo", "create-cart-transforms"])


def test_old_installs_get_the_transform_once_and_each_shop_is_reported(app, fake_shopify):
    for shop in (SHOP, OTHER, OLD):
        seed_install(app, fake_shopify, shop=shop)  # installed before the transform existed
    # OTHER's transform exists on Shopify already (made, but never recorded by Luneo)
    fake_shopify.cart_transforms[OTHER] = [
        {"id": "gid://shopify/CartTransform/7", "functionId": "fn-luneo-fee-transform"}
    ]
    old = install_of(OLD)
    old.scopes = "read_products,read_orders,write_orders,read_themes"  # before the new scope
    db.session.commit()

    result = _run(app)

    assert result.exit_code == 0, result.output
    made = fake_shopify.cart_transforms[SHOP][0]["id"]
    assert f"{SHOP}: created {made}" in result.output
    assert f"{OTHER}: created gid://shopify/CartTransform/7" in result.output
    assert f"{OLD}: skipped: the shop has not granted write_cart_transforms" in result.output
    assert "created: 2, already set up: 0, skipped: 1, failed: 0" in result.output
    assert install_of(SHOP).cart_transform_id == made
    assert install_of(OTHER).cart_transform_id == "gid://shopify/CartTransform/7"
    assert install_of(OLD).cart_transform_id is None
    assert len(fake_shopify.cart_transforms[OTHER]) == 1  # found, not made a second time
    audited = db.session.query(AuditEvent).filter_by(action="shop.cart_transform_created")
    assert sorted(e.target_id for e in audited) == sorted([OTHER, SHOP])

    again = _run(app)  # idempotent: nothing new on Shopify, each shop said

    assert again.exit_code == 0, again.output
    assert f"{SHOP}: already set up {made}" in again.output
    assert "created: 0, already set up: 2, skipped: 1, failed: 0" in again.output
    assert [len(fake_shopify.cart_transforms[s]) for s in (SHOP, OTHER)] == [1, 1]


def test_a_shop_shopify_refuses_is_reported_and_the_command_fails(app, fake_shopify):
    seed_install(app, fake_shopify, shop=SHOP)
    seed_install(app, fake_shopify, shop=MISSING)
    fake_shopify.deployed_functions.discard("luneo-fee-transform")  # not deployed yet

    result = _run(app)

    assert result.exit_code == 1
    assert f"{MISSING}: failed:" in result.output and f"{SHOP}: failed:" in result.output
    assert install_of(SHOP).cart_transform_id is None

    fake_shopify.deployed_functions.add("luneo-fee-transform")  # deployed: run it again
    fixed = _run(app)
    assert fixed.exit_code == 0, fixed.output
    assert "created: 2" in fixed.output
    assert install_of(MISSING).cart_transform_id
