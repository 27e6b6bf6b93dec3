"""schemathesis over every operation of the notifications OpenAPI document, as a link worker: no input gives a 5xx.

A short pass in `make test`; `make fuzz` sets LINKWORK_FUZZ_EXAMPLES=100 for a longer hunt. The receipts
callback is reached without Notify's token (the fuzzer sends the link worker's), so it answers 401 or 422.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from linkwork_contracts import examples
from linkwork_notifications.app import build_app
from linkwork_runtime.auth import issue_token
from linkwork_runtime.testing import fuzz_openapi, running_app, served_over_http
from notifications_support import JWT_SECRET, notify_world, service_settings

pytestmark = pytest.mark.integration


async def test_no_input_gives_a_server_error(kafka_bootstrap: str, database_url: str, tmp_path: Path) -> None:
    async with notify_world(kafka_bootstrap) as (prefix, notify, routes):
        settings = service_settings(
            database_url,
            kafka_bootstrap,
            prefix,
            notify.url,
            routes.url,
            notify_callback_token="notify-callback-token-for-tests-32-bytes-or-more",
        )
        app = build_app(settings)
        async with running_app(app):
            token = issue_token(JWT_SECRET, subject="fuzz-1", role="link_worker", pcn=examples.PCN)
            async with served_over_http(app) as base_url:
                await fuzz_openapi(base_url, token, tmp_path)
