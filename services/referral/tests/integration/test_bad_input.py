"""Each bad input gets a clear 4xx, and nothing is stored or emitted because of it."""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any

import asyncpg
import httpx
import pytest
from linkwork_referral.adapters.samples import invalid_nhs_number, referral_body, synthetic_nhs_number
from linkwork_referral.settings import Settings
from referral_builders import first_contact_body

from .conftest import Token
from .kafka_support import OUTGOING, eventually, tail

pytestmark = pytest.mark.integration

# Everything the service stores except the audit log, which records refusals on purpose.
SNAPSHOT = """
SELECT (SELECT count(*) FROM referrals) AS referrals,
       (SELECT md5(coalesce(string_agg(document::text || state, '|' ORDER BY id), '')) FROM referrals) AS documents,
       (SELECT count(*) FROM timeline) AS timeline,
       (SELECT count(*) FROM follow_ups) AS follow_ups,
       (SELECT count(*) FROM idempotency_keys) AS idempotency_keys,
       (SELECT count(*) FROM suggestions) AS suggestions,
       (SELECT count(*) FROM outbox) AS outbox_pending,
       (SELECT coalesce(max(id), 0) FROM timeline) AS last_timeline_id
"""


async def snapshot(database_url: str) -> dict[str, Any]:
    connection = await asyncpg.connect(database_url)
    try:
        return dict(await connection.fetchrow(SNAPSHOT))
    finally:
        await connection.close()


async def _outbox_empty(database_url: str) -> bool:
    return (await snapshot(database_url))["outbox_pending"] == 0


def problem(response: httpx.Response, status: int, *words: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    for word in words:
        assert word in body["detail"], f"{word!r} not in {body['detail']!r}"
    return body


async def test_bad_inputs_are_refused_and_change_nothing(
    client: httpx.AsyncClient, token: Token, settings: Settings
) -> None:
    pcn = f"U{random.randrange(10**5):05d}"  # only this test's referrals carry it
    referrer, worker = token("referrer", pcn=pcn, subject="gp-1"), token(pcn=pcn)
    nhs = synthetic_nhs_number(random.Random())
    body = referral_body(nhs)
    async with tail(settings.kafka_bootstrap_servers, *OUTGOING) as kafka:
        first = await client.post("/referrals", json=body, headers={**referrer, "Idempotency-Key": "k-1"})
        assert first.status_code == 201
        rid = first.json()["id"]
        again = await client.post("/referrals", json=body, headers={**referrer, "Idempotency-Key": "k-1"})
        assert (again.status_code, again.json()["id"], again.headers["Idempotent-Replayed"]) == (201, rid, "true")
        await client.post(f"/referrals/{rid}/accept", json={}, headers=worker)
        contact = first_contact_body()
        assert (await client.post(f"/referrals/{rid}/contacts", json=contact, headers=worker)).status_code == 200
        await eventually(lambda: len(kafka.keyed(rid)) == 1, within=30, what="referral-created")
        # Acceptance also queues the GP record update; the relay must have sent it before the snapshot,
        # or it would empty the outbox while the bad requests run and look like a change.
        await eventually(lambda: _outbox_empty(settings.database_url), within=30, what="the outbox relayed")
        before = await snapshot(settings.database_url)

        # Invalid NHS number, consent false or missing, unknown need code.
        bad = referral_body(invalid_nhs_number(nhs))
        problem(await client.post("/referrals", json=bad, headers=referrer), 422, "person.nhs_number", "check digit")
        problem(
            await client.post("/referrals", json=referral_body(nhs, consent_to_refer=False), headers=referrer),
            422,
            "consent_to_refer must be true",
        )
        missing = referral_body(nhs)
        del missing["consent_to_refer"]
        problem(
            await client.post("/referrals", json=missing, headers=referrer), 422, "consent_to_refer", "Field required"
        )
        problem(
            await client.post("/referrals", json=referral_body(nhs, needs=["astrology"]), headers=referrer),
            422,
            "needs.0",
        )

        # Text PostgreSQL cannot store, though JSON can carry it: a NUL character, a lone surrogate.
        for text, reason in (
            ("nul\\u0000byte", "text must not contain NUL"),
            ("lone\\ud800", "text must be valid Unicode"),
        ):
            raw = json.dumps(referral_body(nhs)).replace("Lives alone", text)
            response = await client.post(
                "/referrals", content=raw, headers={**referrer, "content-type": "application/json"}
            )
            problem(response, 422, reason)

        # A measure item out of range, on an action the state allows.
        assessment = {
            "needs": ["housing"],
            "baseline_measures": [{"measure": "swemwbs", "items": [6, 2, 2, 2, 2, 2, 2]}],
        }
        problem(
            await client.post(f"/referrals/{rid}/assessment", json=assessment, headers=worker),
            422,
            "SWEMWBS item 1",
            "scored 1-5",
        )

        # An oversized body.
        huge = referral_body(nhs, reason="x" * (settings.max_body_bytes + 10))
        problem(await client.post("/referrals", json=huge, headers=referrer), 413, "limited to")

        # Missing and expired tokens.
        problem(await client.get(f"/referrals/{rid}"), 401, "bearer token is required")
        problem(await client.post("/referrals", json=body), 401, "bearer token is required")
        expired = token("referrer", pcn=pcn, subject="gp-1", lifetime=-60)
        problem(await client.post("/referrals", json=body, headers=expired), 401, "expired")

        # Wrong role, another PCN's referral.
        # A referral one may not see is answered exactly like one that does not exist (issue 15).
        problem(
            await client.get(f"/referrals/{rid}", headers=token("commissioner", pcn=pcn)), 404, f"no referral {rid}"
        )
        problem(
            await client.post("/referrals", json=body, headers=token("commissioner", pcn=pcn)),
            403,
            "may not make referrals",
        )
        problem(
            await client.post(f"/referrals/{rid}/close", json={"reason": "declined"}, headers=referrer),
            403,
            "may not close",
        )
        problem(
            await client.get(f"/referrals/{rid}", headers=token("referrer", pcn=pcn, subject="gp-2")),
            404,
            f"no referral {rid}",
        )
        elsewhere = token(pcn="U99999", subject="lw-9")
        problem(await client.get(f"/referrals/{rid}", headers=elsewhere), 404, f"no referral {rid}")
        problem(await client.post(f"/referrals/{rid}/contacts", json=contact, headers=elsewhere), 404, "no referral")
        problem(await client.get("/referrals", params={"pcn": pcn}, headers=elsewhere), 403, "own PCN")

        # An admin allocating must say to whom.
        admin = token("pcn_admin", pcn=pcn, subject="admin-1")
        problem(await client.post(f"/referrals/{rid}/accept", json={}, headers=admin), 422, "named link worker")

        # An illegal transition names the states that allow it.
        plan = {"goals": ["g"], "needs_addressed": ["housing"], "activities": []}
        refused = problem(
            await client.post(f"/referrals/{rid}/plan", json=plan, headers=worker),
            409,
            "allowed from: assessed, following-up",
        )
        assert refused["current_state"] == "contacted"
        assert refused["allowed_states"] == ["assessed", "following-up"]

        # The same Idempotency-Key with a different body.
        other = referral_body(nhs, needs=["housing"])
        problem(
            await client.post("/referrals", json=other, headers={**referrer, "Idempotency-Key": "k-1"}),
            422,
            "already used for a different request",
        )

        assert await snapshot(settings.database_url) == before

        # A valid change afterwards is the barrier: its event comes after anything the bad
        # requests could have caused, and it is the only new event.
        good = {"needs": ["housing"], "baseline_measures": [{"measure": "ucla3", "items": [3, 2, 3]}]}
        assert (await client.post(f"/referrals/{rid}/assessment", json=good, headers=worker)).status_code == 200
        await eventually(lambda: len(kafka.keyed(rid)) == 2, within=30, what="the barrier event")
        ours = [m for m in kafka.messages if m.data.get("pcn_code") == pcn or m.key == rid]
        assert [(m.key, m.type, m.data["version"]) for m in ours] == [
            (rid, "uk.linkwork.referral.created.v1", 1),
            (rid, "uk.linkwork.referral.created.v1", 2),
        ]

    # Refusals are audited (who, role, what), although nothing changed.
    denied = await client.get("/audit", params={"referral_id": rid}, headers=token("pcn_admin", pcn=pcn))
    refused_by = {(e["subject"], e["role"], e["action"]) for e in denied.json() if e["outcome"] == "denied"}
    assert ("lw-9", "link_worker", "read") in refused_by and ("gp-1", "referrer", "close") in refused_by


async def test_concurrent_retries_with_one_idempotency_key_make_one_referral(
    client: httpx.AsyncClient, token: Token, settings: Settings
) -> None:
    body = referral_body(synthetic_nhs_number(random.Random()))
    headers = {**token("referrer", subject="gp-1"), "Idempotency-Key": "retry-storm"}
    responses = await asyncio.gather(*(client.post("/referrals", json=body, headers=headers) for _ in range(6)))
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == 5
    state = await snapshot(settings.database_url)
    assert (state["referrals"], state["idempotency_keys"], state["timeline"]) == (1, 1, 1)
