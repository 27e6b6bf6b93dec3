"""Every metric the dashboards and alerts query is one our code exposes, so no panel or alert watches nothing.

A name counts as exposed when it is registered by the shared runtime (checked exactly, on a real registry),
or when a service's source names it in a string literal (services register their own business metrics), or
when Prometheus itself makes it (`up`). Names a service has still to provide are listed in AWAITING_PRODUCER
with who should produce them; once a producer exists the entry must go, so the list stays true.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pytest
import yaml
from linkwork_runtime.app import new_registry
from linkwork_runtime.messaging.metrics import MessagingMetrics
from prometheus_client import CollectorRegistry

pytestmark = pytest.mark.unit

FROM_PROMETHEUS = {"up"}

# Names chosen here for metrics the services have not written yet: producer and labels the queries expect.
AWAITING_PRODUCER = {
    "linkwork_outcomes_funnel_referrals": "outcomes: gauge of referrals that reached a stage, labels stage, pcn",
}

SOURCE_TREES = ("runtime/src", "contracts/src", "services")
SUFFIXES = ("_total", "_created", "_bucket", "_count", "_sum", "_info")
FAMILY_SAMPLES = {
    "counter": ("_total", "_created"),
    "gauge": ("",),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "summary": ("", "_count", "_sum", "_created"),
    "info": ("_info",),
}

# PromQL words that look like metric names but are not.
_KEYWORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool"}
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
_MATCHERS = re.compile(r"\{[^{}]*\}")
_RANGES = re.compile(r"\[[^\]]*\]")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_VARIABLE = re.compile(r"\$\w+|\$\{[^}]*\}")
_IDENTIFIER = re.compile(r"(?<![\w.$:])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w(])(?!\s*\()")


def metric_names(expr: str) -> set[str]:
    """Metric names in a PromQL expression: identifiers that are not functions, keywords or labels."""
    text = _STRING.sub('""', expr)
    text = _VARIABLE.sub("1", text)
    text = _MATCHERS.sub("", text)
    text = _RANGES.sub("", text)
    text = _GROUPING.sub("", text)
    return {name for name in _IDENTIFIER.findall(text) if name not in _KEYWORDS}


def _label_values_metric(query: str) -> set[str]:
    """Grafana's `label_values(metric{...}, label)` variable query names a metric too."""
    match = re.fullmatch(r"\s*label_values\((.*),\s*\w+\s*\)\s*", query)
    return metric_names(match.group(1)) if match else metric_names(query)


def _dashboard_queries(repo_root: Path) -> Iterable[tuple[str, set[str]]]:
    for path in sorted((repo_root / "deploy/grafana/dashboards").glob("*.json")):
        board = json.loads(path.read_text())
        for panel in board["panels"]:
            for nested in [panel, *panel.get("panels", [])]:
                for target in nested.get("targets", []):
                    yield f"{path.name}: {nested['title']}", metric_names(target["expr"])
        for variable in board["templating"]["list"]:
            query = variable["query"]
            text = query["query"] if isinstance(query, dict) else query
            yield f"{path.name}: variable {variable['name']}", _label_values_metric(text)


def _alert_queries(repo_root: Path) -> Iterable[tuple[str, set[str]]]:
    for path in sorted((repo_root / "deploy/prometheus").glob("*.yml")):
        config = yaml.safe_load(path.read_text())
        for group in config.get("groups", []) if isinstance(config, dict) else []:
            for rule in group["rules"]:
                yield f"{path.name}: {rule.get('alert') or rule.get('record')}", metric_names(rule["expr"])


def _exposed_by(registry: CollectorRegistry) -> set[str]:
    names: set[str] = set()
    for family in registry.collect():
        names.update(family.name + suffix for suffix in FAMILY_SAMPLES.get(family.type, ("",)))
        names.update(sample.name for sample in family.samples)
    return names


@cache
def runtime_metrics() -> frozenset[str]:
    """Exactly what a service's registry exposes from the shared runtime: process, Python and messaging."""
    registry = new_registry()
    MessagingMetrics(registry)
    return frozenset(_exposed_by(registry))


@cache
def _python_sources(repo_root: Path) -> str:
    return "\n".join(
        path.read_text(errors="replace")
        for tree in SOURCE_TREES
        for path in sorted((repo_root / tree).rglob("*.py"))
        if "/tests/" not in path.as_posix()
    )


def _bases(name: str) -> set[str]:
    """The name without its sample suffix: what a prometheus_client metric is declared as."""
    return {name, *(name.removesuffix(suffix) for suffix in SUFFIXES if name.endswith(suffix))}


def _literal(text: str) -> str:
    return rf"[\"']{re.escape(text)}[\"']"


def named_in_source(repo_root: Path, name: str) -> bool:
    """Spelt whole (`"linkwork_x"`), or as a namespace and a name (`namespace="linkwork"` with `"x"`, or
    `NAMESPACE = "linkwork_outcomes"` with `f"{NAMESPACE}_x"`)."""
    sources = _python_sources(repo_root)
    for base in _bases(name):
        if re.search(_literal(base), sources):
            return True
        parts = base.split("_")
        for cut in range(1, len(parts)):
            namespace, rest = "_".join(parts[:cut]), "_".join(parts[cut:])
            declared = re.search(_literal(rest), sources) or re.search(rf"\}}_{re.escape(rest)}[\"']", sources)
            if declared and re.search(_literal(namespace), sources):
                return True
    return False


def produced(repo_root: Path, name: str) -> bool:
    return name in runtime_metrics() or name in FROM_PROMETHEUS or named_in_source(repo_root, name)


def test_metric_names_are_found_in_promql() -> None:
    expr = (
        "histogram_quantile(0.95, sum by (job, le) (rate(linkwork_handler_duration_seconds_bucket"
        '{job=~"$service", topic!~".*\\\\.dlq"}[$__rate_interval]))) '
        "/ on (job) group_left sum without (instance) (up offset 5m) > 1e3 "
        'unless absent(process_open_fds{job="referral"}) or time() - max(x:recorded:rate5m)'
    )
    assert metric_names(expr) == {
        "linkwork_handler_duration_seconds_bucket",
        "up",
        "process_open_fds",
        "x:recorded:rate5m",
    }


def test_runtime_registry_exposes_the_messaging_and_process_metrics() -> None:
    names = runtime_metrics()
    assert {
        "linkwork_consumer_lag",
        "linkwork_events_dead_lettered_total",
        "linkwork_outbox_backlog",
        "linkwork_handler_duration_seconds_bucket",
        "process_cpu_seconds_total",
    } <= names
    assert "linkwork_outbox_backlog_total" not in names  # a gauge has no _total: the check is exact


@pytest.mark.parametrize("where", ["dashboards", "alerts"])
def test_every_queried_metric_is_produced_or_awaited(repo_root: Path, where: str) -> None:
    queries = list(_dashboard_queries(repo_root) if where == "dashboards" else _alert_queries(repo_root))
    assert len(queries) >= 8
    unknown = {
        name: place
        for place, names in queries
        for name in sorted(names)
        if not produced(repo_root, name) and name not in AWAITING_PRODUCER
    }
    assert unknown == {}, "metrics nothing produces (fix the query, or list the name in AWAITING_PRODUCER)"


def test_awaited_metrics_are_still_missing_and_still_used(repo_root: Path) -> None:
    used = {name for _, names in [*_dashboard_queries(repo_root), *_alert_queries(repo_root)] for name in names}
    now_produced = sorted(name for name in AWAITING_PRODUCER if produced(repo_root, name))
    assert now_produced == [], "now produced: remove from AWAITING_PRODUCER in tests/deploy/test_metric_names.py"
    assert sorted(set(AWAITING_PRODUCER) - used) == []
