"""schemathesis over every operation of matching's OpenAPI document, as a link worker: no input gives a 5xx.

A short pass in `make test`; `make fuzz` sets LINKWORK_FUZZ_EXAMPLES=100 for a longer hunt.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from linkwork_matching.app import build_app
from linkwork_matching.settings import Settings
from linkwork_runtime.auth import issue_token
from linkwork_runtime.testing import fuzz_openapi, running_app, served_over_http

from .builders import PCN
from .conftest import FAST_RETRY, JWT_SECRET

pytestmark = pytest.mark.integration


async def test_no_input_gives_a_server_error(settings: Settings, tmp_path: Path) -> None:
    app = build_app(settings, retry=FAST_RETRY)
    token = issue_token(JWT_SECRET, subject="fuzz-1", role="link_worker", pcn=PCN)
    async with running_app(app), served_over_http(app) as base_url:
        await fuzz_openapi(base_url, token, tmp_path)
