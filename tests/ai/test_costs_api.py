"""``GET /v1/admin/ai/costs``: staff only (a staff API token; HTTP Basic is gone), cost per
brand, provider and day, as JSON or CSV; and the ``flask luneo create-staff`` command."""

from __future__ import annotations

import base64
import csv
import io
from datetime import UTC, datetime

import pytest

from luneo_app.extensions import db
from luneo_app.models import StaffUser, UsageRecord
from luneo_app.staff.auth import create_staff, issue_api_token
from tests.support.factories import make_brand

PASSWORD = "correct horse battery staple"


def _basic(email: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{email}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def _usage(brand, provider: str, cents: int, when: datetime, tokens=(0, 0)) -> None:  # type: ignore[no-untyped-def]
    db.session.add(
        UsageRecord(
            brand_id=brand.id,
            kind="ai_image" if provider == "openai" else "procedural_art",
            provider=provider,
            units=1,
            tokens_in=tokens[0],
            tokens_out=tokens[1],
            cost_cents=cents,
            month=when.strftime("%Y-%m"),
            occurred_at=when,
            details={},
        )
    )


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture()
def staff(app):  # type: ignore[no-untyped-def]
    user = create_staff("Ops@Luneo.test", PASSWORD, "support")
    token = issue_api_token(user)
    db.session.commit()
    return _bearer(token)


@pytest.fixture()
def spending(app):  # type: ignore[no-untyped-def]
    acme, zeta = make_brand(name="Acme"), make_brand(name="=Zeta")
    _usage(acme, "openai", 5, datetime(2026, 11, 2, 9, tzinfo=UTC), (300, 1000))
    _usage(acme, "openai", 4, datetime(2026, 11, 2, 23, 59, tzinfo=UTC), (300, 1000))
    _usage(acme, "procedural", 0, datetime(2026, 11, 3, 1, tzinfo=UTC))
    _usage(zeta, "openai", 7, datetime(2026, 11, 3, 12, tzinfo=UTC))
    _usage(zeta, "openai", 50, datetime(2026, 10, 31, 23, tzinfo=UTC))  # before the range
    db.session.commit()
    return acme, zeta


def test_costs_need_a_staff_sign_in(client, spending):
    anonymous = client.get("/v1/admin/ai/costs")
    assert anonymous.status_code == 401
    assert anonymous.get_json()["error"]["code"] == "staff_auth_required"


def test_basic_auth_wrong_tokens_and_api_keys_are_refused(app, client, staff, spending):
    # HTTP Basic with the right password no longer opens the report
    assert (
        client.get("/v1/admin/ai/costs", headers=_basic("ops@luneo.test", PASSWORD)).status_code
        == 401
    )
    assert client.get("/v1/admin/ai/costs", headers=_bearer("lst_wrong")).status_code == 401
    assert (
        client.get("/v1/admin/ai/costs", headers={"Authorization": "Bearer lk_x_y"}).status_code
        == 401
    )
    user = db.session.query(StaffUser).one()
    user.active = False
    db.session.commit()
    assert client.get("/v1/admin/ai/costs", headers=staff).status_code == 401


def test_repeated_wrong_tokens_are_throttled(client, staff):
    for _ in range(10):
        client.get("/v1/admin/ai/costs", headers=_bearer("lst_wrong"))
    blocked = client.get("/v1/admin/ai/costs", headers=staff)  # even the right token
    assert blocked.status_code == 429 and blocked.headers["Retry-After"]


def test_costs_per_brand_provider_and_day_as_json(client, staff, spending):
    acme, zeta = spending
    response = client.get("/v1/admin/ai/costs?from=2026-11-01&to=2026-11-30", headers=staff)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["totalCents"] == 16 and body["from"] == "2026-11-01"
    brands = {b["brandId"]: b for b in body["byBrand"]}
    assert brands[acme.id]["costCents"] == 9 and brands[acme.id]["generations"] == 3
    assert brands[acme.id]["byProvider"] == {"openai": 9, "procedural": 0}
    assert brands[zeta.id]["costCents"] == 7
    providers = {p["provider"]: p for p in body["byProvider"]}
    assert providers["openai"]["costCents"] == 16 and providers["openai"]["tokensIn"] == 600
    assert providers["procedural"]["costCents"] == 0
    assert [(d["date"], d["costCents"]) for d in body["byDay"]] == [
        ("2026-11-02", 9),
        ("2026-11-03", 7),
    ]


def test_costs_as_csv(client, staff, spending):
    response = client.get(
        "/v1/admin/ai/costs?from=2026-11-01&to=2026-11-30&format=csv", headers=staff
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["date"], r["provider"], r["cost_cents"]) for r in rows] == [
        ("2026-11-02", "openai", "9"),
        ("2026-11-03", "openai", "7"),
        ("2026-11-03", "procedural", "0"),
    ]
    # a brand name that looks like a formula is defused for spreadsheets
    assert rows[1]["brand_name"] == "'=Zeta"
    accept = client.get(
        "/v1/admin/ai/costs?from=2026-11-01&to=2026-11-30", headers={**staff, "Accept": "text/csv"}
    )
    assert accept.mimetype == "text/csv"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("from=2026-13-01", "invalid_date"),
        ("from=2026-11-05&to=2026-11-01", "invalid_range"),
        ("from=2024-01-01&to=2026-01-01", "range_too_long"),
        ("format=xml", "validation_failed"),
    ],
)
def test_bad_queries_get_422(client, staff, query, code):
    response = client.get(f"/v1/admin/ai/costs?{query}", headers=staff)
    assert response.status_code == 422 and response.get_json()["error"]["code"] == code


def test_create_staff_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["luneo", "create-staff", "new@luneo.test", "--role", "admin", "--password", PASSWORD]
    )
    assert result.exit_code == 0, result.output
    user = db.session.query(StaffUser).filter_by(email="new@luneo.test").one()
    assert user.role == "admin" and user.password_hash != PASSWORD
    short = runner.invoke(args=["luneo", "create-staff", "b@luneo.test", "--password", "short"])
    assert short.exit_code != 0 and "12 characters" in short.output
    again = runner.invoke(args=["luneo", "create-staff", "NEW@luneo.test", "--password", PASSWORD])
    assert again.exit_code != 0 and "exists" in again.output
