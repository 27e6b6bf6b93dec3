"""The message back to the GP: every referral's acceptance, rejection and closure on gp-record-update."""

from __future__ import annotations

import random

import httpx
import pytest
from linkwork_contracts import topics
from linkwork_contracts.envelope import decode
from linkwork_contracts.events import GpRecordUpdateV1
from linkwork_referral.adapters.samples import referral_body, synthetic_nhs_number
from linkwork_referral.settings import Settings
from orjson import dumps

from .conftest import Token
from .kafka_support import eventually, tail

pytestmark = pytest.mark.integration


async def test_referrals_made_over_http_are_written_back_once_per_change(
    client: httpx.AsyncClient, token: Token, settings: Settings
) -> None:
    referrer, worker = token("referrer", subject="gp-1"), token()
    rng = random.Random()
    kept_nhs, rejected_nhs = synthetic_nhs_number(rng), synthetic_nhs_number(rng)
    async with tail(settings.kafka_bootstrap_servers, topics.GP_RECORD_UPDATE) as kafka:
        kept = (await client.post("/referrals", json=referral_body(kept_nhs), headers=referrer)).json()["id"]
        turned_down = (await client.post("/referrals", json=referral_body(rejected_nhs), headers=referrer)).json()
        assert (await client.post(f"/referrals/{kept}/accept", json={}, headers=worker)).status_code == 200
        rejected = await client.post(
            f"/referrals/{turned_down['id']}/reject", json={"reason": "Ada is moving to Leeds 17"}, headers=worker
        )
        assert rejected.status_code == 200, rejected.text
        # A second, refused attempt to close changes nothing, so it tells the GP nothing.
        closed = await client.post(f"/referrals/{kept}/close", json={"reason": "declined"}, headers=worker)
        assert closed.status_code == 200, closed.text
        again = await client.post(f"/referrals/{kept}/close", json={"reason": "declined"}, headers=worker)
        assert again.status_code == 409
        await eventually(
            lambda: len(kafka.keyed(kept)) >= 2 and len(kafka.keyed(turned_down["id"])) >= 1,
            within=30,
            what="three GP record updates",
        )

    def updates(key: str) -> list[GpRecordUpdateV1]:
        found = []
        for message in kafka.keyed(key):
            _, event = decode(dumps(message.envelope))
            assert isinstance(event, GpRecordUpdateV1)
            assert message.envelope["id"] == str(event.update_id)  # one CloudEvent id per change
            found.append(event)
        return found

    accepted, closure = updates(kept)
    assert (accepted.change, accepted.status, accepted.snomed_codes) == ("accepted", "accepted", ("871731000000106",))
    assert (closure.change, closure.status, closure.closure_reason) == ("closed", "cancelled", "declined")
    assert closure.snomed_codes == ("871711000000103",)
    assert accepted.nhs_number == kept_nhs and accepted.practice_ods_code == "B86001"
    assert accepted.request_id is None and accepted.referral_source == "gp-practice"
    [rejection] = updates(turned_down["id"])
    assert (rejection.change, rejection.status, rejection.snomed_codes) == (
        "rejected",
        "rejected",
        ("871711000000103",),
    )
    assert rejection.nhs_number == rejected_nhs
    assert "Leeds" not in rejection.summary  # the rejection's free text stays in linkwork
