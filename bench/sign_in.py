"""Sign-in cost: ``POST /v1/auth/login`` and ``/v1/auth/refresh`` median and p95 on the
embedded default (SQLite, in-process store), and Argon2 verification alone for comparison.

    .venv/bin/python bench/sign_in.py --rounds 30
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from luneo_app import create_app  # noqa: E402
from luneo_app.accounts import passwords  # noqa: E402
from luneo_app.config import Config  # noqa: E402

PASSWORD = "correct horse battery"


def _stats(name: str, samples: list[float]) -> None:
    samples = sorted(samples)
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
    print(f"{name:<28} median {statistics.median(samples):7.1f} ms   p95 {p95:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="luneo-bench-signin-")
    app = create_app(Config({"LUNEO_INSTANCE_DIR": folder}))
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    client = app.test_client()
    body = {"brandName": "Bench", "email": "bench@bench-brand.com", "password": PASSWORD}
    assert client.post("/v1/auth/signup", json=body).status_code == 201

    stored = passwords.hash_password(PASSWORD)
    verify = []
    for _ in range(args.rounds):
        t = time.perf_counter()
        passwords.verify_password(stored, PASSWORD)
        verify.append((time.perf_counter() - t) * 1000)

    logins, refreshes = [], []
    credentials = {"email": body["email"], "password": PASSWORD}
    for _ in range(args.rounds):
        t = time.perf_counter()
        r = client.post("/v1/auth/login", json=credentials)
        logins.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, r.get_json()
        t = time.perf_counter()
        r = client.post("/v1/auth/refresh", json={"refreshToken": r.get_json()["refreshToken"]})
        refreshes.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200

    print(f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}")
    _stats("argon2 verify alone", verify)
    _stats("POST /v1/auth/login", logins)
    _stats("POST /v1/auth/refresh", refreshes)


if __name__ == "__main__":
    main()
