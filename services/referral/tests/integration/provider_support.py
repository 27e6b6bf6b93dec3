"""Helpers of the provider-loop tests (issue 17): a provider's service in the directory, a referral taken to
a plan over HTTP, provider tokens, and a clock the tests move."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
from linkwork_contracts import topics
from linkwork_contracts.codes import ReferralRoute
from linkwork_contracts.envelope import encode, wrap
from linkwork_contracts.events import Organisation
from linkwork_contracts.examples import SERVICE_CHANGED_V3
from linkwork_referral.adapters.samples import referral_body, synthetic_nhs_number
from linkwork_referral.settings import Settings
from linkwork_runtime.auth import issue_token
from linkwork_stack.testing import produce
from referral_builders import first_contact_body

from .conftest import JWT_SECRET, Token, consumed
from .kafka_support import eventually


@dataclass
class MovableClock:
    """The time the service under test sees; tests move it forward instead of waiting."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by


def provider_token(organisation: UUID, subject: str = "provider-1") -> dict[str, str]:
    jwt = issue_token(JWT_SECRET, subject=subject, role="provider", pcn="", organisation=str(organisation))
    return {"Authorization": f"Bearer {jwt}"}


async def publish_services(settings: Settings, *services: tuple[UUID, UUID, tuple[ReferralRoute, ...]]) -> None:
    """service-changed snapshots, as the directory publishes them: (service id, organisation id, routes)."""
    records = []
    for service_id, organisation, routes in services:
        event = SERVICE_CHANGED_V3.model_copy(
            update={
                "service_id": service_id,
                "organisation": Organisation(id=organisation, name="Example Walking Trust"),
                "referral_routes": routes,
            }
        )
        records.append(
            (
                consumed(settings, topics.SERVICE_CHANGED),
                str(service_id).encode(),
                encode(wrap(event, source="urn:test:directory")),
            )
        )
    await produce(settings.kafka_bootstrap_servers, records)


async def services_known(database_url: str, *service_ids: UUID) -> None:
    connection = await asyncpg.connect(database_url)
    try:

        async def known() -> bool:
            found = await connection.fetchval(
                "SELECT count(*) FROM provider_services WHERE service_id = ANY($1::uuid[])", list(service_ids)
            )
            return bool(found == len(service_ids))

        await eventually(known, within=60, what="service-changed consumed")
    finally:
        await connection.close()


async def planned(
    client: httpx.AsyncClient, token: Token, activities: list[dict[str, Any]], at: datetime | None = None
) -> tuple[str, dict[str, Any]]:
    """A referral made, accepted, contacted, assessed and planned with `activities`; (its id, the body sent)."""
    body = referral_body(synthetic_nhs_number(random.Random()))
    referrer, worker = token("referrer", subject="gp-1"), token()
    created = await client.post("/referrals", json=body, headers=referrer)
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    assert (await client.post(f"/referrals/{rid}/accept", json={}, headers=worker)).status_code == 200
    contact = first_contact_body(at)
    assert (await client.post(f"/referrals/{rid}/contacts", headers=worker, json=contact)).status_code == 200
    assessment = {
        "needs": ["loneliness-isolation", "physical-activity"],
        "baseline_measures": [{"measure": "swemwbs", "items": [2, 2, 3, 2, 2, 2, 2]}],
    }
    assessed = await client.post(f"/referrals/{rid}/assessment", headers=worker, json=assessment)
    assert assessed.status_code == 200, assessed.text
    plan = {
        "goals": ["get out more"],
        "needs_addressed": ["loneliness-isolation", "physical-activity"],
        "activities": activities,
    }
    agreed = await client.post(f"/referrals/{rid}/plan", headers=worker, json=plan)
    assert agreed.status_code == 200, agreed.text
    return rid, body


def new_ids() -> tuple[UUID, UUID]:
    return uuid4(), uuid4()
