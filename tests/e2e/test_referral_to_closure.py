"""From a GP system's `referral-requested` event to closure, across all four services and real Kafka/PostgreSQL.

Each service's own view is checked: suggestions stored in referral (the same set matching holds), uptake
counted in directory, figures in outcomes, and the GP-facing closure on Kafka.
"""

from __future__ import annotations

import random
import uuid

import httpx
import pytest
from linkwork_contracts import topics
from linkwork_contracts.envelope import encode, wrap
from linkwork_contracts.events import ReferralRequestedV1
from linkwork_referral.service_layer.requests import referral_id_for
from linkwork_stack.journey import Journey, full_journey
from linkwork_stack.people import Person
from linkwork_stack.system import SystemUnderTest, eventually, load_demo_directory, metric_value
from linkwork_stack.testing import produce

pytestmark = pytest.mark.e2e
DIRECTORY_SIZE = 400
PEOPLE = 6  # above the small-number suppression threshold of 5, so outcomes figures are shown


async def _publish(bootstrap: str, event: ReferralRequestedV1) -> None:
    envelope = encode(wrap(event, source="urn:test:gp-system"))
    await produce(bootstrap, [(topics.REFERRAL_REQUESTED, event.key().encode(), envelope)])


async def test_a_gp_referral_flows_to_closure_through_every_service(system: SystemUnderTest) -> None:
    load_demo_directory(system, DIRECTORY_SIZE)
    rng = random.Random(7)
    async with httpx.AsyncClient(timeout=30) as client:

        async def indexed() -> bool:
            count = await metric_value(client, system.url("matching"), "linkwork_matching_index_services")
            return count >= DIRECTORY_SIZE * 0.9  # a few demo services are withdrawn

        await eventually(indexed, within=90, what="matching to index the demo directory")

        # 1. A GP system integration engine publishes a referral request.
        request_id = f"e2e-{uuid.uuid4().hex[:12]}"
        person = Person.random(rng)
        await _publish(system.infra.kafka.bootstrap, person.referral_requested(request_id))
        rid = str(referral_id_for(request_id, "urn:test:gp-system"))
        worker = system.headers("link_worker", subject="lw-1")
        referral = client.build_request("GET", f"{system.url('referral')}/referrals/{rid}", headers=worker)

        async def created() -> bool:
            return (await client.send(referral)).status_code == 200

        await eventually(created, within=60, what="the requested referral to be created")
        assert (await client.send(referral)).json()["source"] == person.source

        # 2. Suggestions arrive in referral; they are the set matching holds for this referral.
        journey = Journey(httpx.AsyncClient(base_url=system.url("referral"), timeout=30), system.headers, rng)
        await journey.accept(rid)
        stored = await journey.suggestions(rid)
        matches = await client.get(f"{system.url('matching')}/referrals/{rid}/matches", headers=worker)
        assert matches.status_code == 200, matches.text
        assert sorted(n["need"] for n in stored["needs"]) == sorted(person.needs)
        stored_ids = [[o["service_id"] for o in n["options"]] for n in stored["needs"]]
        matching_ids = [[o["service_id"] for o in n["options"]] for n in matches.json()["needs"]]
        assert stored_ids == matching_ids and any(stored_ids)

        # 3. Contact, assessment, plan: the directory counts the uptake of the chosen services.
        await journey.first_contact(rid)
        await journey.assess(rid, person, baseline=2)
        planned = await journey.agree_plan(rid, stored, person)
        chosen = [a["service_id"] for a in planned["plan"]["activities"]]
        assert chosen

        async def uptake_counted() -> bool:
            for service_id in chosen:
                service = (await client.get(f"{system.url('directory')}/services/{service_id}")).json()
                if service["social_prescribing"]["uptake_total"] < 1:
                    return False
            return True

        await eventually(uptake_counted, within=60, what="directory to count the uptake of the planned services")

        # 4. Follow-up and closure; then more people so outcomes figures clear small-number suppression.
        await journey.follow_up(rid, planned, level=4)
        closed = await journey.close(rid)
        assert closed["state"] == "completed"
        for _ in range(PEOPLE - 1):
            await full_journey(journey, Person.random(rng))

        commissioner = system.headers("commissioner", subject="icb-1")

        async def outcomes_caught_up() -> dict[str, object] | None:
            summary = (await client.get(f"{system.url('outcomes')}/reports/summary", headers=commissioner)).json()
            stages = {stage["stage"]: stage["count"] for stage in summary["funnel"]}
            done = stages["referred"]["value"] == PEOPLE and stages["closed"]["value"] == PEOPLE
            return summary if done else None

        summary = await eventually(outcomes_caught_up, within=90, what=f"outcomes to count {PEOPLE} closed journeys")
        swemwbs = next(row for row in summary["outcomes"] if row["score"].startswith("swemwbs"))
        # Every journey recorded a baseline and a later SWEMWBS a level higher: wellbeing rose.
        assert swemwbs["pairs"]["value"] == PEOPLE and swemwbs["mean_change"]["value"] > 0
        await journey.client.aclose()
