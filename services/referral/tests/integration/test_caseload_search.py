"""The caseload's filters (urgency, safeguarding) and search (NHS number, date of birth, part of a name), as the
console's caseload page uses them; searches stay within the caller's PCN and are audited without the terms."""

from __future__ import annotations

import random
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
from linkwork_referral.adapters.samples import referral_body, synthetic_nhs_number
from linkwork_referral.settings import Settings

from .conftest import OTHER_PCN, Token

pytestmark = pytest.mark.integration


async def test_filters_and_search_within_the_pcn(client: httpx.AsyncClient, token: Token) -> None:
    rng = random.Random(21)
    referrer = token("referrer", subject="gp-1")
    urgent_number = synthetic_nhs_number(rng)
    bodies = [
        referral_body(urgent_number, urgency="urgent", safeguarding_concern=True),
        referral_body(synthetic_nhs_number(rng)),
    ]
    bodies[1]["person"] = {**bodies[1]["person"], "given_name": "Bartholomew", "date_of_birth": "1961-07-02"}
    ids = []
    for body in bodies:
        made = await client.post("/referrals", json=body, headers=referrer)
        assert made.status_code == 201, made.text
        ids.append(made.json()["id"])
    worker = token()

    async def listed(**params: str) -> set[str]:
        answer = await client.get("/referrals", params=params, headers=worker)
        assert answer.status_code == 200, answer.text
        return {item["id"] for item in answer.json()["items"]}

    assert await listed(urgency="urgent") == {ids[0]}
    assert await listed(urgency="routine") == {ids[1]}
    assert await listed(safeguarding="true") == {ids[0]}
    assert await listed(q=f"{urgent_number[:3]} {urgent_number[3:6]} {urgent_number[6:]}") == {ids[0]}
    assert await listed(q="1961-07-02") == {ids[1]}
    assert await listed(q="arthol") == {ids[1]}
    assert await listed(q="50%") == set()  # LIKE wildcards are searched for literally

    elsewhere = token(pcn=OTHER_PCN, subject="lw-9")
    other = await client.get("/referrals", params={"q": "arthol"}, headers=elsewhere)
    assert other.json()["items"] == []

    audit = await client.get("/audit", headers=token("pcn_admin", subject="admin-1"))
    assert audit.status_code == 200, audit.text
    details = " ".join(str(entry["detail"]) for entry in audit.json())
    assert "search=name" in details and "arthol" not in details and urgent_number not in details


async def test_duplicate_person_check(client: httpx.AsyncClient, token: Token) -> None:
    rng = random.Random(22)
    number = synthetic_nhs_number(rng)
    body = referral_body(number)
    made = await client.post("/referrals", json=body, headers=token("referrer", subject="gp-1"))
    assert made.status_code == 201, made.text
    rid = made.json()["id"]
    worker = token()
    person = body["person"]

    async def check(**changes: object) -> list[dict[str, object]]:
        query = {
            "nhs_number": number,
            "given_name": person["given_name"],
            "family_name": person["family_name"],
            "date_of_birth": person["date_of_birth"],
            "postcode": person["postcode"],
            **changes,
        }
        answer = await client.post("/referrals/duplicates", json=query, headers=worker)
        assert answer.status_code == 200, answer.text
        matches: list[dict[str, object]] = answer.json()["matches"]
        return matches

    assert [(m["id"], m["match"]) for m in await check()] == [(rid, "same-nhs-number")]
    other_number = synthetic_nhs_number(rng)
    assert [(m["id"], m["match"]) for m in await check(nhs_number=other_number)] == [(rid, "close-match")]
    assert await check(nhs_number=other_number, date_of_birth="1999-01-01") == []
    elsewhere = await client.post(
        "/referrals/duplicates",
        json={"nhs_number": number, "given_name": "A", "family_name": "B", "date_of_birth": "1950-03-14"},
        headers=token(pcn=OTHER_PCN, subject="lw-9"),
    )
    assert elsewhere.json()["matches"] == []
    wrong = await client.post(
        "/referrals/duplicates",
        json={"nhs_number": "1234567890", "given_name": "A", "family_name": "B", "date_of_birth": "1950-03-14"},
        headers=worker,
    )
    assert wrong.status_code == 422 and "1234567890" not in wrong.text


async def test_reassign_to_another_link_worker(client: httpx.AsyncClient, token: Token) -> None:
    made = await client.post(
        "/referrals", json=referral_body(synthetic_nhs_number(random.Random(23))), headers=token("referrer")
    )
    rid = made.json()["id"]
    assert (await client.post(f"/referrals/{rid}/accept", json={}, headers=token(subject="lw-1"))).status_code == 200

    # A link worker may take it over themselves, but not hand it to someone else; a pcn_admin may.
    handed = await client.post(
        f"/referrals/{rid}/reassign", json={"link_worker": "lw-3"}, headers=token(subject="lw-1")
    )
    assert handed.status_code == 403, handed.text
    taken = await client.post(f"/referrals/{rid}/reassign", json={}, headers=token(subject="lw-2"))
    assert taken.status_code == 200 and taken.json()["link_worker"] == "lw-2"
    admin = token("pcn_admin", subject="admin-1")
    assert (await client.post(f"/referrals/{rid}/reassign", json={}, headers=admin)).status_code == 422
    moved = await client.post(f"/referrals/{rid}/reassign", json={"link_worker": "lw-3"}, headers=admin)
    assert moved.status_code == 200 and moved.json()["link_worker"] == "lw-3"
    elsewhere = token("pcn_admin", pcn=OTHER_PCN, subject="admin-9")
    assert (
        await client.post(f"/referrals/{rid}/reassign", json={"link_worker": "lw-9"}, headers=elsewhere)
    ).status_code in (403, 404)
    timeline = (await client.get(f"/referrals/{rid}/timeline", headers=token(subject="lw-3"))).json()
    assert [entry["kind"] for entry in timeline].count("reassigned") == 2


async def test_sorts_page_with_a_cursor_that_fits_the_sort(
    client: httpx.AsyncClient, token: Token, settings: Settings
) -> None:
    rng = random.Random(22)
    referrer, worker = token("referrer", subject="gp-1"), token()
    ids = []
    for urgency in ("routine", "urgent", "routine", "urgent"):  # made in this order: oldest first
        made = await client.post(
            "/referrals", json=referral_body(synthetic_nhs_number(rng), urgency=urgency), headers=referrer
        )
        assert made.status_code == 201, made.text
        ids.append(made.json()["id"])
    # Follow-ups straight into the table the scheduler reads: ordering, not planning, is under test here.
    connection = await asyncpg.connect(settings.database_url)
    try:
        for referral_id, days in ((ids[2], 5), (ids[0], 2)):
            await connection.execute(
                """INSERT INTO follow_ups (id, referral_id, plan_version, sequence, kind, due_on, due_at)
                   VALUES ($1, $2, 1, 1, 'follow-up', current_date + $3::int, now() + make_interval(days => $3))""",
                uuid4(),
                UUID(referral_id),
                days,
            )
    finally:
        await connection.close()

    async def pages(sort: str | None, limit: int) -> list[str]:
        listed: list[str] = []
        params: dict[str, str] = {"limit": str(limit), **({"sort": sort} if sort else {})}
        while True:
            answer = await client.get("/referrals", params=params, headers=worker)
            assert answer.status_code == 200, answer.text
            listed += [item["id"] for item in answer.json()["items"]]
            if answer.json()["next_cursor"] is None:
                return listed
            params["cursor"] = answer.json()["next_cursor"]

    assert await pages(None, 3) == ids[::-1]  # newest first, as before sorts existed
    assert await pages("waiting", 1) == ids
    assert await pages("urgency", 1) == [ids[1], ids[3], ids[0], ids[2]]
    assert await pages("next-follow-up", 1) == [ids[0], ids[2], *sorted([ids[1], ids[3]])]

    first = await client.get("/referrals", params={"limit": "1", "sort": "urgency"}, headers=worker)
    mixed = await client.get(
        "/referrals", params={"sort": "waiting", "cursor": first.json()["next_cursor"]}, headers=worker
    )
    assert mixed.status_code == 422 and "cursor: made for sort urgency, not waiting" in mixed.json()["detail"]
    unknown = await client.get("/referrals", params={"sort": "name"}, headers=worker)
    assert unknown.status_code == 422 and [e["field"] for e in unknown.json()["errors"]] == ["query.sort"]
