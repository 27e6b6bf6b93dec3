"""Referrals from referrers serving many PCNs go to the PCN of the person's practice."""

from __future__ import annotations

import random

import httpx
import pytest
from linkwork_referral.adapters.samples import referral_body, synthetic_nhs_number

from .conftest import OTHER_PCN, PCN, Token

pytestmark = pytest.mark.integration

IN_PCN = "Z99001"  # in PCN U00001 (data/practice_pcns.csv)
UNKNOWN = "B86001"  # in no PCN of the table


async def _create(client: httpx.AsyncClient, headers: dict[str, str], practice: str) -> httpx.Response:
    body = referral_body(synthetic_nhs_number(random.Random()), practice_ods_code=practice)
    return await client.post("/referrals", json=body, headers=headers)


async def test_referrals_are_routed_by_practice_and_the_token_pcn_only_for_pcn_staff(
    client: httpx.AsyncClient, token: Token
) -> None:
    hospital = token("referrer", subject="hospital-1", pcn="")
    routed = await _create(client, hospital, IN_PCN)
    assert routed.status_code == 201, routed.text
    assert routed.json()["pcn"] == PCN
    unroutable = await _create(client, hospital, UNKNOWN)
    assert unroutable.status_code == 422 and "practice_ods_code" in unroutable.json()["detail"]
    # A referrer whose token names another PCN still refers into the PCN of the person's practice.
    elsewhere = await _create(client, token("referrer", subject="gp-2", pcn=OTHER_PCN), IN_PCN)
    assert elsewhere.json()["pcn"] == PCN
    # ... and falls back to its own PCN when the practice is not in the table (practice staff).
    fallback = await _create(client, token("referrer", subject="gp-3", pcn=OTHER_PCN), UNKNOWN)
    assert fallback.json()["pcn"] == OTHER_PCN
    # PCN staff always work in their own PCN.
    staff = await _create(client, token("link_worker", subject="lw-9", pcn=OTHER_PCN), IN_PCN)
    assert staff.status_code == 201 and staff.json()["pcn"] == OTHER_PCN
    # A role that may not refer hears 403, not a routing error.
    assert (await _create(client, token("commissioner", pcn=""), UNKNOWN)).status_code == 403
