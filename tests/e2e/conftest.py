from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from linkwork_stack.keycloak import KeycloakRealm
from linkwork_stack.system import SystemUnderTest


@pytest.fixture(scope="module")
def system(server_dir: Callable[[str], Path], keycloak: KeycloakRealm) -> Iterator[SystemUnderTest]:
    # The follow-up scheduler polls every 2 s instead of 30 s, so due follow-ups appear within a test's patience.
    # The services verify Keycloak's RS256 tokens through its JWKS, as in production.
    running = SystemUnderTest(server_dir("system"), {"LINKWORK_FOLLOW_UP_POLL_SECONDS": "2"}, keycloak=keycloak)
    try:
        running.start()
        yield running
    finally:
        running.stop()
