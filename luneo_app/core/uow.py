"""The unit of work: one commit per use case, and work that must wait for that commit.

Services (what a view or a task calls) commit once with :func:`commit`; helpers they call
add rows to the session and never commit their caller's work. Anything that must not happen
unless the transaction is durable (publishing a Celery message, telling listeners that a
design changed) is registered with :func:`on_commit` and runs right after the commit that
makes it true; a rollback drops it. This is Django's ``transaction.on_commit`` on SQLAlchemy
session events, so a callback follows whichever commit comes first, even a plain
``db.session.commit()``.

Callbacks are an optimisation for latency, never the only path: the job rows they publish
are an outbox that the dispatcher and the sweeper (``jobs/sweeper.py``) publish anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from ..extensions import db

log = logging.getLogger("luneo.uow")

_PENDING = "luneo.on_commit.pending"
_READY = "luneo.on_commit.ready"


def on_commit(callback: Callable[[], object]) -> None:
    """Run ``callback`` after the current transaction commits; never if it rolls back."""
    db.session().info.setdefault(_PENDING, []).append(callback)


def commit() -> None:
    """Commit the session, then run what waited for this commit (in registration order)."""
    db.session.commit()
    run_committed()


def run_committed() -> None:
    """Run callbacks whose transaction has committed. A failing callback is logged and the
    others still run: the outbox catches whatever a failed publish left behind."""
    session = db.session()
    ready = session.info.get(_READY)
    while ready:
        callback = ready.pop(0)
        try:
            callback()
        except Exception:  # noqa: BLE001 - the commit stands; the sweeper repairs
            log.exception("after-commit step failed")


def pending() -> int:
    """How many callbacks wait for the current transaction (for tests and diagnostics)."""
    return len(db.session().info.get(_PENDING, []))


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    pending_callbacks = session.info.pop(_PENDING, None)
    if pending_callbacks:
        session.info.setdefault(_READY, []).extend(pending_callbacks)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is None:  # the outermost transaction, not a savepoint
        session.info.pop(_PENDING, None)


def init_app(app) -> None:  # type: ignore[no-untyped-def]
    """Run callbacks of commits made with a plain ``db.session.commit()`` at the end of the
    request (or app context), before the session goes away."""

    @app.after_request
    def _after_request(response):  # type: ignore[no-untyped-def]
        run_committed()
        return response

    @app.teardown_appcontext
    def _finish(_exc: BaseException | None) -> None:
        # A CLI command or a task that committed without commit(): its steps still run.
        run_committed()
        db.session().info.pop(_PENDING, None)
