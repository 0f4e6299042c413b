"""Team seats: how many the plan includes, how many are taken, and the check every path
that adds a member asks first (console invitations, SCIM provisioning)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ..core.errors import PaymentRequired
from ..extensions import db
from ..models import Account, Brand
from .enforcement import upgrade_url
from .plans import plan_named


@dataclass(frozen=True)
class Seats:
    """Seats taken (active and invited members) against the plan's (None: unlimited)."""

    used: int
    included: int | None
    plan_name: str

    @property
    def full(self) -> bool:
        """No seat left for one more member."""
        return self.included is not None and self.used >= self.included

    @property
    def left(self) -> int | None:
        return None if self.included is None else max(0, self.included - self.used)


def seats_in_use(brand: Brand) -> int:
    """Members of an API brand who hold a seat: active and invited (an open invitation
    keeps its seat); deactivated members do not. Shopify merchants use the shop's staff
    accounts, which Luneo does not count."""
    if brand.kind == "shopify":
        return 0
    return int(
        db.session.scalar(
            select(func.count()).where(
                Account.brand_id == brand.id, Account.status != "deactivated"
            )
        )
        or 0
    )


def seats_of(brand: Brand) -> Seats:
    """The brand's seats on its plan."""
    plan = plan_named(brand.plan)
    return Seats(seats_in_use(brand), plan.included("seats"), plan.name)


def require_seat(brand: Brand) -> None:
    """Raise 402 ``plan_limit_reached`` (with the upgrade link) when the plan has no seat
    left for a new member. Locks the brand row until the caller commits, so two invitations
    sent at once cannot both take the last seat."""
    db.session.execute(select(Brand.id).where(Brand.id == brand.id).with_for_update())
    seats = seats_of(brand)
    if not seats.full:
        return
    url = upgrade_url(brand)
    raise PaymentRequired(
        f"All {seats.included} team seats of the {seats.plan_name} plan are taken. Remove a "
        f"member or withdraw an invitation, or upgrade at {url}.",
        code="plan_limit_reached",
        details={
            "metric": "seats",
            "used": seats.used,
            "included": seats.included,
            "plan": plan_named(brand.plan).key,
            "upgradeUrl": url,
        },
    )


def on_member_adding(brand: Brand, **_: object) -> None:
    """Receiver of ``accounts.service.member_adding``: the seat check before a new member."""
    require_seat(brand)
