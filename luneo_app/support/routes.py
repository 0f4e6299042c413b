"""``/support`` pages: installs (search, filters, badges), the install page, order
timelines, the staff audit log, the AI cost report and the account page; and the admin
actions (each with a reason, each audited). Views are thin: :mod:`.search`,
:mod:`.install`, :mod:`.timeline` and :mod:`.actions` do the work."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps
from typing import Any

from flask import redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..ai import costs
from ..audit import record
from ..core.clock import utcnow
from ..core.errors import Forbidden, LuneoError, NotFound, ValidationFailed
from ..extensions import db
from ..models import AuditEvent, Brand, Order, StaffUser
from ..staff import auth, session
from . import actions, install, pii, search, shop_staff, timeline
from .blueprints import pages_bp as bp
from .health import BADGES


class SignInRequired(LuneoError):
    status = 401
    code = "staff_auth_required"


def staff_view(*, act: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A signed-in staff user (pages redirect to sign-in); ``act``: the ``admin`` role."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = session.current_staff()
            if user is None:
                if request.method == "GET":
                    return redirect(url_for("support_auth.login"))
                raise SignInRequired("Sign in to the support console.")
            session.check_csrf()
            if act and user.role != "admin":
                raise Forbidden("Only support admins can act on a brand.", code="insufficient_role")
            return view(*args, **kwargs)

        wrapper.staff_role = "admin" if act else "support"  # type: ignore[attr-defined]
        return wrapper

    return decorate


def me() -> StaffUser:
    user = session.current_staff()
    assert user is not None  # behind staff_view
    return user


def _page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(f"support/{template}", **context), status


def _brand(brand_id: str) -> Brand:
    brand = db.session.get(Brand, brand_id)
    if brand is None:
        raise NotFound("No such brand.")
    return brand


@bp.get("")
@staff_view()
def installs():  # type: ignore[no-untyped-def]
    """The installs list; a search also looks for orders and request ids."""
    args = request.args
    q = args.get("q", "")[:200]
    try:
        page = int(args.get("page", "1"))
    except ValueError:
        page = 1
    badge = args.get("health") or None
    result = search.installs(
        q,
        plan=args.get("plan") or None,
        state=args.get("state") or None,
        badge=badge,
        kind=args.get("kind") or None,
        page=page,
    )
    orders = search.orders(q) if q else []
    errors = search.server_errors(q) if q else []
    if q and len(orders) == 1 and result.total == 0 and not errors:
        return redirect(url_for("support.order", order_id=orders[0].id))
    names = {}
    if orders:
        ids = {o.brand_id for o in orders}
        names = dict(
            db.session.execute(select(Brand.id, Brand.name).where(Brand.id.in_(ids))).all()
        )
    return _page(
        "installs.html",
        result=result,
        q=q,
        filters={k: args.get(k, "") for k in ("plan", "state", "health", "kind")},
        plans=search.plans(),
        states=search.STATES,
        badges=BADGES,
        orders=orders,
        order_brands=names,
        errors=errors,
        active="support.installs",
    )


@bp.get("/brands/<brand_id>")
@staff_view()
def brand(brand_id: str):  # type: ignore[no-untyped-def]
    """The install page of a brand."""
    found = _brand(brand_id)
    report = install.report(found)
    staff = None
    if request.args.get("shop_staff") and report.install is not None:
        staff = shop_staff.of(report.install)  # asked for: a live call to Shopify
    return _page(
        "install.html",
        r=report,
        shop_staff=staff,
        done=request.args.get("done"),
        revealed=pii.revealed(found.id),
        active="support.installs",
    )


def _act(brand_id: str, work: Callable[[Brand], Any], done: str) -> Any:
    """Run an action; on a refusal show the install page again with the reason."""
    found = _brand(brand_id)
    try:
        work(found)
    except LuneoError as exc:
        return refused(found, exc)
    return redirect(url_for("support.brand", brand_id=brand_id, done=done))


def refused(found: Brand, exc: LuneoError) -> tuple[str, int]:
    """The install page again, saying why an action was refused (nothing of it is kept)."""
    db.session.rollback()
    return _page(
        "install.html",
        exc.status if exc.status < 500 else 502,
        r=install.report(found),
        error=exc.message,
        revealed=pii.revealed(found.id),
        active="support.installs",
    )


def _reason() -> str:
    return actions.reason_of(request.form.get("reason"))


@bp.post("/brands/<brand_id>/reveal")
@staff_view()
def reveal(brand_id: str):  # type: ignore[no-untyped-def]
    """Show the brand's personal data for a while (audited, with a reason)."""
    return _act(brand_id, lambda b: pii.reveal(me(), b, request.form.get("reason", "")), "revealed")


@bp.post("/brands/<brand_id>/notes")
@staff_view()
def add_note(brand_id: str):  # type: ignore[no-untyped-def]
    return _act(brand_id, lambda b: actions.add_note(me(), b, request.form.get("body", "")), "note")


@bp.post("/brands/<brand_id>/refresh-token")
@staff_view(act=True)
def refresh_token(brand_id: str):  # type: ignore[no-untyped-def]
    return _act(brand_id, lambda b: actions.refresh_token(me(), b, _reason()), "token_refreshed")


@bp.post("/brands/<brand_id>/suspend")
@staff_view(act=True)
def suspend(brand_id: str):  # type: ignore[no-untyped-def]
    return _act(brand_id, lambda b: actions.set_suspended(me(), b, True, _reason()), "suspended")


@bp.post("/brands/<brand_id>/resume")
@staff_view(act=True)
def resume(brand_id: str):  # type: ignore[no-untyped-def]
    return _act(brand_id, lambda b: actions.set_suspended(me(), b, False, _reason()), "resumed")


def _cents() -> int:
    raw = (request.form.get("amount") or "").strip().replace(",", "")
    try:
        return round(float(raw) * 100)
    except ValueError as exc:
        raise ValidationFailed("Give an amount such as 25.00.", code="invalid_amount") from exc


@bp.post("/brands/<brand_id>/raise-budget")
@staff_view(act=True)
def raise_budget(brand_id: str):  # type: ignore[no-untyped-def]
    return _act(
        brand_id, lambda b: actions.raise_budget(me(), b, _cents(), _reason()), "budget_raised"
    )


@bp.post("/brands/<brand_id>/jobs/<job_id>/retry")
@staff_view(act=True)
def retry_job(brand_id: str, job_id: str):  # type: ignore[no-untyped-def]
    return _act(brand_id, lambda b: actions.retry_job(me(), b, job_id, _reason()), "job_retried")


@bp.post("/brands/<brand_id>/webhooks/<event_id>/replay")
@staff_view(act=True)
def replay_webhook(brand_id: str, event_id: str):  # type: ignore[no-untyped-def]
    return _act(
        brand_id, lambda b: actions.replay_webhook(me(), b, event_id, _reason()), "webhook_replayed"
    )


@bp.post("/brands/<brand_id>/deliveries/<delivery_id>/resend")
@staff_view(act=True)
def resend_delivery(brand_id: str, delivery_id: str):  # type: ignore[no-untyped-def]
    return _act(
        brand_id, lambda b: actions.resend_outbound(me(), b, delivery_id, _reason()), "resent"
    )


@bp.get("/orders/<order_id>")
@staff_view()
def order(order_id: str):  # type: ignore[no-untyped-def]
    """An order's timeline: received, linked, rendered, files, write-back."""
    found = db.session.get(Order, order_id)
    if found is None:
        raise NotFound("No such order.")
    owner = _brand(found.brand_id)
    return _page(
        "order.html",
        order=found,
        brand=owner,
        steps=timeline.of(found),
        shipping=pii.shipping_lines(owner.id, found.shipping),
        revealed=pii.revealed(owner.id),
        active="support.installs",
    )


@bp.get("/audit")
@staff_view()
def audit():  # type: ignore[no-untyped-def]
    """Who did what: staff actions (and sign-ins), newest first."""
    actor = request.args.get("actor", "").strip()[:320]
    query = select(AuditEvent).where(AuditEvent.actor.like("staff:%"))
    if actor:
        query = query.where(AuditEvent.actor == f"staff:{actor.lower()}")
    events = db.session.scalars(query.order_by(AuditEvent.created_at.desc()).limit(200)).all()
    ids = {e.brand_id for e in events if e.brand_id}
    names = dict(db.session.execute(select(Brand.id, Brand.name).where(Brand.id.in_(ids))).all())
    return _page("audit.html", events=events, names=names, actor=actor, active="support.audit")


def _day(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError as exc:
        raise ValidationFailed("Dates look like 2026-11-01.", code="invalid_date") from exc


@bp.get("/costs")
@staff_view()
def cost_report():  # type: ignore[no-untyped-def]
    """AI costs per brand, provider and day (CSV with ``format=csv``)."""
    today = utcnow().date()
    start = _day(request.args.get("from"), today.replace(day=1))
    end = _day(request.args.get("to"), today)
    if end < start or end - start > timedelta(days=costs.MAX_REPORT_DAYS):
        raise ValidationFailed(
            f"Choose 'to' after 'from', at most {costs.MAX_REPORT_DAYS} days apart.",
            code="invalid_range",
        )
    if request.args.get("format") == "csv":
        name = f"luneo-ai-costs-{start.isoformat()}-{end.isoformat()}.csv"
        return Response(
            costs.report_csv(start, end),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return _page("costs.html", report=costs.report(start, end), active="support.cost_report")


@bp.route("/account", methods=["GET", "POST"])
@staff_view()
def account():  # type: ignore[no-untyped-def]
    """The staff member's account: a personal API token for scripts (the cost report)."""
    token = None
    if request.method == "POST":
        user = me()
        token = auth.issue_api_token(user)
        record(
            "staff.api_token_issued",
            actor=f"staff:{user.email}",
            target_type="staff_user",
            target_id=user.id,
        )
        db.session.commit()
    return _page("account.html", token=token, active="support.account")
