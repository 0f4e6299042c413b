"""Support console page times with 10,000 installs and 1,000,000 webhook events.

Makes a scratch PostgreSQL database (loopback), migrates it, fills it with SQL
(``generate_series``): N Shopify brands and installs, M webhook deliveries spread over the
last 10 days and the toml's topics (1 % failed), two token refresh attempts per install
(3 % of installs failing), five render jobs per brand (1 % failed), ten orders per brand,
AI usage, 0-30 billable designs per brand this month (plans near and over their limits),
billing accounts (some overdue) and audit events. Then signs a staff admin in through the
real forms (password and TOTP) and times, through the app's test client, the installs list
(first page, a deep page, each health filter, a domain search, an order search) and install
pages of random brands.

    .venv/bin/python bench/support.py --installs 10000 --events 1000000
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


def _psql(url: str, sql: str) -> None:
    subprocess.run(["psql", url, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--installs", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the database (to EXPLAIN)")
    args = parser.parse_args()
    name = f"luneo_bench_{uuid.uuid4().hex[:8]}"
    _psql(PG_ADMIN, f'CREATE DATABASE "{name}"')
    try:
        run(f"postgresql://postgres@127.0.0.1:5432/{name}", args.installs, args.events, args.repeat)
    finally:
        if args.keep:
            print(f"kept database {name}")
        else:
            _psql(PG_ADMIN, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _seed(url: str, installs: int, events: int, topics: list[str]) -> None:
    topic_array = "ARRAY[" + ",".join(f"'{t}'" for t in topics) + "]"
    per = max(1, events // installs)
    _psql(
        url,
        f"""
INSERT INTO brands (id, kind, name, status, plan, currency, settings, monthly_ai_budget_cents,
                    created_at, updated_at)
SELECT 'brd_b' || g, 'shopify', 'Brand ' || g,
       CASE WHEN g % 97 = 0 THEN 'suspended' ELSE 'active' END,
       (ARRAY['free','starter','pro'])[1 + g % 3], 'USD', '{{}}', 2000,
       now() - (g || ' minutes')::interval, now()
FROM generate_series(1, {installs}) g;
INSERT INTO shop_installs (id, brand_id, shop_domain, shop_id, access_token_enc, token_kind, scopes,
                           api_version, storefront_domains, webhook_failures, installed_at,
                           uninstalled_at, created_at, updated_at)
SELECT 'ins_b' || g, 'brd_b' || g, 'shop-' || g || '.myshopify.com', g::text, 'k1:x', 'expiring',
       'read_products,read_orders,write_orders,read_themes', '2025-10', '[]', 0,
       now() - interval '60 days', CASE WHEN g % 50 = 0 THEN now() ELSE NULL END, now(), now()
FROM generate_series(1, {installs}) g;
INSERT INTO webhook_events (id, brand_id, platform, event_id, topic, shop_domain, resource_id,
                            received_at, status, attempts, error)
SELECT 'whe_' || g, 'brd_b' || (1 + (g - 1) / {per}), 'shopify', 'evt-' || g,
       ({topic_array})[1 + g % {len(topics)}], 'shop-' || (1 + (g - 1) / {per}) || '.myshopify.com',
       (g % 100000)::text, now() - ((g % 14400) || ' minutes')::interval,
       CASE WHEN g % 100 = 0 THEN 'failed' ELSE 'done' END, 1,
       CASE WHEN g % 100 = 0 THEN 'RuntimeError: boom' ELSE NULL END
FROM generate_series(1, {events}) g;
INSERT INTO token_refresh_attempts (id, brand_id, install_id, trigger, ok, error, attempted_at)
SELECT 'tra_' || g || '_' || n, 'brd_b' || g, 'ins_b' || g, 'expiring',
       NOT (n = 2 AND g % 33 = 0), CASE WHEN n = 2 AND g % 33 = 0 THEN 'refused' END,
       now() - ((3 - n) || ' hours')::interval
FROM generate_series(1, {installs}) g, generate_series(1, 2) n;
INSERT INTO render_jobs (id, brand_id, kind, queue, status, attempts, max_attempts, payload,
                         enqueued_at, finished_at, error)
SELECT 'job_' || g, 'brd_b' || (1 + g % {installs}), 'preview', 'preview',
       CASE WHEN g % 100 = 0 THEN 'failed' ELSE 'succeeded' END, 1, 3, '{{}}',
       now() - ((g % 2880) || ' minutes')::interval, now() - ((g % 2880) || ' minutes')::interval,
       CASE WHEN g % 100 = 0 THEN 'RenderError' END
FROM generate_series(1, {installs * 5}) g;
INSERT INTO orders (id, brand_id, platform, external_id, name, status, production_status, problems,
                    created_at, updated_at)
SELECT 'ord_' || g, 'brd_b' || (1 + g % {installs}), 'shopify', (5000000000 + g)::text,
       '#' || (1000 + g / {installs}), 'open', 'pending', '[]', now(), now()
FROM generate_series(1, {installs * 10}) g;
INSERT INTO usage_records (id, brand_id, kind, provider, units, tokens_in, tokens_out, cost_cents,
                           month, occurred_at, details)
SELECT 'use_' || g, 'brd_b' || (1 + g % {installs}), 'ai_image', 'openai', 1, 0, 0,
       CASE WHEN g % 41 = 0 THEN 2500 ELSE 4 END, to_char(now(), 'YYYY-MM'), now(), '{{}}'
FROM generate_series(1, {installs * 2}) g;
INSERT INTO billable_events (id, brand_id, kind, idempotency_key, period, occurred_at, overage,
                             unit_price_cents, report_status, attempts, details)
SELECT 'bev_' || g || '_' || n, 'brd_b' || g, 'designs', 'design:' || n, to_char(now(), 'YYYY-MM'),
       now(), false, 0, 'included', 0, '{{}}'
FROM generate_series(1, {installs}) g, generate_series(1, 30) n
WHERE n <= g % 31;
INSERT INTO billing_accounts (id, brand_id, provider, status, grace_until, details, created_at,
                              updated_at)
SELECT 'bac_' || g, 'brd_b' || g, 'stripe', 'past_due',
       CASE WHEN g % 200 = 0 THEN now() - interval '1 day' END, '{{}}', now(), now()
FROM generate_series(1, {installs}) g
WHERE g % 20 = 0;
INSERT INTO audit_events (id, brand_id, actor, action, details, created_at)
SELECT 'aud_' || g, 'brd_b' || (1 + g % {installs}), 'system', 'design.created', '{{}}', now()
FROM generate_series(1, {installs * 5}) g;
ANALYZE;
""",
    )


def _timed(client, path: str, repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        answer = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status_code in (200, 302), (path, answer.status_code)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def run(url: str, installs: int, events: int, repeat: int) -> None:
    import pyotp
    from flask_migrate import upgrade

    from luneo_app import create_app
    from luneo_app.config import TestConfig
    from luneo_app.extensions import db
    from luneo_app.shopify.app_config import load_app_config
    from luneo_app.staff.auth import create_staff, enable_totp

    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": ""}
    app = create_app(TestConfig(env, CELERY_EAGER=True, RATE_LIMITS_ENABLED=False))
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        started = time.perf_counter()
        _seed(url, installs, events, sorted(load_app_config().topics))
        print(
            f"seeded {installs:,} installs, {events:,} webhook events"
            f" in {time.perf_counter() - started:.0f} s"
        )
        secret = pyotp.random_base32()
        user = create_staff("bench@luneo.test", "bench password 123", "admin")
        enable_totp(user, secret)
        db.session.commit()
    client = app.test_client()
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/support/login").get_data(as_text=True)
    )
    client.post(
        "/support/login",
        data={
            "email": "bench@luneo.test",
            "password": "bench password 123",
            "csrf_token": token.group(1),
        },
    )
    page = client.get("/support/login/code").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    done = client.post(
        "/support/login/code", data={"code": pyotp.TOTP(secret).now(), "csrf_token": token}
    )
    assert done.status_code == 302, done.get_data(as_text=True)[:500]

    paths = {
        "installs, first page": "/support",
        "installs, page 150": "/support?page=150",
        "search domain": "/support?q=shop-4242.myshopify",
        "search order #1005": "/support?q=%231005",
        "search platform order id": "/support?q=5000012345",
    }
    for badge in (
        "active",
        "uninstalled",
        "suspended",
        "token_failing",
        "webhooks_failing",
        "jobs_failing",
        "over_budget",
        "payment_overdue",
        "over_plan",
        "near_limit",
    ):
        paths[f"filter {badge}"] = f"/support?health={badge}"
    print(f"{'page':32} {'median ms':>10} {'p95 ms':>8}")
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.enable()
        client.get(os.environ["BENCH_PROFILE"])
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    for label, path in paths.items():
        median, p95 = _timed(client, path, repeat)
        print(f"{label:32} {median:10.1f} {p95:8.1f}")
    rng = random.Random(7)
    times = []
    for _ in range(repeat):
        path = f"/support/brands/brd_b{rng.randint(1, installs)}"
        started = time.perf_counter()
        assert client.get(path).status_code == 200
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    print(
        f"{'install page (random brands)':32} {statistics.median(times):10.1f}"
        f" {times[int(0.95 * (len(times) - 1))]:8.1f}"
    )
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
