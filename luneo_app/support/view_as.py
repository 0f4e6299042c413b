"""The read-only "view as merchant": a staff member sees a Shopify brand's admin pages as
the merchant does, inside the console, for ``SUPPORT_VIEW_AS_MINUTES``.

A view is opened with a reason (audited ``support.view_as_started``: who, when, which shop,
until when) for one brand, in the console session that asked; signing out, the time limit
or "End view" (audited ``support.view_as_ended``) closes it. It grants nothing of the
merchant's: no session token, no access token, and no write (every non-read request on
its API is refused with 403 ``read_only_view``). The pages are served under
``/support/brands/<id>/as-merchant`` by :mod:`.merchant_view` with the console's own
session cookie, so nothing reaches ``/admin``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from ..audit import record
from ..core.clock import utcnow
from ..core.errors import Forbidden, ValidationFailed
from ..extensions import db
from ..models import Brand, ShopInstall, StaffUser
from ..staff import session
from .actions import reason_of


@dataclass(frozen=True)
class MerchantView:
    """An open view: whose, of which shop, why, and until when."""

    staff_email: str
    brand_id: str
    shop_domain: str
    reason: str
    started_at: datetime
    until: datetime

    @property
    def minutes_left(self) -> int:
        return max(0, int((self.until - utcnow()).total_seconds() // 60))


class ViewClosed(Forbidden):
    """No open view of this brand in this session (never opened, ended or timed out)."""

    code = "view_as_closed"


class ReadOnlyView(Forbidden):
    """A write attempted in the view as merchant."""

    code = "read_only_view"


READ_ONLY_MESSAGE = (
    "This is a read-only view as the merchant: support staff cannot change anything here. "
    "Use the support console's actions (each with a reason) instead."
)


def _kv():  # type: ignore[no-untyped-def]
    return current_app.extensions["luneo.kv"]


def _key(brand_id: str) -> str:
    return f"luneo:support-view-as:{session.current_sid()}:{brand_id}"


def live_install(brand: Brand) -> ShopInstall:
    """The brand's installed Shopify shop (the admin pages exist only for those)."""
    install = db.session.query(ShopInstall).filter_by(brand_id=brand.id).one_or_none()
    if install is None or install.installed_at is None or install.uninstalled_at is not None:
        raise ValidationFailed(
            "This brand has no installed Shopify shop, so it has no admin pages to view.",
            code="no_install",
            status=409,
        )
    return install


def start(staff: StaffUser, brand: Brand, reason: str | None) -> MerchantView:
    """Open the view of ``brand`` for this session; audited, commits."""
    why = reason_of(reason)
    install = live_install(brand)
    minutes = int(current_app.config["SUPPORT_VIEW_AS_MINUTES"])
    now = utcnow()
    view = MerchantView(
        staff.email, brand.id, install.shop_domain, why, now, now + timedelta(minutes=minutes)
    )
    value = json.dumps(
        {
            "staff": staff.email,
            "shop": install.shop_domain,
            "reason": why,
            "at": now.isoformat(),
            "until": view.until.isoformat(),
        }
    )
    _kv().delete(_key(brand.id))
    _kv().set_if_absent(_key(brand.id), value, minutes * 60)
    record(
        "support.view_as_started",
        actor=f"staff:{staff.email}",
        brand_id=brand.id,
        target_type="shop_install",
        target_id=install.id,
        details={
            "reason": why,
            "shop": install.shop_domain,
            "minutes": minutes,
            "until": view.until.isoformat(),
        },
    )
    db.session.commit()
    return view


def current(brand_id: str) -> MerchantView | None:
    """This session's open view of the brand, or None."""
    if not session.current_sid():
        return None
    raw = _kv().get(_key(brand_id))
    if not raw:
        return None
    data = json.loads(raw)
    until = datetime.fromisoformat(data["until"])
    if until <= utcnow():  # the store's expiry is the limit; this guards a slow clock
        return None
    return MerchantView(
        data["staff"],
        brand_id,
        data["shop"],
        data["reason"],
        datetime.fromisoformat(data["at"]),
        until,
    )


def require(brand_id: str) -> MerchantView:
    """The open view, else :class:`ViewClosed` (403)."""
    view = current(brand_id)
    if view is None:
        raise ViewClosed(
            "Open the view as merchant from the install page, with a reason, first "
            "(a view lasts "
            f"{int(current_app.config['SUPPORT_VIEW_AS_MINUTES'])} minutes)."
        )
    return view


def end(staff: StaffUser, brand: Brand) -> None:
    """Close this session's view of ``brand`` (audited when one was open); commits."""
    view = current(brand.id)
    _kv().delete(_key(brand.id))
    if view is None:
        return
    record(
        "support.view_as_ended",
        actor=f"staff:{staff.email}",
        brand_id=brand.id,
        target_type="brand",
        target_id=brand.id,
        details={"shop": view.shop_domain},
    )
    db.session.commit()
