"""The HTTP house rules: health, readiness, metrics, uniform errors, limits."""

from __future__ import annotations

import pytest
from apiflask import APIBlueprint
from sqlalchemy import func, select

from luneo_app import create_app
from luneo_app.config import Config
from luneo_app.extensions import db
from luneo_app.models import Brand
from tests.conftest import make_config


def test_healthz_answers_while_the_process_is_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["X-Request-Id"]


def test_incoming_request_id_is_echoed_back(client):
    response = client.get("/healthz", headers={"X-Request-Id": "abc-123"})
    assert response.headers["X-Request-Id"] == "abc-123"
    response = client.get("/healthz", headers={"X-Request-Id": "bad id with spaces"})
    assert response.headers["X-Request-Id"] != "bad id with spaces"


def test_readyz_is_ready_with_the_configured_database(client):
    response = client.get("/readyz")
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["checks"]["database"] == "ok"


def test_readyz_turns_503_when_the_database_is_unreachable(_schema):
    bad = create_app(
        make_config(
            SQLALCHEMY_DATABASE_URI="postgresql+psycopg://postgres@127.0.0.1:1/nowhere",
            SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 1}},
        )
    )
    response = bad.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"].startswith("error")


def test_readyz_turns_503_when_redis_is_unreachable(_schema):
    bad = create_app(make_config(REDIS_URL="redis://127.0.0.1:1/0"))
    response = bad.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["redis"].startswith("error")


def test_metrics_count_requests_in_prometheus_format(_schema):
    client = create_app(make_config(METRICS_TOKEN="m-secret", METRICS_PUBLIC=False)).test_client()
    client.get("/healthz")
    client.get("/healthz")
    response = client.get("/metrics", headers={"Authorization": "Bearer m-secret"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    text = response.get_data(as_text=True)
    assert 'luneo_http_requests_total{endpoint="/healthz",method="GET",status="200"}' in text
    assert "luneo_http_request_duration_seconds_bucket" in text
    assert "luneo_jobs_total" in text or "luneo_job_duration_seconds" in text


def test_unknown_route_gives_uniform_json_404(client):
    response = client.get("/v1/nope")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert set(response.get_json()["error"]) == {"code", "message", "details"}


def test_wrong_method_gives_uniform_json_405(client):
    response = client.delete("/healthz")
    assert response.status_code == 405
    body = response.get_json()
    assert body["error"]["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


def test_admin_pages_get_html_error_pages(client):
    response = client.get("/admin/does-not-exist", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "couldn't find" in response.get_data(as_text=True)


def _writer_app(**overrides):  # type: ignore[no-untyped-def]
    """An app with one small JSON endpoint that writes a brand, to check nothing is half-written."""
    application = create_app(make_config(**overrides))
    bp = APIBlueprint("probe", __name__)

    @bp.post("/v1/_probe")
    def probe():  # type: ignore[no-untyped-def]
        from flask import request

        payload = request.get_json()
        db.session.add(Brand(kind="api", name=str(payload["name"])))
        db.session.commit()
        return {"ok": True}, 201

    application.register_blueprint(bp)
    return application


def _brand_count(application) -> int:  # type: ignore[no-untyped-def]
    with application.app_context():
        return db.session.scalar(select(func.count()).select_from(Brand))


def test_malformed_json_is_refused_and_nothing_is_written(app):
    probe = _writer_app()
    response = probe.test_client().post(
        "/v1/_probe", data=b'{"name": "x"', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"
    assert _brand_count(probe) == 0


def test_oversize_body_is_refused_with_413_and_nothing_is_written(app):
    probe = _writer_app(MAX_CONTENT_LENGTH=1024)
    body = b'{"name": "' + b"x" * 4096 + b'"}'
    response = probe.test_client().post("/v1/_probe", data=body, content_type="application/json")
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "payload_too_large"
    assert error["details"]["limit"] == 1024
    assert _brand_count(probe) == 0


def test_default_body_limit_is_16_mib(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 16 * 1024 * 1024


def test_openapi_spec_is_served(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.get_json()["info"]["title"] == "Luneo API"


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "m-secret"])
def test_metrics_without_the_token_are_refused_with_401(_schema, authorization):
    client = create_app(make_config(METRICS_TOKEN="m-secret", METRICS_PUBLIC=False)).test_client()
    headers = {"Authorization": authorization} if authorization else {}

    response = client.get("/metrics", headers=headers)

    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "metrics_token_required"
    assert "luneo_http_requests_total" not in response.get_data(as_text=True)


def test_metrics_are_closed_in_production_unless_a_setting_opens_them():
    production = {"DATABASE_URL": "postgresql://db/luneo", "REDIS_URL": "redis://r:6379/0"}

    assert Config(production).METRICS_PUBLIC is False
    assert Config({**production, "METRICS_PUBLIC": "1"}).METRICS_PUBLIC is True
    assert Config({}).METRICS_PUBLIC is True  # the embedded default on a laptop


def test_metrics_with_no_token_configured_stay_closed(_schema):
    client = create_app(make_config(METRICS_TOKEN=None, METRICS_PUBLIC=False)).test_client()

    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer None"}).status_code == 401
