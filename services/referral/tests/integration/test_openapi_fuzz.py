"""schemathesis against the running service's OpenAPI document: no input gives a 5xx.

Bounded (few examples per operation) so it takes well under a minute; run as a referrer (who can
make referrals) and as a link worker (who can act on them). `make fuzz` sets LINKWORK_FUZZ_EXAMPLES=100
for a longer hunt (the runner is shared with the other services' fuzz tests).
"""

from __future__ import annotations

import signal
from pathlib import Path

import httpx
import pytest
from linkwork_referral.settings import Settings
from linkwork_runtime.auth import issue_token
from linkwork_runtime.testing import fuzz_openapi
from linkwork_stack.ports import free_port

from .conftest import JWT_SECRET, PCN
from .kafka_support import eventually
from .process_support import start_service

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("role", ["referrer", "link_worker"])
async def test_no_input_gives_a_server_error(settings: Settings, role: str, tmp_path: Path) -> None:
    port = free_port()
    service = start_service(settings, port)
    base = f"http://127.0.0.1:{port}"
    try:

        async def ready() -> bool:
            try:
                async with httpx.AsyncClient() as http:
                    return (await http.get(f"{base}/ready")).status_code == 200
            except httpx.HTTPError:
                return False

        await eventually(ready, within=60, what="the service to be ready")
        token = issue_token(JWT_SECRET, subject="fuzz-1", role=role, pcn=PCN)
        # Fewer than the other services' 15: two roles, and a stateful phase that follows the OpenAPI links.
        await fuzz_openapi(base, token, tmp_path, default_examples=10)
    finally:
        service.send_signal(signal.SIGTERM)
        service.wait(timeout=30)
