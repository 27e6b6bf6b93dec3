"""The Prometheus alert rules: promtool checks them, runs their unit tests, and every alert is covered."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.unit

RULES = Path("deploy/prometheus/alerts.yml")
RULE_TESTS = Path("tests/deploy/prometheus/alerts.test.yml")
REQUIRED_ANNOTATIONS = {"summary", "description", "runbook"}
SEVERITIES = {"critical", "warning", "ticket"}


def _run(promtool: str, repo_root: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([promtool, *arguments], cwd=repo_root, capture_output=True, text=True, check=False)


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def _alerts(repo_root: Path) -> list[dict[str, Any]]:
    return [rule for group in _load(repo_root / RULES)["groups"] for rule in group["rules"] if "alert" in rule]


def test_promtool_accepts_the_rules(promtool: str, repo_root: Path) -> None:
    result = _run(promtool, repo_root, "check", "rules", str(RULES))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(_alerts(repo_root))} rules found" in result.stdout


def test_promtool_unit_tests_of_the_rules_pass(promtool: str, repo_root: Path) -> None:
    result = _run(promtool, repo_root, "test", "rules", str(RULE_TESTS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_prometheus_config_loads_the_rules(promtool: str, repo_root: Path) -> None:
    config = _load(repo_root / "deploy/prometheus/prometheus.yml")
    assert "alerts.yml" in config["rule_files"]
    result = _run(promtool, repo_root, "check", "config", "deploy/prometheus/prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_is_tested_firing_and_not_firing(repo_root: Path) -> None:
    fired: set[str] = set()
    held: set[str] = set()
    for case in _load(repo_root / RULE_TESTS)["tests"]:
        for check in case.get("alert_rule_test", []):
            (fired if check.get("exp_alerts") else held).add(check["alertname"])
    names = {alert["alert"] for alert in _alerts(repo_root)}
    assert names - fired == set(), "alerts no test makes fire"
    assert names - held == set(), "alerts no test shows staying quiet"


def test_the_brief_s_alerts_exist(repo_root: Path) -> None:
    exprs = {alert["alert"]: alert["expr"] for alert in _alerts(repo_root)}
    wanted = {
        "consumer lag": "linkwork_consumer_lag",
        "DLQ growth": "linkwork_events_dead_lettered_total",
        "outbox backlog": "linkwork_outbox_backlog",
        "outbox oldest row": "linkwork_outbox_oldest_age_seconds",
        "overdue follow-ups": "linkwork_outcomes_follow_ups_overdue",
        "stale directory": "linkwork_outcomes_stale_directory_services",
        "service down": "up{",
    }
    missing = [what for what, metric in wanted.items() if not any(metric in expr for expr in exprs.values())]
    assert missing == []


def test_every_alert_has_a_severity_and_explains_itself(repo_root: Path) -> None:
    for alert in _alerts(repo_root):
        assert alert["labels"]["severity"] in SEVERITIES, alert["alert"]
        assert set(alert["annotations"]) >= REQUIRED_ANNOTATIONS, alert["alert"]


def _github_anchor(heading: str) -> str:
    slug = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return slug.replace(" ", "-")


def test_every_runbook_link_points_at_a_readme_section(repo_root: Path) -> None:
    anchors: set[str] = set()
    in_code = False
    for line in (repo_root / "deploy/README.md").read_text().splitlines():
        in_code ^= line.startswith("```")
        if line.startswith("#") and not in_code:
            anchors.add(_github_anchor(line.lstrip("#")))
    for alert in _alerts(repo_root):
        document, _, anchor = alert["annotations"]["runbook"].partition("#")
        assert document == "deploy/README.md", alert["alert"]
        assert anchor in anchors, f"{alert['alert']}: no section #{anchor} in deploy/README.md"
