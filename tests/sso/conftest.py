"""Fixtures of the enterprise sign-in tests: a brand with its owner, and a signing IdP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from luneo_app.accounts.passwords import hash_password
from luneo_app.core.clock import utcnow
from luneo_app.extensions import db
from luneo_app.models import Account, Brand
from tests.accounts.conftest import _smtp_server, app, mailbox  # noqa: F401 - fixtures
from tests.accounts.helpers import PASSWORD, Member
from tests.fakes.saml_idp import FakeIdP


def make_brand(
    name: str = "Acme Engraving", owner: str = "owner@acme-brand.com", plan: str = "pro"
) -> Member:
    """An active API brand and its verified owner (as after sign-up and the mailed link), on
    a plan with seats for what the tests provision."""
    brand = Brand(kind="api", name=name, status="active", plan=plan)
    db.session.add(brand)
    db.session.flush()
    account = Account(
        brand_id=brand.id,
        email=owner,
        role="owner",
        status="active",
        password_hash=hash_password(PASSWORD),
        email_verified_at=utcnow(),
    )
    db.session.add(account)
    db.session.commit()
    return Member(owner, account.id, brand.id)


@pytest.fixture()
def owner(app) -> Member:  # type: ignore[no-untyped-def]  # noqa: F811
    # The fake IdP serves its metadata on loopback, as outbound test receivers do.
    app.config["OUTBOUND_WEBHOOK_ALLOW_PRIVATE"] = True
    return make_brand()


@pytest.fixture(scope="session")
def _idp_server() -> Iterator[FakeIdP]:
    idp = FakeIdP().start()
    yield idp
    idp.stop()


@pytest.fixture()
def idp(_idp_server: FakeIdP) -> FakeIdP:
    _idp_server.sp_metadata.clear()
    _idp_server._idp = None
    _idp_server.user.groups = []
    _idp_server.user.email = "ada@acme-brand.com"
    return _idp_server
