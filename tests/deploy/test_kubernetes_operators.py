"""The custom resources, which no offline Kubernetes schema covers, checked on the fields that matter:
Kafka on Strimzi (three brokers in KRaft node pools, replication 3, min ISR 2, every topic and its DLQ,
service-changed compacted) and PostgreSQL on CloudNativePG (one cluster and database per service)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from linkwork_contracts.topics import GP_RECORD_UPDATE, PROVIDER_SYSTEMS, TOPICS
from linkwork_stack import kafka_access
from linkwork_stack.kafka_access import INTEGRATION

pytestmark = pytest.mark.unit

Resource = tuple[Path, dict[str, Any]]
Kustomization = Callable[..., list[Resource]]

SERVICES = ("referral", "directory", "matching", "outcomes", "notifications")
STRIMZI = "kafka.strimzi.io/v1beta2"
CLOUDNATIVE_PG = "postgresql.cnpg.io/v1"


def _of_kind(resources: list[Resource], api_version: str, kind: str) -> list[dict[str, Any]]:
    return [doc for _, doc in resources if doc["kind"] == kind and doc["apiVersion"] == api_version]


@pytest.fixture
def resources(kustomization: Kustomization) -> list[Resource]:
    return kustomization()


@pytest.fixture
def kafka(resources: list[Resource]) -> dict[str, Any]:
    (cluster,) = _of_kind(resources, STRIMZI, "Kafka")
    return cluster


def test_kafka_runs_three_brokers_and_a_controller_quorum_in_kraft_node_pools(
    resources: list[Resource], kafka: dict[str, Any]
) -> None:
    pools = _of_kind(resources, STRIMZI, "KafkaNodePool")
    assert {pool["metadata"]["labels"]["strimzi.io/cluster"] for pool in pools} == {kafka["metadata"]["name"]}
    brokers = sum(pool["spec"]["replicas"] for pool in pools if "broker" in pool["spec"]["roles"])
    controllers = sum(pool["spec"]["replicas"] for pool in pools if "controller" in pool["spec"]["roles"])
    assert brokers == 3
    assert controllers >= 3 and controllers % 2 == 1  # a majority survives losing one
    assert "zookeeper" not in kafka["spec"]
    assert all(pool["spec"]["storage"]["type"] in {"jbod", "persistent-claim"} for pool in pools)


def test_kafka_replicates_every_write_to_two_of_three(kafka: dict[str, Any]) -> None:
    config = kafka["spec"]["kafka"]["config"]
    assert config["default.replication.factor"] == 3
    assert config["min.insync.replicas"] == 2
    assert config["offsets.topic.replication.factor"] == 3
    assert config["transaction.state.log.replication.factor"] == 3
    assert config["auto.create.topics.enable"] is False
    assert kafka["spec"]["kafka"]["version"].startswith("4.")


def test_services_connect_to_the_kafka_bootstrap_service(resources: list[Resource], kafka: dict[str, Any]) -> None:
    (config,) = [
        doc for _, doc in resources if doc["kind"] == "ConfigMap" and doc["metadata"]["name"] == "linkwork-config"
    ]
    # One listener, and it takes only TLS with SCRAM: no plain-text way in (issue 16).
    (listener,) = kafka["spec"]["kafka"]["listeners"]
    assert listener["tls"] is True
    assert listener["authentication"] == {"type": "scram-sha-512"}
    assert kafka["spec"]["kafka"]["authorization"]["type"] == "simple"
    expected = f"{kafka['metadata']['name']}-kafka-bootstrap:{listener['port']}"
    assert config["data"]["LINKWORK_KAFKA_BOOTSTRAP_SERVERS"] == expected
    assert config["data"]["LINKWORK_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert config["data"]["LINKWORK_KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
    peers = listener["networkPolicyPeers"]
    assert peers == [{"podSelector": {"matchLabels": {"app.kubernetes.io/part-of": "linkwork"}}}]


def test_each_service_and_the_integration_is_a_kafka_user_with_the_local_acls(
    resources: list[Resource], kafka: dict[str, Any]
) -> None:
    users = {user["metadata"]["name"]: user for user in _of_kind(resources, STRIMZI, "KafkaUser")}
    assert set(users) == {*SERVICES, PROVIDER_SYSTEMS, INTEGRATION}
    for name, user in users.items():
        assert user["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
        assert user["spec"]["authentication"] == {"type": "scram-sha-512"}
        acls = {
            (acl["resource"]["type"], acl["resource"]["name"], acl["resource"]["patternType"], operation)
            for acl in user["spec"]["authorization"]["acls"]
            for operation in acl["operations"]
        }
        local = {
            (grant.resource, grant.name, grant.pattern, operation)
            for grant in kafka_access.grants()
            if grant.user == name
            for operation in grant.operations
        }
        assert acls == local, name
    readers = {
        name
        for name, user in users.items()
        for acl in user["spec"]["authorization"]["acls"]
        if acl["resource"]["name"] == GP_RECORD_UPDATE and "Read" in acl["operations"]
    }
    assert readers == {INTEGRATION}


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_signs_in_to_kafka_as_its_own_user(resources: list[Resource], service: str) -> None:
    (deployment,) = [doc for doc in _of_kind(resources, "apps/v1", "Deployment") if doc["metadata"]["name"] == service]
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    env = {variable["name"]: variable for variable in container["env"]}
    assert env["LINKWORK_KAFKA_SASL_USERNAME"]["value"] == service
    assert env["LINKWORK_KAFKA_SASL_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": service, "key": "password"}
    (ca,) = [volume for volume in pod["volumes"] if volume["name"] == "kafka-ca"]
    assert ca["secret"]["secretName"] == "linkwork-cluster-ca-cert"
    (mount,) = [mount for mount in container["volumeMounts"] if mount["name"] == "kafka-ca"]
    config = {doc["metadata"]["name"]: doc for doc in _of_kind(resources, "v1", "ConfigMap")}["linkwork-config"]
    assert config["data"]["LINKWORK_KAFKA_SSL_CAFILE"] == f"{mount['mountPath']}/ca.crt"


def test_every_topic_and_its_dead_letter_topic_exists(resources: list[Resource], kafka: dict[str, Any]) -> None:
    topics = _of_kind(resources, STRIMZI, "KafkaTopic")
    names = [topic["spec"]["topicName"] for topic in topics]
    expected = {name for spec in TOPICS.values() for name in (spec.name, spec.dlq)}
    assert len(expected) == 2 * len(TOPICS) >= 18  # the brief's nine topics, wave 2's, and each one's .dlq
    assert sorted(names) == sorted(expected)
    for topic in topics:
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
        assert topic["spec"]["replicas"] == 3, topic["spec"]["topicName"]
        assert topic["spec"]["config"]["min.insync.replicas"] == 2, topic["spec"]["topicName"]
        assert topic["spec"]["partitions"] >= 1


def test_compaction_and_retention_follow_each_topic_s_purpose(resources: list[Resource]) -> None:
    topics = {
        topic["spec"]["topicName"]: topic["spec"]["config"] for topic in _of_kind(resources, STRIMZI, "KafkaTopic")
    }
    for spec in TOPICS.values():
        config = topics[spec.name]
        assert (config["cleanup.policy"] == "compact") == spec.compacted, spec.name
        # Topics with identifiable data are not kept for ever (and no read model is rebuilt from them).
        if not spec.compacted and spec.name not in ("referral-requested", "gp-record-update", "activity-referred"):
            assert config["retention.ms"] == -1, f"{spec.name}: read models are rebuilt from full history"
        assert topics[spec.dlq]["cleanup.policy"] == "delete"
        assert topics[spec.dlq]["retention.ms"] == spec.dlq_retention_ms, spec.dlq
    assert topics["service-changed"]["cleanup.policy"] == "compact"
    # The one topic with identifiable data is not kept for ever.
    assert 0 < topics["referral-requested"]["retention.ms"] <= 90 * 24 * 3600 * 1000
    assert 0 < topics["gp-record-update"]["retention.ms"] <= 90 * 24 * 3600 * 1000
    # Its dead letters hold whole requests (names, NHS numbers, addresses): a week, then gone (issue 15).
    assert topics["referral-requested.dlq"]["retention.ms"] == 7 * 24 * 3600 * 1000


def test_each_service_gets_its_own_postgresql_cluster_and_database(resources: list[Resource]) -> None:
    clusters = {
        cluster["spec"]["bootstrap"]["initdb"]["database"]: cluster
        for cluster in _of_kind(resources, CLOUDNATIVE_PG, "Cluster")
    }
    assert sorted(clusters) == sorted(SERVICES)
    deployments = {doc["metadata"]["name"]: doc for _, doc in resources if doc["kind"] == "Deployment"}
    for service, cluster in clusters.items():
        assert cluster["spec"]["instances"] >= 2, "a standby to fail over to"
        assert cluster["spec"]["bootstrap"]["initdb"]["owner"] == service
        assert cluster["spec"]["storage"]["size"]
        (container,) = deployments[service]["spec"]["template"]["spec"]["containers"]
        (url,) = [variable for variable in container["env"] if variable["name"] == "LINKWORK_DATABASE_URL"]
        # CloudNativePG names the application user's secret <cluster>-app and puts the URL under `uri`.
        assert url["valueFrom"]["secretKeyRef"] == {"name": f"{cluster['metadata']['name']}-app", "key": "uri"}


@pytest.mark.parametrize("service", SERVICES)
def test_extensions_the_migrations_need_are_created_at_bootstrap(
    repo_root: Path, resources: list[Resource], service: str
) -> None:
    migrations = repo_root / "services" / service / "src" / f"linkwork_{service}" / "migrations"
    needed = {
        match.lower()
        for path in migrations.glob("*.sql")
        for match in re.findall(r"CREATE EXTENSION IF NOT EXISTS (\w+)", path.read_text(), flags=re.IGNORECASE)
    }
    (cluster,) = [
        cluster
        for cluster in _of_kind(resources, CLOUDNATIVE_PG, "Cluster")
        if cluster["spec"]["bootstrap"]["initdb"]["database"] == service
    ]
    statements = cluster["spec"]["bootstrap"]["initdb"].get("postInitApplicationSQL", [])
    created = {
        statement.split()[-1].lower() for statement in statements if statement.upper().startswith("CREATE EXTENSION")
    }
    assert needed <= created, f"{service}'s migrations create extensions its database owner may not: {needed - created}"
