"""`linkwork-stack run` driven as a real subprocess: everything becomes ready, Ctrl-C leaves nothing behind."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import psutil
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import TopicAuthorizationFailedError
from linkwork_contracts.topics import REFERRAL_CREATED, REFERRAL_REQUEST_REFUSED, REFERRAL_REQUESTED
from linkwork_runtime.kafka_connection import KafkaConnection, client_options
from linkwork_stack.keycloak import KeycloakRealm
from linkwork_stack.ports import free_port, is_listening
from linkwork_stack.testing import eventually
from pydantic import SecretStr

pytestmark = pytest.mark.integration
STACK = str(Path(sys.executable).parent / "linkwork-stack")


def _read_until(process: subprocess.Popen[str], marker: str, timeout: float) -> list[str]:
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        lines.append(line)
        if marker in line:
            return lines
    raise AssertionError(f"no '{marker}' from the runner; its output:\n{''.join(lines[-60:])}")


async def _integration_may(kafka: KafkaConnection, key: bytes) -> tuple[bool, bool]:
    """Whether the integration user may (write referral-requested, read referral-created)."""
    producer = AIOKafkaProducer(**client_options(kafka), acks="all")
    try:
        await producer.start()
        # Not a valid request: the referral service refuses it (a refusal event), which is all it should do.
        await producer.send_and_wait(REFERRAL_REQUESTED, b"{}", key=key)
        wrote = True
    except TopicAuthorizationFailedError:
        wrote = False
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(REFERRAL_CREATED, **client_options(kafka), group_id="integration-runner-test")
    try:
        await consumer.start()
        await consumer.getmany(timeout_ms=3000)
        read = True
    except TopicAuthorizationFailedError:
        read = False
    finally:
        await consumer.stop()
    return wrote, read


async def _refusal_read_back(kafka: KafkaConnection, key: bytes) -> bool:
    """The referral service (its own Kafka user) consumed the request and refused it, and the integration user
    reads the refusal: consuming, producing and the groups all work under the ACLs."""
    consumer = AIOKafkaConsumer(
        REFERRAL_REQUEST_REFUSED, **client_options(kafka), group_id="integration-runner-refusals",
        auto_offset_reset="earliest", enable_auto_commit=False,
    )  # fmt: skip
    await consumer.start()
    try:

        async def arrived() -> bool:
            batches = await consumer.getmany(timeout_ms=1000)
            return any(record.key == key for records in batches.values() for record in records)

        return await eventually(arrived, within=120, what="the refusal of the runner test's request")
    finally:
        await consumer.stop()


def test_run_brings_every_service_to_ready_and_ctrl_c_stops_all(tmp_path: Path) -> None:
    http_base = free_port()
    while not all(not is_listening(http_base + i) for i in range(6)):
        http_base = free_port()
    keycloak_port, kafka_port = free_port(), free_port()
    process = subprocess.Popen(
        [
            STACK,
            "run",
            "--kafka-port",
            str(kafka_port),
            "--postgres-port",
            str(free_port()),
            "--http-port-base",
            str(http_base),
            "--keycloak-port",
            str(keycloak_port),
        ],
        env={**os.environ, "LINKWORK_DATA_DIR": str(tmp_path / "data"), "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # Keycloak's start-dev on a busy two-core machine can take minutes.
        _read_until(process, "linkwork is ready", timeout=600)
        banner = "".join(_read_until(process, "Press Ctrl-C", timeout=10))
        # The sign-in details are printed, and a demo user's real token opens the referral API.
        assert "link-worker" in banner and "linkwork-demo" in banner
        token = KeycloakRealm(f"http://127.0.0.1:{keycloak_port}").token("link-worker")
        caseload = httpx.get(
            f"http://127.0.0.1:{http_base}/referrals", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert caseload.status_code == 200, caseload.text
        family = [process.pid, *(child.pid for child in psutil.Process(process.pid).children(recursive=True))]
        for port in range(http_base, http_base + 4):
            ready = httpx.get(f"http://127.0.0.1:{port}/ready", timeout=5)
            metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
            assert ready.status_code == 200, ready.text
            assert ready.json()["checks"] == {"database": True, "kafka": True}
            assert "process_resident_memory_bytes" in metrics.text
        # Kafka asks for credentials (the services above are ready with theirs); the integration user's are
        # printed, and it may write referral-requested but not read what only the services read.
        password = re.search(r"user integration, password (\S+)", banner)
        assert password is not None, banner
        kafka = KafkaConnection(
            f"127.0.0.1:{kafka_port}", "SASL_PLAINTEXT", "SCRAM-SHA-512", "integration", SecretStr(password[1])
        )
        key = f"stack-runner-{uuid.uuid4().hex}".encode()
        assert asyncio.run(_integration_may(kafka, key)) == (True, False)
        assert asyncio.run(_refusal_read_back(kafka, key))
        # The console (the next port) is up and its address printed; signing in through it is tests/console's.
        assert f"Console     http://127.0.0.1:{http_base + 4}" in banner
        assert httpx.get(f"http://127.0.0.1:{http_base + 4}/ready", timeout=5).status_code == 200
        # Notifications (the port after the console) is up, with the local Notify's address printed.
        assert httpx.get(f"http://127.0.0.1:{http_base + 5}/ready", timeout=5).status_code == 200
        _read_until(process, "/_local/messages", timeout=10)  # where a newcomer sees the messages
        # The demo directory is loaded and served in the ORUK shape.
        services = httpx.get(f"http://127.0.0.1:{http_base + 1}/services", params={"per_page": 1}, timeout=10)
        assert services.json()["total_items"] >= 1000
        # Kafka, PostgreSQL (and its workers), Keycloak and four services: all children of the runner.
        assert len(family) >= 8
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=90) == 0
    finally:
        if process.poll() is None:
            process.kill()
    time.sleep(0.5)
    survivors = [pid for pid in family if psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"]
    assert survivors == []
    assert not any(is_listening(port) for port in (*range(http_base, http_base + 6), keycloak_port))
