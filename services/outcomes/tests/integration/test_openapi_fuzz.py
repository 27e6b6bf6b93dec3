"""schemathesis over every operation of the outcomes OpenAPI document, as a commissioner: no input gives a 5xx.

A short pass in `make test`; `make fuzz` sets LINKWORK_FUZZ_EXAMPLES=100 for a longer hunt.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from linkwork_outcomes.app import build_app
from linkwork_runtime.auth import issue_token
from linkwork_runtime.testing import fuzz_openapi, running_app, served_over_http
from outcomes_support import JWT_SECRET, own_topics_settings

pytestmark = pytest.mark.integration


async def test_no_input_gives_a_server_error(kafka_bootstrap: str, database_url: str, tmp_path: Path) -> None:
    token = issue_token(JWT_SECRET, subject="fuzz-1", role="commissioner", pcn="U10001", icb="QWO")
    async with own_topics_settings(database_url, kafka_bootstrap) as settings:
        app = build_app(settings)
        async with running_app(app), served_over_http(app) as base_url:
            await fuzz_openapi(base_url, token, tmp_path)
