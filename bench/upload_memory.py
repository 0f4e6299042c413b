"""Benchmark: web-tier memory per shopper photo upload (issue 12 target: <= ~100 MB growth
per upload in flight; 48 MP phone photos accepted).

    .venv/bin/python bench/upload_memory.py

Runs the real upload endpoint (``POST /v1/uploads``) on the embedded default (SQLite, local
files) in a fresh process; the photos are made beforehand, so their making does not count.
Per photo it prints the answer, the web process's peak RSS growth during the request
(``VmHWM`` reset before each request via ``/proc/self/clear_refs``) and the largest peak RSS
of the decode child processes, with the load average.
"""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_MB = 100


def _status(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) // 1024
    raise KeyError(field)


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")


def _make_photos(folder: str) -> None:
    from tests.designs.big_photos import phone_heic, phone_jpeg, png_bomb

    Path(folder, "png_bomb_40mp.png").write_bytes(png_bomb(8000, 5000))
    Path(folder, "phone_48mp.jpg").write_bytes(phone_jpeg())
    try:
        Path(folder, "phone_48mp.heic").write_bytes(phone_heic())
    except Exception as exc:  # noqa: BLE001 - no HEIF encoder in this build
        print(f"(no HEIC sample: {exc})")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        measure(sys.argv[2])
        return
    work = tempfile.mkdtemp(prefix="luneo-upload-bench-")
    _make_photos(work)
    subprocess.run([sys.executable, __file__, "--measure", work], check=True)


def measure(work: str) -> None:
    """Upload every photo of ``work`` through the app in this process and print figures."""
    os.environ.update({"LUNEO_INSTANCE_DIR": work, "LUNEO_DEMO_MODE": "0", "LOG_LEVEL": "WARNING"})
    for name in ("DATABASE_URL", "REDIS_URL"):
        os.environ.pop(name, None)

    from luneo_app import create_app
    from luneo_app.auth.apikeys import create_api_key
    from luneo_app.extensions import db
    from tests.support.factories import make_brand

    app = create_app()
    with app.app_context():
        db.create_all()
        key = create_api_key(make_brand()).plaintext
        db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}

    def upload(name: str, data: bytes) -> tuple[int, str]:
        answer = client.post(
            "/v1/uploads",
            data={"file": (io.BytesIO(data), name), "consent": "true"},
            headers=headers,
            content_type="multipart/form-data",
        )
        body = answer.get_json() or {}
        if answer.status_code == 201:
            return answer.status_code, f"{body['width']}x{body['height']}"
        return answer.status_code, body.get("error", {}).get("code", "?")

    small = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (640, 480), (30, 90, 160)).save(small, "JPEG")
    upload("warm-up.jpg", small.getvalue())  # imports, first fork, database

    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'photo':22} {'file':>9} {'answer':>16} {'time':>7} {'web peak +RSS':>14}")
    worst = 0
    for path in sorted(Path(work).glob("*_*.*")):
        data = path.read_bytes()
        baseline = _status("VmRSS")
        _reset_peak()
        started = time.perf_counter()
        status, what = upload(path.name, data)
        elapsed = time.perf_counter() - started
        growth = _status("VmHWM") - baseline
        worst = max(worst, growth)
        print(
            f"{path.name:22} {len(data) // 1024:>7}KB {status} {what:>12} "
            f"{elapsed:>6.2f}s {growth:>11} MB"
        )
    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    verdict = "within" if worst <= TARGET_MB else "OVER"
    print(
        f"largest web-process growth per upload: {worst} MB ({verdict} the ~{TARGET_MB} MB "
        f"target); largest decode-child peak RSS: {child_peak} MB, of which up to "
        f"{_status('VmRSS')} MB are the web process's pages it shares by fork (its own "
        f"peak is the difference, bounded by UPLOAD_DECODE_MEMORY_MB)"
    )


if __name__ == "__main__":
    main()
