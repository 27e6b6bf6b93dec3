"""A server that dies while starting is an error at once, naming its log, not a wait for the start-up timeout."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from linkwork_stack.kafka import KafkaBroker
from linkwork_stack.ports import free_port

pytestmark = pytest.mark.unit

# Far longer than the fake takes to die: waiting it out would end in TimeoutError, not in the error expected.
GENEROUS = 120.0

# Stands in for the JVM: it opens the broker's port, waits for the start-up to see it listening, then fails
# before logging that it started (as Kafka does when a fatal error comes late in its start-up).
DIES_AFTER_LISTENING = """
import socket, sys
listener = socket.create_server(("127.0.0.1", int(sys.argv[1])))
listener.accept()
sys.exit("fatal error during start-up")
"""


class BrokerThatDiesStarting(KafkaBroker):
    def _java(self, *args: str) -> list[str]:
        if args[0] == "kafka.Kafka":
            return [sys.executable, "-c", DIES_AFTER_LISTENING, str(self.port)]
        return [sys.executable, "-c", "print('a-cluster-id')"]  # the storage tool: a cluster id, a format


def test_a_broker_that_exits_after_opening_its_port_is_an_error_at_once(tmp_path: Path) -> None:
    broker = BrokerThatDiesStarting(tmp_path, port=free_port(), controller_port=free_port())
    try:
        with pytest.raises(
            RuntimeError, match=r"exited \(code 1\) before logging 'Kafka Server started'; see .*server.log"
        ):
            broker.start(timeout=GENEROUS)
    finally:
        broker.stop()
    assert "fatal error during start-up" in broker.log_file.read_text()
