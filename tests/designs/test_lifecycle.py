"""The design lifecycle: one owner of the status, every move recorded, listeners told
after the commit, nothing published for work that rolled back."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from luneo_app.core import uow
from luneo_app.designs import lifecycle
from luneo_app.designs.tasks import queue_preview
from luneo_app.extensions import db
from luneo_app.models import Design, DesignEvent, RenderJob
from tests.designs.helpers import brand_with_key, text_design

MIGRATION = Path(__file__).resolve().parents[2] / "migrations/versions/0008_print_awaiting_proof.py"


def _events(design_id: str) -> list[tuple[str | None, str, str]]:
    rows = db.session.scalars(
        select(DesignEvent)
        .where(DesignEvent.design_id == design_id)
        .order_by(DesignEvent.created_at, DesignEvent.id)
    ).all()
    return [(row.from_status, row.to_status, row.event) for row in rows]


def test_a_design_made_through_the_api_leaves_the_story_of_its_status(app, client):
    _, headers, product = brand_with_key(app)
    created = client.post("/v1/designs", json=text_design(product.id), headers=headers)
    design_id = created.get_json()["designId"]
    db.session.expire_all()
    assert db.session.get(Design, design_id).status == "preview_ready"
    assert _events(design_id) == [
        (None, "queued", "created"),
        ("queued", "rendering", "preview_started"),
        ("rendering", "preview_ready", "preview_rendered"),
    ]
    finalized = client.post(f"/v1/designs/{design_id}/finalize", json={}, headers=headers)
    assert finalized.status_code in (200, 202)
    db.session.expire_all()
    assert [event for _, _, event in _events(design_id)][3:] == [
        "finalized",
        "production_started",
        "production_rendered",
    ]
    assert db.session.get(Design, design_id).status == "production_ready"


def test_a_move_the_lifecycle_does_not_allow_is_refused_and_writes_nothing(app, client):
    _, headers, product = brand_with_key(app)
    created = client.post("/v1/designs", json=text_design(product.id), headers=headers)
    design = db.session.get(Design, created.get_json()["designId"])
    before = _events(design.id)
    with pytest.raises(lifecycle.IllegalTransition) as refused:
        lifecycle.transition(design, lifecycle.S.GENERATING, "bogus")
    assert refused.value.status == 409
    assert design.status == "preview_ready"
    db.session.rollback()
    assert _events(design.id) == before


def test_a_failed_design_stays_failed_and_a_late_failure_never_undoes_ready_files(app, client):
    _, headers, product = brand_with_key(app)
    created = client.post("/v1/designs", json=text_design(product.id), headers=headers)
    design = db.session.get(Design, created.get_json()["designId"])
    assert lifecycle.failed(design, "render_failed", "boom", "preview") is True
    uow.commit()
    assert design.status == "failed" and design.error["code"] == "render_failed"
    # Only support's retry of a step leads out of failed, to where that step starts.
    assert lifecycle.TRANSITIONS[lifecycle.S.FAILED] == frozenset(lifecycle.RETRY_FROM.values())
    assert not lifecycle.can_move(design, lifecycle.S.PREVIEW_READY)
    assert not lifecycle.can_move(design, lifecycle.S.PRODUCTION_READY)


def test_listeners_hear_of_a_change_only_after_it_is_committed(app, client):
    _, headers, product = brand_with_key(app)
    created = client.post("/v1/designs", json=text_design(product.id), headers=headers)
    design = db.session.get(Design, created.get_json()["designId"])
    heard: list[tuple[str, str, bool]] = []

    def listener(sender, change):  # type: ignore[no-untyped-def]
        with db.engine.connect() as other:  # another connection sees only committed rows
            stored = other.execute(
                text("SELECT status FROM designs WHERE id = :id"), {"id": sender.id}
            ).scalar()
        heard.append((change.old.value, change.new.value, stored == change.new.value))

    lifecycle.changed.connect(listener)
    try:
        lifecycle.failed(design, "render_failed", "boom", "preview")
        assert heard == []  # not before the commit
        db.session.rollback()
        assert heard == []  # and never for a rollback
        design = db.session.get(Design, design.id)
        lifecycle.failed(design, "render_failed", "boom", "preview")
        uow.commit()
    finally:
        lifecycle.changed.disconnect(listener)
    assert heard == [("preview_ready", "failed", True)]


def test_a_job_added_to_work_that_rolls_back_is_never_recorded_or_sent(app, client):
    _, headers, product = brand_with_key(app)
    created = client.post("/v1/designs", json=text_design(product.id), headers=headers)
    design = db.session.get(Design, created.get_json()["designId"])
    jobs_before = db.session.query(RenderJob).count()
    queue_preview(design)
    assert uow.pending() == 1
    db.session.rollback()
    assert uow.pending() == 0
    assert db.session.query(RenderJob).count() == jobs_before


def test_the_database_refuses_a_status_the_lifecycle_does_not_know(app, client):
    _, headers, product = brand_with_key(app)
    created = client.post("/v1/designs", json=text_design(product.id), headers=headers)
    design_id = created.get_json()["designId"]
    with pytest.raises(IntegrityError):
        db.session.execute(
            text("UPDATE designs SET status = 'shipped' WHERE id = :id"), {"id": design_id}
        )
        db.session.flush()
    db.session.rollback()


def test_the_migrations_check_constraint_lists_exactly_the_lifecycles_states():
    spec = importlib.util.spec_from_file_location("m0007", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    assert set(module.STATUSES) == set(lifecycle.ALL)
