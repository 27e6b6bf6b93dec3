"""Issue 18, PCN managers: the team's workload per link worker, and moving a leaver's caseload in one go."""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest
from linkwork_referral.adapters.samples import referral_body, synthetic_nhs_number
from referral_builders import first_contact_body

from .conftest import OTHER_PCN, Token

pytestmark = pytest.mark.integration


async def _allocated(client: httpx.AsyncClient, token: Token, link_worker: str, rng: random.Random) -> str:
    created = await client.post("/referrals", json=referral_body(synthetic_nhs_number(rng)), headers=token("referrer"))
    assert created.status_code == 201, created.text
    referral_id = str(created.json()["id"])
    accepted = await client.post(
        f"/referrals/{referral_id}/accept", json={"link_worker": link_worker}, headers=token("pcn_admin", subject="pm")
    )
    assert accepted.status_code == 200, accepted.text
    return referral_id


def _by_worker(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["link_worker"]: row for row in rows}


async def test_a_manager_sees_the_workload_and_moves_a_leaver_s_caseload(
    client: httpx.AsyncClient, token: Token
) -> None:
    rng = random.Random()
    leaving, staying = f"lw-leaving-{rng.random()}", f"lw-staying-{rng.random()}"
    manager = token("pcn_admin", subject="pm")
    first, second, held = [await _allocated(client, token, leaving, rng) for _ in range(3)]
    await _allocated(client, token, staying, rng)
    contact = first_contact_body()
    contacted = await client.post(f"/referrals/{first}/contacts", json=contact, headers=token(subject=leaving))
    assert contacted.status_code == 200, contacted.text
    on_hold = await client.post(
        f"/referrals/{held}/hold", json={"reason": "in hospital"}, headers=token(subject=leaving)
    )
    assert on_hold.status_code == 200, on_hold.text

    response = await client.get("/workload", headers=manager)
    assert response.status_code == 200, response.text
    load = _by_worker(response.json())
    assert load[leaving]["open"] == 3 and load[leaving]["awaiting_first_contact"] == 2
    assert load[leaving]["overdue_follow_ups"] == 0
    assert load[leaving]["median_days_to_first_contact"] is not None
    assert load[staying]["open"] == 1 and load[staying]["median_days_to_first_contact"] is None
    # Counts only: nothing about the people in it.
    assert "person" not in response.text and "nhs" not in response.text.lower()

    # Only the manager: a link worker may neither see the team's workload nor move a caseload.
    assert (await client.get("/workload", headers=token())).status_code == 403
    move = {"from_link_worker": leaving, "to_link_worker": staying}
    assert (await client.post("/workload/reassign", json=move, headers=token())).status_code == 403
    # A manager of another PCN moves nothing of this one.
    elsewhere = await client.post("/workload/reassign", json=move, headers=token("pcn_admin", pcn=OTHER_PCN))
    assert elsewhere.status_code == 200 and elsewhere.json() == {"moved": [], "not_moved": []}

    moved = await client.post("/workload/reassign", json=move, headers=manager)
    assert moved.status_code == 200, moved.text
    assert sorted(moved.json()["moved"]) == sorted([first, second])
    (kept,) = moved.json()["not_moved"]
    assert kept["referral_id"] == held  # on hold: resumed first, then reassigned on its own
    load = _by_worker((await client.get("/workload", headers=manager)).json())
    assert load[leaving]["open"] == 1 and load[staying]["open"] == 3
    record = (await client.get(f"/referrals/{first}", headers=manager)).json()
    assert record["link_worker"] == staying
    # Every move is audited like a single reassignment, as the manager.
    audit = (await client.get("/audit", params={"subject": "pm"}, headers=manager)).json()
    reassigned = {entry["referral_id"] for entry in audit if entry["action"] == "reassign"}
    assert {first, second} <= reassigned

    same = await client.post("/workload/reassign", json={**move, "to_link_worker": leaving}, headers=manager)
    assert same.status_code == 422
