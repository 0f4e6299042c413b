"""Team seats: the plan's seats bound invitations (an open invitation holds a seat); one
more is refused with 402 ``plan_limit_reached`` and the upgrade link, and the console's team
page says how many seats are used and what to do when none is left."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from luneo_app import create_app
from luneo_app.accounts import service
from luneo_app.core.errors import PaymentRequired
from luneo_app.extensions import db
from luneo_app.models import Account, Brand
from tests.accounts.conftest import _smtp_server, mailbox  # noqa: F401 - fixtures
from tests.accounts.helpers import api_sign_up, console_sign_in
from tests.conftest import clean_state, make_config


@pytest.fixture()
def app(_schema, mailbox, plans_file):  # type: ignore[no-untyped-def]  # noqa: F811
    application = create_app(
        make_config(
            SMTP_URL=mailbox.url,
            BILLING_PLANS_FILE=str(plans_file),
            APP_URL="https://luneo.example",
        )
    )
    clean_state(application)
    with application.app_context():
        yield application
        db.session.remove()


def _members(brand_id: str) -> int:
    return int(db.session.scalar(select(func.count()).where(Account.brand_id == brand_id)))


def _invite(client, csrf: str, email: str):  # type: ignore[no-untyped-def]
    r = client.post("/console/team", data={"email": email, "role": "developer",
                                           "csrf_token": csrf})  # fmt: skip
    assert r.status_code == 302
    return client.get("/console/team").text


def test_invitations_stop_at_the_plans_seats_with_the_upgrade_link(app, mailbox):  # noqa: F811
    client = app.test_client()
    owner = api_sign_up(client, mailbox, "owner@acme-brand.com")  # the free plan: 2 seats
    csrf = console_sign_in(client, owner.email)
    assert "1 of 2 seats used · Free plan" in client.get("/console/team").text

    page = _invite(client, csrf, "dev@acme-brand.com")
    assert "2 of 2 seats used · Free plan" in page
    assert "All 2 team seats of the Free plan are taken." in page
    assert "Send invitation</button>" in page and 'type="submit" disabled>Send' in page

    page = _invite(client, csrf, "designer@acme-brand.com")
    assert "All 2 team seats of the Free plan are taken. Remove a member or withdraw an " \
           "invitation, or upgrade at https://luneo.example/console/billing." in page  # fmt: skip
    assert _members(owner.brand_id) == 2
    assert not [m for m in mailbox.mails if "designer@acme-brand.com" in m.to]

    owner_account = db.session.get(Account, owner.account_id)
    with pytest.raises(PaymentRequired) as refused:
        service.invite(owner_account, "designer@acme-brand.com", "viewer")
    assert (refused.value.status, refused.value.code) == (402, "plan_limit_reached")
    assert refused.value.details["upgradeUrl"] == "https://luneo.example/console/billing"
    assert (refused.value.details["used"], refused.value.details["included"]) == (2, 2)

    # Withdrawing the open invitation frees its seat.
    invited = db.session.scalar(select(Account).where(Account.email == "dev@acme-brand.com"))
    client.post(f"/console/team/{invited.id}/remove", data={"csrf_token": csrf})
    page = _invite(client, csrf, "designer@acme-brand.com")
    assert "Invitation sent to designer@acme-brand.com." in page
    assert _members(owner.brand_id) == 2

    # On Growth (5 seats) the team grows again.
    db.session.get(Brand, owner.brand_id).plan = "growth"
    db.session.commit()
    page = _invite(client, csrf, "viewer@acme-brand.com")
    assert "3 of 5 seats used · Growth plan" in page and "are taken" not in page
    assert _members(owner.brand_id) == 3
