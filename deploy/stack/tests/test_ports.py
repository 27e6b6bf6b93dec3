"""free_port picks ports that outgoing connections can never take (the cause of 'address already in use')."""

from __future__ import annotations

import socket

import pytest
from linkwork_stack.ports import _ephemeral_start, free_port

pytestmark = pytest.mark.unit


def test_ports_are_below_the_ephemeral_range_distinct_and_bindable() -> None:
    ports = [free_port() for _ in range(200)]
    assert len(set(ports)) == len(ports)
    assert all(10000 <= port < _ephemeral_start() for port in ports)
    for port in ports[:20]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", port))
