"""docker compose cannot run here (no Docker engine), so the compose file is checked by parsing it."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from linkwork_stack.paths import REPO_ROOT
from linkwork_stack.services import SERVICES

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
    return loaded


def _settings(service: str) -> Any:
    return importlib.import_module(f"linkwork_{service}.settings").Settings


@pytest.mark.parametrize("service", SERVICES)
def test_service_build_port_and_environment_match_its_settings(compose: dict[str, Any], service: str) -> None:
    spec = compose["services"][service]
    assert (REPO_ROOT / spec["build"]["context"] / spec["build"]["dockerfile"]).is_file()
    settings = _settings(service)
    port = settings().http_port
    assert spec["ports"] == [f"{port}:{port}"]
    environment = spec["environment"]
    assert int(environment["LINKWORK_HTTP_PORT"]) == port
    known = {f"LINKWORK_{name.upper()}" for name in settings.model_fields}
    unknown = sorted(set(environment) - known)
    assert unknown == [], f"{service} sets variables its Settings does not read: {unknown}"
    assert environment["LINKWORK_DATABASE_URL"].endswith(f"@postgres:5432/{service}")
    assert environment["LINKWORK_KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert {"kafka", "postgres"} <= set(spec["depends_on"])


def test_every_service_database_is_created(compose: dict[str, Any]) -> None:
    init = (REPO_ROOT / "deploy" / "postgres" / "init.sql").read_text()
    assert set(re.findall(r"CREATE DATABASE (\w+);", init)) == set(SERVICES)
    mounted = compose["services"]["postgres"]["volumes"]
    assert "./deploy/postgres/init.sql:/docker-entrypoint-initdb.d/init.sql:ro" in mounted


def test_kafka_is_a_single_kraft_node(compose: dict[str, Any]) -> None:
    environment = compose["services"]["kafka"]["environment"]
    assert environment["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert environment["KAFKA_ADVERTISED_LISTENERS"] == "PLAINTEXT://kafka:9092"
    assert compose["services"]["kafka"]["image"].startswith("apache/kafka:4.")


def test_prometheus_scrapes_every_service_on_its_port(compose: dict[str, Any]) -> None:
    config = yaml.safe_load((REPO_ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text())
    targets = {job["job_name"]: job["static_configs"][0]["targets"] for job in config["scrape_configs"]}
    for service in SERVICES:
        assert targets[service] == [f"{service}:{_settings(service)().http_port}"]
    mount = compose["services"]["prometheus"]["volumes"][0]
    assert Path(REPO_ROOT / mount.split(":")[0]).resolve() == (REPO_ROOT / "deploy" / "prometheus").resolve()
