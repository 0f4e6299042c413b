"""HashiCorp Vault's HTTP API, the parts Luneo uses: KV version 2 reads and Kubernetes auth.

A real local HTTP server speaking Vault's wire format (``X-Vault-Token``, ``/v1/<mount>/data/
<path>``, ``/v1/auth/kubernetes/login``, ``{"errors": [...]}`` bodies with Vault's status
codes), so ``hvac`` is exercised exactly as against a Vault server. Secrets are versioned:
:meth:`FakeVault.put` writes a new version, as ``vault kv put`` does.
"""

from __future__ import annotations

import json
import secrets
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakes._server import LocalServer


class FakeVault(LocalServer):
    """KV v2 secrets under ``mount/path``, tokens, and Kubernetes roles bound to a JWT."""

    def __init__(self) -> None:
        self.tokens: set[str] = {"root-token"}
        self.kv: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.k8s_roles: dict[str, str] = {}
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def start(self) -> FakeVault:
        owner = self

        class Handler(_Handler):
            vault = owner

        return self._serve(Handler)

    def put(self, path: str, data: dict[str, Any], mount: str = "secret") -> int:
        """Write a new version of a secret; returns its version number."""
        with self._lock:
            versions = self.kv.setdefault((mount, path), [])
            versions.append(dict(data))
            return len(versions)

    def bind_kubernetes_role(self, role: str, jwt: str) -> None:
        self.k8s_roles[role] = jwt


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


class _Handler(BaseHTTPRequestHandler):
    vault: FakeVault

    def log_message(self, *_: object) -> None:
        pass

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self) -> None:  # noqa: N802
        path = self.path.split("?", 1)[0]
        self.vault.requests.append(("GET", path))
        if self.headers.get("X-Vault-Token") not in self.vault.tokens:
            return self._answer(403, {"errors": ["permission denied"]})
        parts = path.removeprefix("/v1/").split("/", 2)
        if len(parts) != 3 or parts[1] != "data":
            return self._answer(404, {"errors": []})
        mount, _, secret_path = parts
        versions = self.vault.kv.get((mount, secret_path))
        if not versions:
            return self._answer(404, {"errors": []})
        self._answer(
            200,
            {
                "request_id": secrets.token_hex(8),
                "lease_id": "",
                "renewable": False,
                "lease_duration": 0,
                "data": {
                    "data": versions[-1],
                    "metadata": {
                        "created_time": _now(),
                        "custom_metadata": None,
                        "deletion_time": "",
                        "destroyed": False,
                        "version": len(versions),
                    },
                },
                "wrap_info": None,
                "warnings": None,
                "auth": None,
            },
        )

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        self.vault.requests.append(("POST", self.path))
        if self.path != "/v1/auth/kubernetes/login":
            return self._answer(404, {"errors": []})
        role = body.get("role")
        if role not in self.vault.k8s_roles or self.vault.k8s_roles[role] != body.get("jwt"):
            return self._answer(403, {"errors": ["permission denied"]})
        token = "hvs." + secrets.token_urlsafe(24)
        self.vault.tokens.add(token)
        self._answer(
            200,
            {
                "auth": {
                    "client_token": token,
                    "accessor": secrets.token_hex(8),
                    "policies": ["default", "luneo"],
                    "lease_duration": 3600,
                    "renewable": True,
                    "metadata": {"role": role},
                },
                "data": None,
                "warnings": None,
            },
        )
