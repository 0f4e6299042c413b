"""A uvicorn process serving ``asgi:app``, and a small server-sent events reader."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]


METRICS = "realtime-metrics-token"  # /metrics wants a token outside the embedded default


def server_env(config: Any, **overrides: str) -> dict[str, str]:
    """The environment of a web process sharing the test run's database, Redis and files."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": config.SQLALCHEMY_DATABASE_URI,
            "REDIS_URL": config.REDIS_URL or "",
            "STORAGE_DIR": config.STORAGE_DIR,
            "LUNEO_INSTANCE_DIR": config.INSTANCE_DIR,
            "SECRET_KEY": config.SECRET_KEY,
            "LUNEO_ENCRYPTION_KEY": config.LUNEO_ENCRYPTION_KEY,
            "APP_URL": config.APP_URL,
            "WEB_THREADS": "4",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(overrides)
    return env


class ServerProcess:
    """``uvicorn asgi:app`` on a socket bound here (a free port), and what it printed."""

    def __init__(self, proc: subprocess.Popen[str], port: int) -> None:
        self.proc = proc
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.lines: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    @classmethod
    def start(cls, env: dict[str, str]) -> ServerProcess:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(2048)
        cmd = [sys.executable, "-m", "uvicorn", "asgi:app", "--fd", str(sock.fileno())]
        cmd += ["--log-level", "warning", "--timeout-graceful-shutdown", "10"]
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            pass_fds=(sock.fileno(),),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        server = cls(proc, sock.getsockname()[1])
        sock.close()
        server.wait_ready()
        return server

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip())

    def wait_ready(self, timeout: float = 40) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("uvicorn did not start:\n" + "\n".join(self.lines[-40:]))

    def threads(self) -> int:
        """Threads of the server process now."""
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        return int(next(ln for ln in status.splitlines() if ln.startswith("Threads:")).split()[1])

    def stop(self, timeout: float = 15) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.returncode


@dataclass
class SseEvent:
    name: str
    data: Any
    id: str | None = None


@dataclass
class SseReader:
    """Reads a ``text/event-stream`` response event by event (comments counted apart)."""

    response: httpx.Response
    comments: int = 0
    retry: int | None = None
    _lines: Any = field(default=None, repr=False)

    def next(self) -> SseEvent | None:
        """The next event, or None when the stream ended."""
        if self._lines is None:
            self._lines = self.response.iter_lines()
        name, data, event_id = "message", [], None
        for line in self._lines:
            if line == "":
                if data:
                    return SseEvent(name, json.loads("\n".join(data)), event_id)
                continue
            if line.startswith(":"):
                self.comments += 1
            elif line.startswith("retry:"):
                self.retry = int(line.split(":", 1)[1])
            elif line.startswith("event:"):
                name = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                data.append(line.split(":", 1)[1].strip())
            elif line.startswith("id:"):
                event_id = line.split(":", 1)[1].strip()
        return None

    def heartbeats(self, count: int) -> None:
        """Read until ``count`` comment lines (heartbeats) have come; fails on an event."""
        if self._lines is None:
            self._lines = self.response.iter_lines()
        for line in self._lines:
            if line.startswith(":"):
                self.comments += 1
                if self.comments >= count:
                    return
            elif line.startswith(("event:", "data:")):
                raise AssertionError(f"unexpected event line while idle: {line}")
        raise AssertionError("stream ended while waiting for heartbeats")

    def until(self, predicate: Any) -> list[SseEvent]:
        """Events read until one matches ``predicate`` (included); fails if the stream ends."""
        seen = []
        while True:
            event = self.next()
            if event is None:
                raise AssertionError(f"stream ended before the expected event; saw {seen}")
            seen.append(event)
            if predicate(event):
                return seen
