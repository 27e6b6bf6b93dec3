"""docker compose cannot run here (no Docker engine), so the compose file is checked by parsing it: services,
ports bound to localhost, secrets only from the generated .env, Kafka's log on its volume, topics created as
in Kubernetes, the one-shot seed, and the build context's .dockerignore."""

from __future__ import annotations

import importlib
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from linkwork_stack import kafka_topics
from linkwork_stack.paths import REPO_ROOT
from linkwork_stack.services import SERVICES as RUNNER_SERVICES

pytestmark = pytest.mark.unit
# The runner's four services, and notifications, which the runner starts beside them (like the console).
SERVICES = (*RUNNER_SERVICES, "notifications")


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
    # One Dockerfile for every service: the build arguments say which package it installs and runs.
    assert spec["build"]["args"] == {"SERVICE": service, "PORT": str(port)}
    assert (REPO_ROOT / "services" / service / "pyproject.toml").is_file()
    assert spec["ports"] == [f"127.0.0.1:{port}:{port}"]
    environment = spec["environment"]
    assert int(environment["LINKWORK_HTTP_PORT"]) == port
    known = {f"LINKWORK_{name.upper()}" for name in settings.model_fields}
    unknown = sorted(set(environment) - known)
    assert unknown == [], f"{service} sets variables its Settings does not read: {unknown}"
    assert environment["LINKWORK_DATABASE_URL"].endswith(f"@postgres:5432/{service}")
    assert environment["LINKWORK_KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    # Services start once every topic exists (auto-creation is off, as in production).
    assert spec["depends_on"]["kafka-topics"] == {"condition": "service_completed_successfully"}
    assert spec["depends_on"]["postgres"] == {"condition": "service_healthy"}


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


def test_kafka_keeps_its_log_on_the_named_volume(compose: dict[str, Any]) -> None:
    kafka = compose["services"]["kafka"]
    log_dirs = kafka["environment"]["KAFKA_LOG_DIRS"]
    mounts = dict(volume.split(":", 1)[::-1] for volume in kafka["volumes"])
    assert mounts[log_dirs] in compose["volumes"], "the log directory must be a named volume"
    assert kafka["environment"]["CLUSTER_ID"], "a fixed cluster id, so the formatted volume is reused"
    assert kafka["environment"]["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"


def test_topics_are_created_once_from_the_generated_script(compose: dict[str, Any]) -> None:
    job = compose["services"]["kafka-topics"]
    assert job["image"] == compose["services"]["kafka"]["image"]
    assert job["restart"] == "no"
    assert job["depends_on"] == {"kafka": {"condition": "service_healthy"}}
    (mount,) = job["volumes"]
    source, target, mode = mount.split(":")
    assert (REPO_ROOT / source).resolve() == kafka_topics.COMPOSE_SCRIPT and mode == "ro"
    assert job["command"][-1] == target


def test_the_compose_topics_match_the_kubernetes_topics() -> None:
    """Same names, partitions, retention and compaction; only the replica settings differ (one broker)."""
    script = kafka_topics.COMPOSE_SCRIPT.read_text()
    created = {}
    for line in script.splitlines():
        if line.startswith("topic "):
            _, name, partitions, configs = line.split()
            config = dict(pair.split("=") for pair in configs.split(","))
            assert config.pop("min.insync.replicas") == "1"
            created[name] = (int(partitions), config)
    strimzi = {}
    for document in yaml.safe_load_all(kafka_topics.STRIMZI_TOPICS.read_text()):
        config = {key: str(value) for key, value in document["spec"]["config"].items()}
        assert config.pop("min.insync.replicas") == "2"
        strimzi[document["spec"]["topicName"]] = (document["spec"]["partitions"], config)
    assert created == strimzi
    assert subprocess.run(["bash", "-n", str(kafka_topics.COMPOSE_SCRIPT)], check=False).returncode == 0


def test_a_one_shot_seed_loads_postcodes_and_the_demo_directory(compose: dict[str, Any]) -> None:
    seed = compose["services"]["seed"]
    command = " ".join(seed["command"])
    assert "linkwork_directory.entrypoints.load_postcodes load-sample" in command
    assert "linkwork_directory.entrypoints.demo" in command
    assert seed["restart"] == "no"
    assert seed["depends_on"] == {"directory": {"condition": "service_healthy"}}
    assert (
        seed["environment"]["LINKWORK_DATABASE_URL"]
        == compose["services"]["directory"]["environment"]["LINKWORK_DATABASE_URL"]
    )


def test_every_published_port_is_bound_to_localhost(compose: dict[str, Any]) -> None:
    published = [port for spec in compose["services"].values() for port in spec.get("ports", [])]
    assert published
    assert all(port.startswith("127.0.0.1:") for port in published), published


def test_no_secret_has_a_default_and_make_generates_each(compose: dict[str, Any]) -> None:
    text = (REPO_ROOT / "docker-compose.yml").read_text()
    referenced = set(re.findall(r"\$\{(\w+)", text))
    secret = {name for name in referenced if re.search("SECRET|PASSWORD", name)}
    assert secret >= {"LINKWORK_JWT_SECRET", "LINKWORK_PERSON_REF_SECRET", "POSTGRES_PASSWORD"}
    assert not re.search(r"\$\{\w+:-", text), "no variable may fall back to a default written here"
    for name in secret:
        # Each secret is required at least once (compose stops with the hint when .env is missing).
        assert re.search(rf"\$\{{{name}:\?", text), name
    assert "postgres:postgres@" not in text and "POSTGRES_PASSWORD: postgres" not in text
    makefile = (REPO_ROOT / "Makefile").read_text()
    env_target = makefile.split("\n.env:", 1)[1].split("\n\n", 1)[0]
    for name in secret:
        assert f"{name}=$$($(PYTHON) -c 'import secrets;" in env_target, f"make .env does not generate {name}"
    assert ".env" in (REPO_ROOT / ".gitignore").read_text().split()


def test_the_build_context_leaves_out_local_state_and_secrets() -> None:
    ignored = set((REPO_ROOT / ".dockerignore").read_text().split())
    assert {".git", ".env", ".venv", ".data", ".cache", "**/__pycache__"} <= ignored
