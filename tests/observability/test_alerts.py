"""Alert rules and dashboards: promtool checks and unit-tests the rules, every metric they and
the dashboards name exists in /metrics, every alert links a runbook that exists."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy" / "prometheus" / "luneo.rules.yml"
RULE_TESTS = sorted((ROOT / "deploy" / "prometheus" / "tests").glob("*.yml"))
DASHBOARDS = sorted((ROOT / "deploy" / "grafana").glob("*.json"))
# Series Prometheus makes itself, not the app.
BUILTIN = {"up"}
_NAME = re.compile(r"\b(luneo_[a-z0-9_]+|up)\b(?!\s*\()")


def _promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        pytest.fail("promtool is missing: apt-get install prometheus (scripts/test installs it)")
    return path


def _rules() -> list[dict]:
    return [
        rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]
    ]


def _metric_names(expr: str) -> set[str]:
    names = set()
    for name in _NAME.findall(re.sub(r"\{[^}]*\}", "", expr)):
        for suffix in ("_bucket", "_count", "_sum"):
            if name.endswith(suffix):
                name = name[: -len(suffix)]
        names.add(name)
    return names


def _exposed(client) -> set[str]:  # type: ignore[no-untyped-def]
    body = client.get("/metrics", headers={"Authorization": "Bearer t"}).get_data(as_text=True)
    names = set()
    for line in body.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split()
            names.add(name)
            if kind == "counter":
                names.add(f"{name}_total")
    return names


def test_promtool_accepts_the_rules():
    result = subprocess.run(
        [_promtool(), "check", "rules", str(RULES)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_the_alerts_fire_as_their_unit_tests_expect():
    assert RULE_TESTS
    result = subprocess.run(
        [_promtool(), "test", "rules", *map(str, RULE_TESTS)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_has_a_summary_a_severity_and_a_runbook_that_exists():
    alerts = [rule for rule in _rules() if "alert" in rule]
    assert len(alerts) >= 10
    for rule in alerts:
        assert rule["labels"]["severity"] in ("page", "ticket"), rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]
        runbook = ROOT / rule["annotations"]["runbook_url"]
        assert runbook.is_file() and rule["alert"] in runbook.read_text(), rule["alert"]


def test_every_metric_the_rules_and_dashboards_name_is_exposed(app, client):
    app.config.update(METRICS_PUBLIC=False, METRICS_TOKEN="t")
    exposed = _exposed(client)
    recorded = {rule["record"] for rule in _rules() if "record" in rule}
    named = set()
    for rule in _rules():
        named |= _metric_names(rule["expr"])
    for path in DASHBOARDS:
        for panel in json.loads(path.read_text())["panels"]:
            for target in panel["targets"]:
                named |= _metric_names(target["expr"])
                named |= set(re.findall(r"luneo:[a-z0-9_:]+", target["expr"])) - recorded
    missing = sorted(named - exposed - BUILTIN)
    assert missing == [], f"named by rules or dashboards but not in /metrics: {missing}"
    assert {"luneo_queue_jobs", "luneo_queue_oldest_waiting_seconds"} <= exposed


def test_the_dashboards_are_grafana_json_with_unique_ids():
    assert len(DASHBOARDS) >= 2
    uids = set()
    for path in DASHBOARDS:
        board = json.loads(path.read_text())
        assert board["uid"] not in uids and board["title"] and board["schemaVersion"] >= 30
        uids.add(board["uid"])
        ids = [panel["id"] for panel in board["panels"]]
        assert len(ids) == len(set(ids)), path.name
        for panel in board["panels"]:
            assert panel["targets"] and all(t["expr"].strip() for t in panel["targets"])
            assert {"x", "y", "w", "h"} <= set(panel["gridPos"])
