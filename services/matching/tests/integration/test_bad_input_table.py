"""Issue 15: a table of bad-input kinds against the matching API (GET /referrals/{id}/matches, POST /match).

Each kind gets a 4xx problem answer and nothing is stored; `tests/security/BAD_INPUTS_MATCHING.md` is the
committed kind -> status table, checked here so it stays true.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
from linkwork_matching.app import build_app
from linkwork_matching.settings import Settings
from linkwork_runtime.testing import BadInput, assert_refused_and_nothing_stored, running_app, token_headers

from .builders import PCN
from .conftest import FAST_RETRY, JWT_SECRET

pytestmark = pytest.mark.integration
TABLE = Path(__file__).parents[4] / "tests/security/BAD_INPUTS_MATCHING.md"
STORED = """
SELECT (SELECT count(*) FROM suggestion_sets) AS sets, (SELECT count(*) FROM referrals) AS referrals,
       (SELECT count(*) FROM observations) AS observations
"""
HOME = {"latitude": 53.82, "longitude": -1.58}
WORKER = "link_worker"
NHS = "9434765919"  # a valid check digit, as a person's number would have
ECHO_PROBES = (NHS, "DROP TABLE", "\x1b", "1 OR 1=1")


def _ask(**changes: Any) -> dict[str, Any]:
    return {"needs": ["physical-activity"], "location": HOME, **changes}


CASES: dict[str, BadInput] = {
    "malformed JSON": ("POST", "/match", b'{"needs": ', WORKER),
    "JSON array": ("POST", "/match", [], WORKER),
    "JSON null": ("POST", "/match", b"null", WORKER),
    "neither needs nor referral": ("POST", "/match", {"location": HOME}, WORKER),
    "needs empty": ("POST", "/match", _ask(needs=[]), WORKER),
    "need unknown": ("POST", "/match", _ask(needs=["astrology"]), WORKER),
    "needs wrong type": ("POST", "/match", _ask(needs="physical-activity"), WORKER),
    "needs oversize list": ("POST", "/match", _ask(needs=["physical-activity"] * 500), WORKER),
    "unknown field": ("POST", "/match", _ask(nhs_number=NHS), WORKER),
    "latitude out of range": ("POST", "/match", _ask(location={"latitude": 91, "longitude": 0}), WORKER),
    "location as a string": ("POST", "/match", _ask(location="LS1 4AP"), WORKER),
    "travel minutes negative": ("POST", "/match", _ask(max_travel_minutes=-5), WORKER),
    "limit over the bound": ("POST", "/match", _ask(limit=10_000), WORKER),
    "cost as a string": ("POST", "/match", _ask(max_cost_pence="free"), WORKER),
    "languages oversize list": ("POST", "/match", _ask(languages=["en"] * 500), WORKER),
    "interest with control characters": ("POST", "/match", _ask(interests=["walk\x1b[31m"]), WORKER),
    "interest injection string": ("POST", "/match", _ask(interests=["'; DROP TABLE services; --"]), WORKER),
    "referral id not a UUID": ("POST", "/match", {"referral_id": "1 OR 1=1"}, WORKER),
    "unknown referral": ("POST", "/match", {"referral_id": str(uuid4())}, WORKER),
    "body over the limit": ("POST", "/match", _ask(padding="p" * (2 * 1024 * 1024)), WORKER),
    "wrong content type": ("POST", "/match", b"needs=physical-activity", {"content-type": "text/plain"}),
    "wrong role (referrer)": ("POST", "/match", _ask(), "referrer"),
    "wrong role (commissioner)": ("POST", "/match", _ask(), "commissioner"),
    "no token": ("POST", "/match", _ask(), None),
    "forged token": ("POST", "/match", _ask(), "forged"),
    "expired token": ("POST", "/match", _ask(), "expired"),
    "unsigned token (alg none)": ("POST", "/match", _ask(), "unsigned"),
    "matches: id not a UUID": ("GET", "/referrals/not-a-uuid/matches", None, WORKER),
    "matches: unknown referral": ("GET", f"/referrals/{uuid4()}/matches", None, WORKER),
    "matches: wrong role": ("GET", f"/referrals/{uuid4()}/matches", None, "referrer"),
    "matches: no token": ("GET", f"/referrals/{uuid4()}/matches", None, None),
}


def _headers(who: Any) -> dict[str, str]:
    return token_headers(who, JWT_SECRET, subject="lw-1", role=WORKER, pcn=PCN)


def _echoes_nothing(kind: str, response: httpx.Response) -> None:
    # Problem details name the field and the rule, never the value sent.
    echoed = [value for value in ECHO_PROBES if value in response.text]
    assert echoed == [], (kind, echoed)


async def test_every_kind_of_bad_input_is_refused_and_changes_nothing(settings: Settings) -> None:
    app = build_app(settings, retry=FAST_RETRY)
    async with running_app(app) as client:
        pool = app.state.context.pool
        await assert_refused_and_nothing_stored(
            client, CASES, _headers, table=TABLE, pool=pool, stored=STORED, check=_echoes_nothing
        )
