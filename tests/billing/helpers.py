"""Small helpers of the billing tests."""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import func, select

from luneo_app.billing import metering
from luneo_app.core import uow
from luneo_app.extensions import db
from luneo_app.models import BillableEvent


def bill(brand_id: str, kind: str, key: str) -> bool:
    """Record one billable event and commit (as a use case does)."""
    new = metering.record(brand_id, kind, key)
    uow.commit()  # the report job is published after the commit (eager here)
    return new


def events(brand_id: str, kind: str | None = None) -> list[BillableEvent]:
    db.session.expire_all()
    query = select(BillableEvent).where(BillableEvent.brand_id == brand_id)
    if kind:
        query = query.where(BillableEvent.kind == kind)
    return list(db.session.scalars(query.order_by(BillableEvent.occurred_at, BillableEvent.id)))


def count_events(brand_id: str) -> int:
    return int(
        db.session.scalar(select(func.count()).where(BillableEvent.brand_id == brand_id)) or 0
    )


def concurrently(app, n: int, work: Callable[[], object]) -> list[BaseException]:  # type: ignore[no-untyped-def]
    """Run ``work`` in ``n`` threads at once, each in its own app context; the errors."""
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def run() -> None:
        with app.app_context():
            try:
                barrier.wait()
                work()
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors
