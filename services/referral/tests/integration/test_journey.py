"""One referral through every step over HTTP, against the real broker and database, checking each
event that reaches Kafka: its type, key, payload, and that nothing identifiable leaks into it."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import httpx
import pytest
from linkwork_contracts import topics
from linkwork_contracts.codes import DeliveryMode, NeedCategory
from linkwork_contracts.envelope import decode, encode, wrap
from linkwork_contracts.events import MatchesSuggestedV1, NeedSuggestions, SuggestedOption
from linkwork_referral.adapters.samples import referral_body, synthetic_nhs_number
from linkwork_referral.settings import Settings
from linkwork_stack.testing import KafkaMessage, produce
from referral_builders import first_contact_body, person_identifiers

from .conftest import OTHER_PCN, Token, consumed
from .kafka_support import OUTGOING, eventually, tail

pytestmark = pytest.mark.integration

CHOIR, WALKS, ALLOTMENT = uuid4(), uuid4(), uuid4()


def check_event(message: KafkaMessage, referral_id: str, event_type: str, secrets: list[str]) -> dict[str, Any]:
    raw = encode_raw(message)
    _, event = decode(raw)  # validates the envelope and the payload against the contract
    assert message.type == event_type
    assert message.key == referral_id == message.envelope["subject"]
    for value in secrets:
        assert value not in raw.decode(), f"{event_type} carries identifiable value {value!r}"
    return event.model_dump(mode="json")


def encode_raw(message: KafkaMessage) -> bytes:
    import json

    return json.dumps(message.envelope).encode()


def one_option(
    need: NeedCategory, service_id: UUID, name: str, score: float, km: float, reason: str
) -> NeedSuggestions:
    """A need with one in-person option, ranked first."""
    option = SuggestedOption(
        service_id=service_id,
        service_name=name,
        rank=1,
        score=score,
        distance_km=km,
        delivery_mode=DeliveryMode.IN_PERSON,
        reasons=(reason,),
    )
    return NeedSuggestions(need=need, options=(option,))


async def publish_suggestions(settings: Settings, referral_id: UUID, person_ref: str, version: int) -> None:
    event = MatchesSuggestedV1(
        referral_id=referral_id,
        referral_version=version,
        person_ref=person_ref,
        suggested_at=datetime.now(UTC),
        ranker_version="test-1",
        needs=(
            one_option(NeedCategory.LONELINESS_ISOLATION, CHOIR, "Community choir", 0.9, 1.2, "meets Tuesdays"),
            one_option(NeedCategory.PHYSICAL_ACTIVITY, WALKS, "Health walks", 0.8, 0.5, "free"),
        ),
    )
    envelope = encode(wrap(event, source="urn:test:matching"))
    topic = consumed(settings, topics.MATCHES_SUGGESTED)
    await produce(settings.kafka_bootstrap_servers, [(topic, str(referral_id).encode(), envelope)])


async def test_one_referral_through_every_step(client: httpx.AsyncClient, token: Token, settings: Settings) -> None:
    bootstrap = settings.kafka_bootstrap_servers
    body = referral_body(synthetic_nhs_number(random.Random()))
    secrets = [*person_identifiers(body), "Lives alone"]
    referrer, worker, admin = token("referrer", subject="gp-1"), token(), token("pcn_admin", subject="admin-1")
    async with tail(bootstrap, *OUTGOING) as kafka:
        created = await client.post("/referrals", json=body, headers=referrer)
        assert created.status_code == 201, created.text
        referral = created.json()
        rid = referral["id"]
        assert referral["state"] == "requested" and referral["person"]["nhs_number"] == body["person"]["nhs_number"]

        [event] = await kafka.arrived(rid, topics.REFERRAL_CREATED)
        data = check_event(event, rid, "uk.linkwork.referral.created.v1", secrets)
        person_ref = data["person"]["person_ref"]
        assert data["version"] == 1 and data["pcn_code"] == "U00001"
        assert data["person"]["postcode_district"] == "LS6"
        assert data["person"]["location"] == {"latitude": 53.82, "longitude": -1.57}
        assert data["person"]["age_band"] == "75-84"

        accepted = await client.post(f"/referrals/{rid}/accept", json={}, headers=worker)
        assert accepted.json()["state"] == "allocated" and accepted.json()["link_worker"] == "lw-1"

        await publish_suggestions(settings, UUID(rid), str(person_ref), 1)

        async def suggestions_stored() -> bool:
            return (await client.get(f"/referrals/{rid}/suggestions", headers=worker)).status_code == 200

        await eventually(suggestions_stored, within=30, what="suggestions stored")

        contact_at = datetime.now(UTC)
        contacted = await client.post(
            f"/referrals/{rid}/contacts",
            headers=worker,
            json=first_contact_body(contact_at, duration_minutes=25, notes="Ada keen to meet people"),
        )
        assert contacted.status_code == 200, contacted.text
        assert contacted.json()["state"] == "contacted"

        assessed = await client.post(
            f"/referrals/{rid}/assessment",
            headers=worker,
            json={
                "needs": ["loneliness-isolation", "physical-activity"],
                "baseline_measures": [{"measure": "swemwbs", "items": [2, 2, 3, 2, 2, 2, 2]}],
                "strengths": ["good listener"],
                "interests": ["singing", "walking"],
                "barriers": ["confidence"],
                "availability": [{"day": "TU", "part_of_day": "morning"}],
                "delivery_modes": ["in-person"],
                "travel_mode": "walk",
                "max_travel_minutes": 20,
                "what_matters": "Seeing people each week",
            },
        )
        assert assessed.status_code == 200, assessed.text
        updates = await kafka.arrived(rid, topics.REFERRAL_CREATED, 2)
        data = check_event(updates[1], rid, "uk.linkwork.referral.created.v1", secrets)
        assert data["version"] == 2 and data["preferences"]["interests"] == ["singing", "walking"]

        today = datetime.now(ZoneInfo("Europe/London")).date()
        planned = await client.post(
            f"/referrals/{rid}/plan",
            headers=worker,
            json={
                "goals": ["join a group"],
                "needs_addressed": ["loneliness-isolation", "physical-activity"],
                "activities": [
                    {"service_id": str(CHOIR), "need": "loneliness-isolation"},
                    {"service_id": str(ALLOTMENT), "need": "physical-activity", "name": "Allotment"},
                ],
                "follow_ups": [
                    {"due_on": (today + timedelta(weeks=6)).isoformat(), "kind": "review"},
                    {"due_on": today.isoformat()},
                ],
            },
        )
        assert planned.status_code == 200, planned.text
        plan = planned.json()["plan"]
        first_follow_up = plan["follow_ups"][0]
        assert first_follow_up["due_on"] == today.isoformat() and first_follow_up["sequence"] == 1

        [event] = await kafka.arrived(rid, topics.PLAN_AGREED)
        data = check_event(event, rid, "uk.linkwork.plan.agreed.v1", secrets)
        assert data["plan_version"] == 1 and data["referral_version"] == 1
        ranks = {a["service_id"]: a["suggested_rank"] for a in data["activities"]}
        assert ranks == {str(CHOIR): 1, str(ALLOTMENT): None}
        assert data["baseline_measures"][0]["raw_score"] == 15
        assert data["first_contact_at"] is not None

        # The follow-up due today is emitted by the scheduler; the one in six weeks is not.
        [event] = await kafka.arrived(rid, topics.FOLLOW_UP_DUE)
        data = check_event(event, rid, "uk.linkwork.followup.due.v1", secrets)
        assert data["follow_up_id"] == first_follow_up["id"] and data["sequence"] == 1
        assert data["link_worker_id"] == "lw-1" and data["person_ref"] == person_ref

        overdue = await client.get("/referrals", params={"overdue": "true"}, headers=worker)
        assert [item["id"] for item in overdue.json()["items"]] == [rid]

        followed = await client.post(
            f"/referrals/{rid}/follow-ups",
            headers=worker,
            json={
                "mode": "in-person",
                "occurred_at": datetime.now(UTC).isoformat(),
                "outcome": "contact-made",
                "follow_up_id": first_follow_up["id"],
                "duration_minutes": 30,
                "notes": "Enjoying choir",
                "attendance": [
                    {
                        "service_id": str(CHOIR),
                        "status": "attending",
                        "confirmed_by": "provider",
                        "sessions_attended": 3,
                    }
                ],
                "measures": [{"measure": "swemwbs", "items": [3, 3, 3, 3, 3, 3, 3]}],
            },
        )
        assert followed.status_code == 200, followed.text
        assert followed.json()["state"] == "following-up"
        [event] = await kafka.arrived(rid, topics.FOLLOW_UP_RECORDED)
        data = check_event(event, rid, "uk.linkwork.followup.recorded.v1", secrets)
        assert data["contacts_to_date"] == 2 and data["follow_up_id"] == first_follow_up["id"]
        assert data["attendance"][0]["need"] == "loneliness-isolation"
        assert data["measures"][0]["metric_score"] == 19.25
        not_overdue = await client.get("/referrals", params={"overdue": "true"}, headers=worker)
        assert not_overdue.json()["items"] == []

        closed = await client.post(
            f"/referrals/{rid}/close",
            headers=worker,
            json={
                "reason": "goals-met",
                "notes": "Ada now sings weekly",
                "final_measures": [{"measure": "swemwbs", "items": [4, 4, 4, 3, 4, 4, 4]}],
            },
        )
        assert closed.status_code == 200, closed.text
        assert closed.json()["state"] == "completed" and closed.json()["pending_follow_ups"] == []
        [event] = await kafka.arrived(rid, topics.REFERRAL_CLOSED)
        data = check_event(event, rid, "uk.linkwork.referral.closed.v1", secrets)
        assert data["status"] == "completed" and data["closure_reason"] == "goals-met"
        assert data["contacts_count"] == 2 and data["gp_record_codes"] == ["871731000000106"]

        # Nothing else about this referral reached Kafka: exactly the events above, in order.
        assert [m.type for m in sorted(kafka.keyed(rid), key=lambda m: m.envelope["time"])] == [
            "uk.linkwork.referral.created.v1",
            "uk.linkwork.referral.created.v1",
            "uk.linkwork.plan.agreed.v1",
            "uk.linkwork.followup.due.v1",
            "uk.linkwork.followup.recorded.v1",
            "uk.linkwork.referral.closed.v1",
        ]

    history = await client.get(f"/referrals/{rid}/timeline", headers=worker)
    assert [e["kind"] for e in history.json()] == [
        "referral-created",
        "accepted",
        "suggestions-received",
        "contact-logged",
        "assessment-recorded",
        "plan-agreed",
        "follow-up-due",
        "follow-up-recorded",
        "closed",
    ]

    log = await client.get("/audit", params={"referral_id": rid}, headers=admin)
    assert log.status_code == 200
    actions = [(e["subject"], e["action"]) for e in reversed(log.json())]
    assert actions[0] == ("gp-1", "create") and ("lw-1", "accept") in actions and ("lw-1", "close") in actions
    assert ("lw-1", "read-timeline") in actions
    assert (await client.get("/audit", headers=worker)).status_code == 403

    # Another PCN's admin sees nothing of it.
    other = await client.get("/audit", params={"referral_id": rid}, headers=token("pcn_admin", pcn=OTHER_PCN))
    assert other.json() == []
