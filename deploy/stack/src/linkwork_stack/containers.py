"""Kafka and PostgreSQL in containers, used by tests only when a Docker engine answers.

testcontainers talks to Docker as soon as it is imported, so it is imported inside these functions.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

# The one Apache Kafka version of the project: deploy/kafka/pom.xml (local stack), docker-compose.yml and
# the Strimzi Kafka resource say the same (tests/deploy/test_kafka_version.py compares them).
KAFKA_VERSION = "4.1.1"
KAFKA_IMAGE = f"apache/kafka:{KAFKA_VERSION}"
POSTGRES_IMAGE = "postgres:18"


def docker_available() -> bool:
    docker = shutil.which("docker")
    if docker is None:
        return False
    try:
        probe = subprocess.run([docker, "info"], capture_output=True, timeout=5, check=False)
    except subprocess.TimeoutExpired:
        return False
    return probe.returncode == 0


@contextmanager
def kafka() -> Iterator[str]:
    """A single-node KRaft broker from Apache's own image, configured as docker-compose.yml configures it.

    testcontainers' KafkaContainer drives Confluent's images only, so this is a plain container. The broker
    must advertise the address clients use, which is known before start only with a fixed host port.
    """
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.wait_strategies import LogMessageWaitStrategy

    from linkwork_stack.ports import free_port

    port = free_port()
    container = (
        DockerContainer(KAFKA_IMAGE)
        .with_bind_ports(9092, port)
        .with_envs(
            KAFKA_NODE_ID="1",
            KAFKA_PROCESS_ROLES="broker,controller",
            KAFKA_LISTENERS="PLAINTEXT://:9092,CONTROLLER://:9093",
            KAFKA_ADVERTISED_LISTENERS=f"PLAINTEXT://127.0.0.1:{port}",
            KAFKA_CONTROLLER_LISTENER_NAMES="CONTROLLER",
            KAFKA_LISTENER_SECURITY_PROTOCOL_MAP="PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            KAFKA_CONTROLLER_QUORUM_VOTERS="1@localhost:9093",
            KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR="1",
            KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR="1",
            KAFKA_TRANSACTION_STATE_LOG_MIN_ISR="1",
            KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR="1",
            KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR="1",
            KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS="0",
        )
        .waiting_for(LogMessageWaitStrategy("Kafka Server started"))
    )
    with container:
        yield f"127.0.0.1:{port}"


@contextmanager
def postgres() -> Iterator[str]:
    from testcontainers.postgres import PostgresContainer

    with PostgresContainer(POSTGRES_IMAGE, driver=None) as container:
        yield str(container.get_connection_url())
