"""Issue 15 [medium]: a service still waiting for its dependencies at start-up ends promptly on SIGTERM or
SIGINT (Kubernetes, the stack runner and Ctrl-C), instead of ignoring them until PostgreSQL appears."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from linkwork_stack.ports import free_port

pytestmark = pytest.mark.integration
SECRET = "startup-signal-tests-secret-of-32-bytes"
# Generous: only a guard against hanging the suite; a fixed service exits in well under a second.
EXIT_WITHIN = 30


@pytest.fixture
def silent_server() -> Iterator[socket.socket]:
    """Accepts TCP connections and never answers: a connect attempt hangs instead of failing."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(EXIT_WITHIN)
    yield listener
    listener.close()


def _start(database_port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "LINKWORK_DATABASE_URL": f"postgresql://postgres@127.0.0.1:{database_port}/referral",
        "LINKWORK_KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port()}",
        "LINKWORK_HTTP_PORT": str(free_port()),
        "LINKWORK_JWT_SECRET": SECRET,
        "LINKWORK_PERSON_REF_SECRET": SECRET,
    }
    with log.open("wb") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "linkwork_referral"], env=env, stdout=output, stderr=subprocess.STDOUT
        )


def _wait_for_line(log: Path, text: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + EXIT_WITHIN
    while text not in log.read_text():
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, f"{text!r} never logged: {log.read_text()}"
        time.sleep(0.1)


def _stops(process: subprocess.Popen[bytes], number: signal.Signals, log: Path) -> None:
    process.send_signal(number)
    try:
        process.wait(timeout=EXIT_WITHIN)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail(f"still running {EXIT_WITHIN}s after {number.name}: {log.read_text()[-2000:]}")
    assert "stopped by a signal while waiting for PostgreSQL" in log.read_text()


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT])
def test_a_service_waiting_for_postgresql_stops_on_a_signal(tmp_path: Path, number: signal.Signals) -> None:
    log = tmp_path / "service.log"
    process = _start(free_port(), log)  # nothing listens there: every attempt is refused
    try:
        _wait_for_line(log, "waiting for PostgreSQL", process)
        _stops(process, number, log)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_connect_attempt_that_hangs_is_abandoned_on_sigterm(tmp_path: Path, silent_server: socket.socket) -> None:
    log = tmp_path / "service.log"
    process = _start(silent_server.getsockname()[1], log)
    try:
        connection, _ = silent_server.accept()  # the service is now inside its connect attempt
        with connection:
            _stops(process, signal.SIGTERM, log)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
