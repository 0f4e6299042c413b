"""Secret settings from ``NAME_FILE`` files and from Vault (KV v2, token or Kubernetes auth),
and rotations that keep working across the switch."""

from __future__ import annotations

import os

import pytest

from luneo_app import create_app
from luneo_app.config import Config, TestConfig
from luneo_app.core.crypto import Keyring, generate_key
from luneo_app.core.secrets import SecretUnavailable
from tests.fakes.vault import FakeVault


@pytest.fixture()
def vault():  # type: ignore[no-untyped-def]
    with FakeVault() as fake:
        yield fake


def _env(**values: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("VAULT_")}
    for name in ("SECRET_KEY", "SHOPIFY_API_SECRET", "LUNEO_ENCRYPTION_KEY", "OPENAI_API_KEY"):
        base.pop(name, None)
        base.pop(f"{name}_FILE", None)
    return {**base, **values}


def test_a_secret_comes_from_its_file_without_the_trailing_newline(tmp_path):
    (tmp_path / "secret_key").write_text("s3cr3t-from-a-file\n")
    (tmp_path / "shopify").write_text("shpss_file_secret")
    config = Config(
        _env(
            SECRET_KEY_FILE=str(tmp_path / "secret_key"),
            SHOPIFY_API_SECRET_FILE=str(tmp_path / "shopify"),
        )
    )
    assert config.SECRET_KEY == "s3cr3t-from-a-file"
    assert config.SHOPIFY_API_SECRET == "shpss_file_secret"


def test_the_variable_itself_wins_over_its_file_and_a_missing_file_stops_the_start(tmp_path):
    (tmp_path / "secret_key").write_text("from-file")
    both = Config(_env(SECRET_KEY="from-env", SECRET_KEY_FILE=str(tmp_path / "secret_key")))
    assert both.SECRET_KEY == "from-env"
    with pytest.raises(SecretUnavailable, match="SECRET_KEY_FILE"):
        Config(_env(SECRET_KEY_FILE=str(tmp_path / "nowhere")))


def test_secrets_come_from_vault_kv2_with_a_token(vault):
    vault.put("luneo", {"SECRET_KEY": "vault-secret", "OPENAI_API_KEY": "sk-vault-0123456789"})
    config = Config(_env(VAULT_ADDR=vault.origin, VAULT_TOKEN="root-token"))
    assert config.SECRET_KEY == "vault-secret"
    assert config.OPENAI_API_KEY == "sk-vault-0123456789"
    assert ("GET", "/v1/secret/data/luneo") in vault.requests


def test_a_wrong_vault_token_or_an_absent_secret_stops_the_start(vault):
    with pytest.raises(SecretUnavailable, match="Forbidden"):
        Config(_env(VAULT_ADDR=vault.origin, VAULT_TOKEN="wrong"))
    with pytest.raises(SecretUnavailable, match="InvalidPath"):
        Config(_env(VAULT_ADDR=vault.origin, VAULT_TOKEN="root-token"))


def test_secrets_come_from_vault_with_kubernetes_auth(vault, tmp_path):
    jwt = "eyJhbGciOiJSUzI1NiJ9.service-account.sig"
    (tmp_path / "token").write_text(jwt)
    vault.bind_kubernetes_role("luneo-web", jwt)
    vault.put("apps/luneo", {"SHOPIFY_API_SECRET": "shpss_k8s"}, mount="kv")
    config = Config(
        _env(
            VAULT_ADDR=vault.origin,
            VAULT_KUBERNETES_ROLE="luneo-web",
            VAULT_KUBERNETES_TOKEN_PATH=str(tmp_path / "token"),
            VAULT_MOUNT="kv",
            VAULT_SECRET_PATH="apps/luneo",
        )
    )
    assert config.SHOPIFY_API_SECRET == "shpss_k8s"
    assert vault.requests[0] == ("POST", "/v1/auth/kubernetes/login")


def test_rotating_the_encryption_key_in_vault_keeps_old_ciphertexts_readable(vault):
    old_key, new_key = generate_key("k2025"), generate_key("k2026")
    vault.put("luneo", {"SECRET_KEY": "app-secret", "LUNEO_ENCRYPTION_KEY": old_key})
    before = Config(_env(VAULT_ADDR=vault.origin, VAULT_TOKEN="root-token"))
    sealed = Keyring.parse(before.LUNEO_ENCRYPTION_KEY, before.LUNEO_ENCRYPTION_OLD_KEYS).encrypt(
        "shpat_offline_token"
    )
    # The rotation: the new key becomes current, the old one stays readable (a new version of
    # the Vault secret); the next start of each process reads it.
    version = vault.put(
        "luneo",
        {
            "SECRET_KEY": "app-secret",
            "LUNEO_ENCRYPTION_KEY": new_key,
            "LUNEO_ENCRYPTION_OLD_KEYS": old_key,
        },
    )
    assert version == 2
    after = Config(_env(VAULT_ADDR=vault.origin, VAULT_TOKEN="root-token"))
    keyring = Keyring.parse(after.LUNEO_ENCRYPTION_KEY, after.LUNEO_ENCRYPTION_OLD_KEYS)
    assert keyring.decrypt(sealed) == "shpat_offline_token"
    assert keyring.key_id_of(sealed) == "k2025"
    assert keyring.key_id_of(keyring.encrypt("new")) == "k2026"  # `flask luneo rotate-key` next


def test_the_app_starts_on_secrets_from_vault(vault, _schema):
    vault.put("luneo", {"SECRET_KEY": "vault-app-secret", "METRICS_TOKEN": "vault-metrics"})
    env = _env(VAULT_ADDR=vault.origin, VAULT_TOKEN="root-token")
    app = create_app(TestConfig(env))
    assert app.config["SECRET_KEY"] == "vault-app-secret"
    app.config["METRICS_PUBLIC"] = False
    client = app.test_client()
    assert client.get("/metrics").status_code == 401
    assert (
        client.get("/metrics", headers={"Authorization": "Bearer vault-metrics"}).status_code == 200
    )
