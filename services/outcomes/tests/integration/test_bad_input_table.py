"""Issue 15: a table of bad-input kinds against the outcomes reports API (read-only, identifiable-free).

Each kind gets a 4xx problem answer and the projections are unchanged; `tests/security/BAD_INPUTS_OUTCOMES.md`
is the committed kind -> status table, checked here so it stays true.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from linkwork_outcomes.app import build_app
from linkwork_runtime.testing import BadInput, ask_each_bad_input, assert_table_is_true, running_app, token_headers
from outcomes_support import JWT_SECRET, own_topics_settings, snapshot

pytestmark = pytest.mark.integration
TABLE = Path(__file__).parents[4] / "tests/security/BAD_INPUTS_OUTCOMES.md"
Q = "/reports/summary?start=2025-01&end=2025-03"
COMMISSIONER = "commissioner"
CASES: dict[str, BadInput] = {
    "period not a calendar bin (Jan-Apr)": ("GET", "/reports/summary?start=2025-01&end=2025-04", None, COMMISSIONER),
    "rolling twelve months": ("GET", "/reports/summary?start=2025-04&end=2026-03", None, COMMISSIONER),
    "start without end": ("GET", "/reports/summary?start=2025-01", None, COMMISSIONER),
    "month malformed": ("GET", "/reports/summary?start=2025-13&end=2025-13", None, COMMISSIONER),
    "month injection string": ("GET", "/reports/summary?start=2025-01'%20OR%201=1--&end=2025-03", None, COMMISSIONER),
    "month oversize": ("GET", "/reports/summary?start=" + "9" * 500 + "&end=2025-03", None, COMMISSIONER),
    "pcn code malformed": ("GET", Q + "&pcn=U1", None, COMMISSIONER),
    "pcn code injection string": ("GET", Q + "&pcn=U10001%27%3B%20DROP%20TABLE%20tally", None, COMMISSIONER),
    "practice code with control characters": ("GET", Q + "&practice=B%1B%5B31m1234", None, COMMISSIONER),
    "format unknown": ("GET", Q + "&format=xlsx", None, COMMISSIONER),
    "another PCN's report (PCN admin)": ("GET", Q + "&pcn=U10002", None, "pcn_admin"),
    "wrong role (link worker)": ("GET", Q, None, "link_worker"),
    "wrong role (referrer)": ("GET", Q, None, "referrer"),
    "no token": ("GET", Q, None, None),
    "forged token": ("GET", Q, None, "forged"),
    "expired token": ("GET", Q, None, "expired"),
    "unsigned token (alg none)": ("GET", Q, None, "unsigned"),
    "page: period not a calendar bin": ("GET", "/reports?start=2025-02&end=2025-04", None, COMMISSIONER),
    "print page: wrong role": ("GET", "/reports/print" + Q[len("/reports/summary") :], None, "link_worker"),
    "CSV: another PCN's report": ("GET", "/reports/summary.csv?pcn=U10002", None, "pcn_admin"),
    "method not allowed (POST a report)": ("POST", Q, {"rows": []}, COMMISSIONER),
}


def _headers(who: Any) -> dict[str, str]:
    return token_headers(who, JWT_SECRET, subject="tester", role="commissioner", pcn="U10001", icb="QWO")


def _echoes_nothing(kind: str, response: httpx.Response) -> None:
    # Problem details name the parameter and the rule, never the value sent.
    echoed = [value for value in ("DROP TABLE", "OR 1=1", "\x1b", "[31m", "9" * 100) if value in response.text]
    assert echoed == [], (kind, echoed)


async def test_every_kind_of_bad_input_is_refused_and_changes_nothing(kafka_bootstrap: str, database_url: str) -> None:
    async with (
        own_topics_settings(database_url, kafka_bootstrap) as settings,
        running_app(build_app(settings)) as client,
    ):
        before = await snapshot(database_url)
        answered = await ask_each_bad_input(client, CASES, _headers, check=_echoes_nothing)
        assert await snapshot(database_url) == before, "a bad input changed the projections"
    assert_table_is_true(answered, TABLE)
