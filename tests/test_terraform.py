"""The Terraform skeleton stays valid HCL: every file parses (python-hcl2), every ``var.x``
is declared, every resource referenced exists, and the pieces the plan asks for are there."""

from __future__ import annotations

import re
from pathlib import Path

import hcl2

FOLDER = Path(__file__).resolve().parents[1] / "deploy" / "terraform"


def _parsed() -> dict[str, dict]:
    return {path.name: hcl2.load(path.open()) for path in sorted(FOLDER.glob("*.tf"))}


def _names(blocks: list[dict]) -> set[str]:
    return {name.strip('"') for block in blocks for name in block if not name.startswith("__")}


def test_every_file_parses_and_declares_what_it_uses():
    parsed = _parsed()
    assert {"main.tf", "variables.tf", "outputs.tf", "versions.tf"} <= set(parsed)
    declared = _names(parsed["variables.tf"]["variable"])
    text = "\n".join(path.read_text() for path in FOLDER.glob("*.tf"))
    used = set(re.findall(r"\bvar\.([a-z0-9_]+)", text))
    assert used - declared == set(), f"used but not declared: {used - declared}"
    assert declared - used == set(), f"declared but never used: {declared - used}"
    resources = {
        f"{kind.strip(chr(34))}.{name.strip(chr(34))}"
        for block in parsed["main.tf"]["resource"]
        for kind, named in block.items()
        if not kind.startswith("__")
        for name in named
        if not name.startswith("__")
    }
    referenced = set(re.findall(r"\b(hcloud_[a-z_]+\.[a-z_]+|vault_[a-z_]+\.[a-z_]+)\b", text))
    assert referenced - resources == set(), f"referenced but not defined: {referenced - resources}"


def test_the_skeleton_has_servers_database_redis_storage_and_vault():
    parsed = _parsed()
    kinds = {kind.strip('"') for block in parsed["main.tf"]["resource"] for kind in block}
    assert {"hcloud_server", "hcloud_volume", "hcloud_load_balancer", "hcloud_network"} <= kinds
    assert {"vault_mount", "vault_policy"} <= kinds
    providers = parsed["versions.tf"]["terraform"][0]["required_providers"][0]
    assert providers["hcloud"]["source"].strip('"') == "hetznercloud/hcloud"
    outputs = _names(parsed["outputs.tf"]["output"])
    assert {"load_balancer_ipv4", "redis_url", "vault_addr", "storage_url"} <= outputs
    sensitive = [
        block['"hcloud_token"']
        for block in parsed["variables.tf"]["variable"]
        if '"hcloud_token"' in block
    ]
    assert sensitive and sensitive[0]["sensitive"] is True
    template = FOLDER / "cloud-init.yaml.tftpl"
    assert template.read_text().startswith("#cloud-config")
