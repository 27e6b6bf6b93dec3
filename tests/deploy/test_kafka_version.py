"""One Apache Kafka version everywhere: the local stack's Maven pom, docker compose, Strimzi and test containers.

A broker upgraded in one place only would let tests pass against a version no deployment runs.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
import yaml
from linkwork_stack.containers import KAFKA_IMAGE, KAFKA_VERSION

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]


def pom_version() -> str:
    root = ElementTree.parse(REPO / "deploy" / "kafka" / "pom.xml").getroot()
    namespace = {"m": root.tag.split("}")[0].strip("{")} if root.tag.startswith("{") else {}
    found = root.find("m:properties/m:kafka.version" if namespace else "properties/kafka.version", namespace)
    assert found is not None and found.text
    return found.text.strip()


def compose_versions() -> dict[str, str]:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return {
        name: spec["image"].split(":", 1)[1]
        for name, spec in compose["services"].items()
        if spec.get("image", "").startswith("apache/kafka:")
    }


def strimzi_version() -> str:
    documents = yaml.safe_load_all((REPO / "deploy" / "kubernetes" / "kafka" / "kafka.yaml").read_text())
    (kafka,) = [doc for doc in documents if doc["kind"] == "Kafka"]
    return str(kafka["spec"]["kafka"]["version"])


def test_one_kafka_version_everywhere() -> None:
    assert re.fullmatch(r"4\.\d+\.\d+", KAFKA_VERSION)
    assert f"apache/kafka:{KAFKA_VERSION}" == KAFKA_IMAGE  # test containers
    assert pom_version() == KAFKA_VERSION  # the local stack's jars
    assert set(compose_versions()) == {"kafka", "kafka-topics"}
    assert set(compose_versions().values()) == {KAFKA_VERSION}  # docker compose
    assert strimzi_version() == KAFKA_VERSION  # Kubernetes
