"""Secret settings from files (``NAME_FILE``) or HashiCorp Vault, resolved when settings are
read.

Order, for each secret setting: the variable itself (``SECRET_KEY=...``) when set; else the
file named by ``NAME_FILE`` (Docker and Kubernetes secrets, one value per file, the trailing
newline dropped); else the key ``NAME`` of the Vault secret when ``VAULT_ADDR`` is set.

Vault: KV version 2, mount ``VAULT_MOUNT`` (``secret``), path ``VAULT_SECRET_PATH``
(``luneo``). Authentication by ``VAULT_TOKEN`` (or ``VAULT_TOKEN_FILE``), or Kubernetes auth
when ``VAULT_KUBERNETES_ROLE`` is set (the pod's service-account token, at
``VAULT_KUBERNETES_TOKEN_PATH``). The secret is read once per process start, so a rotation
in Vault reaches the app with the next rolling restart (see ``docs/secrets.md``); a Vault that
cannot be reached stops the start with a clear error rather than running without secrets.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: Every setting that holds a secret (or a URL that may carry a password).
SECRET_SETTINGS = (
    "SECRET_KEY",
    "SECRET_KEY_FALLBACKS",
    "LUNEO_ENCRYPTION_KEY",
    "LUNEO_ENCRYPTION_OLD_KEYS",
    "DATABASE_URL",
    "REDIS_URL",
    "SHOPIFY_API_KEY",
    "SHOPIFY_API_SECRET",
    "SHOPIFY_API_SECRET_OLD",
    "OPENAI_API_KEY",
    "STRIPE_API_KEY",
    "SMTP_URL",
    "METRICS_TOKEN",
    "SENTRY_DSN",
    "SAML_SP_PRIVATE_KEY",
)

K8S_TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount/token"


class SecretUnavailable(RuntimeError):
    """A secret the settings point to cannot be read (missing file, Vault refusing)."""


def resolve_secrets(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` with every secret setting filled in from its file or from Vault."""
    resolved = dict(env)
    vault: dict[str, Any] | None = None
    for name in SECRET_SETTINGS:
        if resolved.get(name):
            continue
        file_name = resolved.get(f"{name}_FILE")
        if file_name:
            resolved[name] = _read_file(name, file_name)
            continue
        if resolved.get("VAULT_ADDR"):
            if vault is None:
                vault = read_vault_secret(resolved)
            value = vault.get(name)
            if value not in (None, ""):
                resolved[name] = str(value)
    return resolved


def _read_file(name: str, file_name: str) -> str:
    try:
        return Path(file_name).read_text().rstrip("\r\n")
    except OSError as exc:
        raise SecretUnavailable(f"{name}_FILE={file_name} cannot be read: {exc.strerror}") from exc


def read_vault_secret(env: Mapping[str, str]) -> dict[str, Any]:
    """The key/value pairs of Luneo's KV v2 secret in Vault (latest version)."""
    import hvac
    import requests

    client = hvac.Client(
        url=env["VAULT_ADDR"],
        namespace=env.get("VAULT_NAMESPACE") or None,
        verify=env.get("VAULT_CACERT") or True,
        timeout=int(env.get("VAULT_TIMEOUT") or 5),
    )
    try:
        role = env.get("VAULT_KUBERNETES_ROLE")
        if role:
            jwt = _read_file(
                "VAULT_KUBERNETES", env.get("VAULT_KUBERNETES_TOKEN_PATH") or K8S_TOKEN_PATH
            )
            client.auth.kubernetes.login(
                role=role, jwt=jwt, mount_point=env.get("VAULT_KUBERNETES_MOUNT") or "kubernetes"
            )
        else:
            token = env.get("VAULT_TOKEN")
            if not token and env.get("VAULT_TOKEN_FILE"):
                token = _read_file("VAULT_TOKEN", env["VAULT_TOKEN_FILE"])
            if not token:
                raise SecretUnavailable(
                    "VAULT_ADDR is set but neither VAULT_TOKEN nor VAULT_KUBERNETES_ROLE is"
                )
            client.token = token
        answer = client.secrets.kv.v2.read_secret_version(
            path=env.get("VAULT_SECRET_PATH") or "luneo",
            mount_point=env.get("VAULT_MOUNT") or "secret",
            raise_on_deleted_version=True,
        )
    except (hvac.exceptions.VaultError, requests.RequestException) as exc:
        raise SecretUnavailable(
            f"Vault at {env['VAULT_ADDR']} refused: {type(exc).__name__}"
        ) from exc
    return dict(answer["data"]["data"])
