"""The Grafana dashboards and their provisioning: they parse, every panel queries the provisioned Prometheus,
they cover what operators and PCN leads need, and docker compose mounts them where Grafana looks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.unit

DASHBOARDS = Path("deploy/grafana/dashboards")
PROVISIONING = Path("deploy/grafana/provisioning")
GRID_COLUMNS = 24

# What each dashboard must show, as a metric its queries must use (from the issue's list).
COVERAGE = {
    "linkwork operations": {
        "throughput": "linkwork_events_published_total",
        "consumers": "linkwork_events_processed_total",
        "consumer lag": "linkwork_consumer_lag",
        "DLQ": "linkwork_events_dead_lettered_total",
        "outbox backlog": "linkwork_outbox_backlog",
        "outbox age": "linkwork_outbox_oldest_age_seconds",
        "handler latency": "linkwork_handler_duration_seconds_bucket",
        "HTTP": "linkwork_http_requests_total",
        "process": "process_resident_memory_bytes",
    },
    "linkwork service": {
        "referrals by status": "linkwork_outcomes_open_referrals",
        "referrals by source": "linkwork_outcomes_referrals",
        "funnel": "linkwork_outcomes_funnel_referrals",
        "follow-ups overdue": "linkwork_outcomes_follow_ups_overdue",
        "stale directory": "linkwork_outcomes_stale_directory_services",
    },
}


def _dashboards(repo_root: Path) -> dict[str, dict[str, Any]]:
    boards: dict[str, dict[str, Any]] = {}
    for path in sorted((repo_root / DASHBOARDS).glob("*.json")):
        board = json.loads(path.read_text())
        boards[board["title"]] = board
    return boards


def _panels(board: dict[str, Any]) -> list[dict[str, Any]]:
    """Every panel, including those nested in collapsed rows; rows themselves query nothing."""
    found: list[dict[str, Any]] = []
    for panel in board["panels"]:
        if panel["type"] == "row":
            found.extend(panel.get("panels", []))
        else:
            found.append(panel)
    return found


def _provisioned_datasource(repo_root: Path) -> dict[str, Any]:
    config = yaml.safe_load((repo_root / PROVISIONING / "datasources/prometheus.yml").read_text())
    (datasource,) = config["datasources"]
    assert isinstance(datasource, dict)
    return datasource


def test_both_dashboards_exist_with_unique_uids(repo_root: Path) -> None:
    boards = _dashboards(repo_root)
    assert set(boards) == set(COVERAGE)
    uids = [board["uid"] for board in boards.values()]
    assert len(set(uids)) == len(uids)


@pytest.mark.parametrize("title", sorted(COVERAGE))
def test_every_panel_queries_the_provisioned_prometheus(repo_root: Path, title: str) -> None:
    uid = _provisioned_datasource(repo_root)["uid"]
    board = _dashboards(repo_root)[title]
    panels = _panels(board)
    assert len(panels) >= 8
    for panel in panels:
        assert panel["datasource"] == {"type": "prometheus", "uid": uid}, panel["title"]
        assert panel["targets"], f"{panel['title']} has no query"
        for target in panel["targets"]:
            assert target["expr"].strip(), f"{panel['title']} has an empty query"
            assert target.get("datasource", panel["datasource"])["uid"] == uid
        ref_ids = [target["refId"] for target in panel["targets"]]
        assert len(set(ref_ids)) == len(ref_ids), panel["title"]
    for variable in board["templating"]["list"]:
        assert variable["datasource"]["uid"] == uid, variable["name"]


@pytest.mark.parametrize("title", sorted(COVERAGE))
def test_panels_fit_the_grid_without_overlapping(repo_root: Path, title: str) -> None:
    cells: dict[tuple[int, int], str] = {}
    for panel in _dashboards(repo_root)[title]["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= GRID_COLUMNS, panel["title"]
        for y in range(grid["y"], grid["y"] + grid["h"]):
            for x in range(grid["x"], grid["x"] + grid["w"]):
                assert (x, y) not in cells, f"{panel['title']} overlaps {cells.get((x, y))}"
                cells[(x, y)] = panel["title"]


@pytest.mark.parametrize("title", sorted(COVERAGE))
def test_dashboard_covers_what_the_issue_asks_for(repo_root: Path, title: str) -> None:
    panels = _panels(_dashboards(repo_root)[title])
    queries = " ".join(target["expr"] for panel in panels for target in panel["targets"])
    missing = [topic for topic, metric in COVERAGE[title].items() if metric not in queries]
    assert missing == []


def test_operations_latency_is_per_service(repo_root: Path) -> None:
    panels = _panels(_dashboards(repo_root)["linkwork operations"])
    latency = [
        target["expr"]
        for panel in panels
        for target in panel["targets"]
        if "linkwork_handler_duration_seconds_bucket" in target["expr"]
    ]
    assert any("by (job, le)" in expr and expr.startswith("histogram_quantile(") for expr in latency)


def test_datasource_points_at_the_compose_prometheus(repo_root: Path) -> None:
    datasource = _provisioned_datasource(repo_root)
    assert datasource["type"] == "prometheus"
    assert datasource["url"] == "http://prometheus:9090"
    compose = yaml.safe_load((repo_root / "docker-compose.yml").read_text())
    assert "127.0.0.1:9090:9090" in compose["services"]["prometheus"]["ports"]


def test_compose_runs_grafana_with_the_provisioning_and_dashboards_mounted(repo_root: Path) -> None:
    compose = yaml.safe_load((repo_root / "docker-compose.yml").read_text())
    grafana = compose["services"]["grafana"]
    assert grafana["image"].startswith("grafana/grafana:")
    assert grafana["ports"] == ["127.0.0.1:3000:3000"]
    mounts = {}
    for volume in grafana["volumes"]:
        source, target, *_ = volume.split(":")
        mounts[source] = target
    assert mounts[f"./{PROVISIONING}"] == "/etc/grafana/provisioning"
    providers = yaml.safe_load((repo_root / PROVISIONING / "dashboards/linkwork.yml").read_text())["providers"]
    assert [provider["options"]["path"] for provider in providers] == [mounts[f"./{DASHBOARDS}"]]
    home = grafana["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    home_file = Path(home).relative_to(mounts[f"./{DASHBOARDS}"])
    assert (repo_root / DASHBOARDS / home_file).is_file()


def test_all_services_means_only_linkwork_jobs(repo_root: Path) -> None:
    """Choosing all services must not match every job Prometheus scrapes (in a shared cluster, everything)."""
    board = _dashboards(repo_root)["linkwork operations"]
    (service,) = [variable for variable in board["templating"]["list"] if variable["name"] == "service"]
    assert set(service["allValue"].split("|")) == {"referral", "directory", "matching", "outcomes"}
