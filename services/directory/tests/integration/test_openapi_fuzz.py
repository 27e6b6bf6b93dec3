"""schemathesis over every operation of the directory's OpenAPI document, as a curator: no input gives a 5xx.

A short pass in `make test`; `make fuzz` sets LINKWORK_FUZZ_EXAMPLES=100 for a longer hunt.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from linkwork_runtime.auth import Role, issue_token
from linkwork_runtime.testing import fuzz_openapi, served_over_http

from .api_support import SECRET
from .conftest import RunningDirectory

pytestmark = pytest.mark.integration


async def test_no_input_gives_a_server_error(directory: RunningDirectory, tmp_path: Path) -> None:
    token = issue_token(SECRET, subject="fuzz-1", role=Role.CURATOR, pcn="U00001")
    async with served_over_http(directory.app) as base_url:
        await fuzz_openapi(base_url, token, tmp_path)
