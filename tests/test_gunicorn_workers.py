"""The embedded default (SQLite, no Redis) under ``gunicorn -w 4``: OAuth installs and widget
handshakes succeed whichever worker answers each step, and a rate limit holds across workers.

Before the shared store, OAuth state and handshake nonces lived in each worker's memory and
about one step in two landed on the other worker (``invalid_state``, ``invalid_nonce``).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.fakes.shopify import FakeShopify
from tests.shopify.helpers import API_KEY, API_SECRET, callback_params, signed_callback_query

ROOT = Path(__file__).resolve().parent.parent
INSTALLS = 20
HANDSHAKES = 20
WORKERS = 4  # as the issue asks: the embedded default under gunicorn -w 4
TOKEN_LIMIT = 25  # per shop and client address per minute, across all workers


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def fake_shopify() -> Iterator[FakeShopify]:
    with FakeShopify(API_KEY, API_SECRET) as fake:
        yield fake


@pytest.fixture(scope="module")
def server(tmp_path_factory, fake_shopify) -> Iterator[tuple[str, Path]]:  # type: ignore[no-untyped-def]
    """gunicorn -w 2 on the embedded default; yields (base URL, access log path)."""
    instance = tmp_path_factory.mktemp("embedded-instance")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "LUNEO_ENCRYPTION_KEY", "CELERY_EAGER"}
        and not k.startswith(("PYTEST", "LUNEO_", "RATE_LIMIT"))
    }
    env.update(
        LUNEO_INSTANCE_DIR=str(instance),
        APP_URL=base,
        SHOPIFY_API_KEY=API_KEY,
        SHOPIFY_API_SECRET=API_SECRET,
        SHOPIFY_ADMIN_ORIGIN=fake_shopify.origin,
        RATE_LIMIT_EMBED_TOKEN=f"{TOKEN_LIMIT} per minute",
    )
    flask = [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"]
    subprocess.run(flask, env=env, cwd=ROOT, check=True, capture_output=True, timeout=120)
    log_path = instance / "access.log"
    gunicorn = [
        *(sys.executable, "-m", "gunicorn", "wsgi:app", "--workers", str(WORKERS)),
        *("--bind", f"127.0.0.1:{port}", "--timeout", "60"),
        *("--access-logfile", str(log_path), "--access-logformat", "%(p)s %(m)s %(U)s %(s)s"),
    ]
    errors = open(instance / "gunicorn.err", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(gunicorn, env=env, cwd=ROOT, stdout=errors, stderr=errors)
    try:
        _wait_ready(base, proc, instance)
        yield base, log_path
    finally:
        proc.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        proc.wait(timeout=30)
        errors.close()


def _wait_ready(base: str, proc: subprocess.Popen, instance: Path) -> None:  # type: ignore[type-arg]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError((instance / "gunicorn.err").read_text())
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("gunicorn did not start: " + (instance / "gunicorn.err").read_text())


def _install(base: str, fake: FakeShopify, shop: str) -> int:
    """One OAuth install, each request on a new connection (any worker may answer)."""
    started = httpx.get(f"{base}/auth/install", params={"shop": shop})
    assert started.status_code == 302, started.text
    state = parse_qs(urlsplit(started.headers["Location"]).query)["state"][0]
    query = signed_callback_query(callback_params(shop, state, fake.issue_code(shop)))
    back = httpx.get(f"{base}/auth/callback", params=query, cookies={"luneo_oauth_state": state})
    assert back.status_code == 302, back.text
    assert back.headers["Location"] == f"{fake.origin}/admin/apps/{API_KEY}"
    return back.status_code


def _token(base: str, shop: str) -> httpx.Response:
    origin = f"https://{shop}"
    return httpx.get(
        f"{base}/embed/token", params={"shop": shop, "origin": origin}, headers={"Origin": origin}
    )


def _handshake(base: str, shop: str) -> int:
    issued = _token(base, shop)
    assert issued.status_code == 200, issued.text
    body = issued.json()
    done = httpx.post(
        f"{base}/embed/validate",
        params={"shop": shop},
        json={"token": body["token"], "nonce": body["nonce"]},
        headers={"Origin": f"https://{shop}"},
    )
    assert done.status_code == 200, done.text
    return done.status_code


def _workers_that_answered(log_path: Path, path: str) -> set[str]:
    lines = log_path.read_text().splitlines()
    return {m.group(1) for line in lines if (m := re.match(rf"<(\d+)> \w+ {path} ", line))}


def test_installs_and_handshakes_all_succeed_and_the_token_limit_holds_across_workers(
    server, fake_shopify
):
    base, log_path = server
    shops = [f"shop-{n:02d}.myshopify.com" for n in range(INSTALLS)]

    with ThreadPoolExecutor(max_workers=4) as pool:
        installs = list(pool.map(lambda shop: _install(base, fake_shopify, shop), shops))
    assert installs == [302] * INSTALLS

    with ThreadPoolExecutor(max_workers=4) as pool:
        handshakes = list(pool.map(lambda _: _handshake(base, shops[0]), range(HANDSHAKES)))
    assert handshakes == [200] * HANDSHAKES

    # several workers took part in each flow, so each step could cross workers
    assert len(_workers_that_answered(log_path, "/auth/callback")) >= 2
    assert len(_workers_that_answered(log_path, "/embed/validate")) >= 2

    # one allowance for the shop and client, counted by all workers together
    more = [_token(base, shops[0]).status_code for _ in range(TOKEN_LIMIT - HANDSHAKES + 2)]
    assert more == [200] * (TOKEN_LIMIT - HANDSHAKES) + [429, 429]
    limited = _token(base, shops[0])
    assert limited.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
