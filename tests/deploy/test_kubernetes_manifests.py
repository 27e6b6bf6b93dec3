"""The Kubernetes manifests: built-in kinds validate against the Kubernetes 1.37 JSON schemas shipped in
`kubernetes-validate` (offline, strict: unknown fields are errors), and the four services are deployed the
way the design needs (probes, resources, non-root, settings each service really reads, secrets scoped)."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from linkwork_runtime.probes import PROBE_TIMEOUT

pytestmark = pytest.mark.unit

Resource = tuple[Path, dict[str, Any]]
Kustomization = Callable[..., list[Resource]]

SERVICES = ("referral", "directory", "matching", "outcomes", "notifications")
KUBERNETES_VERSION = "1.37.0"
CUSTOM_GROUPS = {"kafka.strimzi.io", "postgresql.cnpg.io", "monitoring.coreos.com"}  # checked by their own tests
ENTRY_POINTS = ("", "managed-postgres", "monitoring")  # the kustomizations an operator applies


def _of_kind(resources: list[Resource], kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for _, doc in resources if doc["kind"] == kind}


def _settings(service: str) -> Any:
    return importlib.import_module(f"linkwork_{service}.settings").Settings


def _container(deployment: dict[str, Any]) -> dict[str, Any]:
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert isinstance(container, dict)
    return container


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_built_in_kinds_validate_against_the_kubernetes_schemas(kustomization: Kustomization, entry: str) -> None:
    checked = 0
    for path, doc in kustomization(entry):
        if doc["apiVersion"].split("/")[0] in CUSTOM_GROUPS:
            continue
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{path.name}: {doc['kind']} {doc['metadata']['name']}: {error.message} at {list(error.path)}")
        checked += 1
    assert checked > 0 or entry == "monitoring"


def test_every_manifest_file_is_applied_by_some_kustomization(repo_root: Path, kustomization: Kustomization) -> None:
    used = {path for entry in ENTRY_POINTS for path, _ in kustomization(entry)}
    files = {
        path.resolve()
        for path in (repo_root / "deploy/kubernetes").rglob("*.yaml")
        if path.name != "kustomization.yaml"
    }
    assert sorted(str(path) for path in files - used) == []


def test_managed_postgres_is_the_default_without_cloudnative_pg(kustomization: Kustomization) -> None:
    def kinds(resources: list[Resource]) -> set[tuple[str, str]]:
        return {(doc["kind"], doc["metadata"]["name"]) for _, doc in resources}

    default, managed = kinds(kustomization()), kinds(kustomization("managed-postgres"))
    assert {kind for kind, _ in default - managed} == {"Cluster"}
    assert managed < default


def test_everything_lands_in_the_linkwork_namespace(kustomization: Kustomization) -> None:
    resources = kustomization()
    assert set(_of_kind(resources, "Namespace")) == {"linkwork"}
    assert {doc["metadata"].get("namespace") for _, doc in resources if doc["kind"] != "Namespace"} == {"linkwork"}


def test_no_secret_values_are_committed(kustomization: Kustomization) -> None:
    assert _of_kind(kustomization(), "Secret") == {}


@pytest.mark.parametrize("service", SERVICES)
def test_service_deployment_has_probes_resources_and_runs_unprivileged(
    kustomization: Kustomization, service: str
) -> None:
    deployment = _of_kind(kustomization(), "Deployment")[service]
    pod = deployment["spec"]["template"]["spec"]
    container = _container(deployment)
    port = _settings(service)().http_port
    assert container["ports"] == [{"name": "http", "containerPort": port, "protocol": "TCP"}]
    assert container["livenessProbe"]["httpGet"] == {"path": "/health", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "http"}
    # /ready checks the database, then Kafka, each within PROBE_TIMEOUT: a shorter timeout fails a healthy pod.
    assert container["readinessProbe"]["timeoutSeconds"] > 2 * PROBE_TIMEOUT
    assert container["startupProbe"]["httpGet"]["path"] == "/health"  # migrations may take a while
    assert {"cpu", "memory"} <= set(container["resources"]["requests"])
    assert "memory" in container["resources"]["limits"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] > 0
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    image, _, tag = container["image"].partition(":")
    assert image == f"linkwork/{service}" and tag and tag != "latest"
    assert deployment["spec"]["replicas"] >= 2


@pytest.mark.parametrize("service", SERVICES)
def test_service_is_reachable_and_protected_from_disruption(kustomization: Kustomization, service: str) -> None:
    resources = kustomization()
    deployment = _of_kind(resources, "Deployment")[service]
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert selector.items() <= pod_labels.items()
    k8s_service = _of_kind(resources, "Service")[service]
    assert k8s_service["spec"]["selector"] == selector
    assert [(p["port"], p["targetPort"]) for p in k8s_service["spec"]["ports"]] == [
        (_settings(service)().http_port, "http")
    ]
    budget = _of_kind(resources, "PodDisruptionBudget")[service]
    assert budget["spec"]["selector"]["matchLabels"] == selector
    assert 1 <= budget["spec"]["minAvailable"] < deployment["spec"]["replicas"]


@pytest.mark.parametrize("service", SERVICES)
def test_every_setting_given_is_one_the_service_reads(kustomization: Kustomization, service: str) -> None:
    resources = kustomization()
    container = _container(_of_kind(resources, "Deployment")[service])
    config_maps = _of_kind(resources, "ConfigMap")
    names = {variable["name"] for variable in container["env"]}
    for source in container["envFrom"]:
        names |= set(config_maps[source["configMapRef"]["name"]]["data"])
    known = {f"LINKWORK_{field.upper()}" for field in _settings(service).model_fields}
    assert sorted(names - known) == []


@pytest.mark.parametrize("service", SERVICES)
def test_secrets_come_from_secrets_and_person_ref_only_to_referral(kustomization: Kustomization, service: str) -> None:
    container = _container(_of_kind(kustomization(), "Deployment")[service])
    from_secret = {
        variable["name"]: variable["valueFrom"]["secretKeyRef"]
        for variable in container["env"]
        if "secretKeyRef" in variable.get("valueFrom", {})
    }
    assert from_secret["LINKWORK_DATABASE_URL"] == {"name": f"linkwork-{service}-db-app", "key": "uri"}
    assert "LINKWORK_JWT_SECRET" in from_secret  # never the development default
    assert ("LINKWORK_PERSON_REF_SECRET" in from_secret) == (service == "referral")
    assert not any("secretRef" in source for source in container["envFrom"])  # no blanket secret import


def test_pod_monitor_scrapes_the_services_as_their_own_job(kustomization: Kustomization) -> None:
    (monitor,) = _of_kind(kustomization("monitoring"), "PodMonitor").values()
    deployments = _of_kind(kustomization(), "Deployment")
    assert set(deployments) == set(SERVICES)
    for name, deployment in deployments.items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert monitor["spec"]["selector"]["matchLabels"].items() <= labels.items()
        assert labels[monitor["spec"]["jobLabel"]] == name  # the alerts' `job` is the service name
    assert monitor["spec"]["podMetricsEndpoints"][0]["port"] == "http"


def test_prometheus_rule_wraps_the_tested_alert_rules(repo_root: Path) -> None:
    script = repo_root / "deploy/scripts/prometheus-rule.py"
    output = subprocess.run(
        [sys.executable, str(script), "--label", "release=monitoring"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rule = yaml.safe_load(output)
    alerts = yaml.safe_load((repo_root / "deploy/prometheus/alerts.yml").read_text())
    assert rule["kind"] == "PrometheusRule"
    assert rule["metadata"]["labels"]["release"] == "monitoring"
    assert rule["spec"]["groups"] == alerts["groups"]
