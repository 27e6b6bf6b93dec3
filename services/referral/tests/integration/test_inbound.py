"""referral-requested from existing systems: one referral per request id; invalid ones to the DLQ."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime
from uuid import uuid4

import asyncpg
import httpx
import pytest
from linkwork_contracts import topics
from linkwork_contracts.codes import NeedCategory, ReferralSource, Sex
from linkwork_contracts.envelope import encode, wrap
from linkwork_contracts.events import PersonDetails, ReferralRequestedV1, Referrer
from linkwork_referral.adapters.samples import invalid_nhs_number, synthetic_nhs_number
from linkwork_referral.app import build_app
from linkwork_referral.service_layer.requests import referral_id_for
from linkwork_referral.settings import Settings
from linkwork_runtime.testing import running_app
from linkwork_stack.databases import scratch_database
from linkwork_stack.testing import own_topics, produce

from .conftest import CONSUMED, FAST_RETRY, Token, consumed
from .kafka_support import eventually, tail

pytestmark = pytest.mark.integration


def request(request_id: str, practice: str = "Z99001") -> ReferralRequestedV1:
    return ReferralRequestedV1(
        request_id=request_id,
        requested_at=datetime.now(UTC),
        source=ReferralSource.GP_PRACTICE,
        referrer=Referrer(name="Dr Test", role="GP", organisation_ods_code=practice),
        practice_ods_code=practice,
        person=PersonDetails(
            nhs_number=synthetic_nhs_number(random.Random()),
            given_name="Sam",
            family_name="Sample",
            date_of_birth=date(1980, 5, 1),
            sex=Sex.MALE,
            postcode="LS7 3AB",
            phone="0113 496 0001",
        ),
        needs=(NeedCategory.DEBT_MONEY_BENEFITS,),
        reason="Rent arrears",
        consent_to_refer=True,
        consent_recorded_at=datetime.now(UTC),
    )


async def test_each_request_makes_one_referral_and_invalid_ones_go_to_the_dlq(
    client: httpx.AsyncClient, token: Token, settings: Settings
) -> None:
    good_id, broken_id, unroutable_id = (f"gp-system:{uuid4()}" for _ in range(3))
    good = request(good_id)
    first = encode(wrap(good, source="urn:test:gp-system"))
    resent = encode(wrap(good, source="urn:test:gp-system"))  # same request id, new CloudEvent id
    envelope = json.loads(first)
    envelope["id"], envelope["subject"] = str(uuid4()), broken_id
    envelope["data"]["request_id"] = broken_id
    envelope["data"]["person"]["nhs_number"] = invalid_nhs_number(envelope["data"]["person"]["nhs_number"])
    broken = json.dumps(envelope).encode()
    unroutable = encode(wrap(request(unroutable_id, practice="Z00000"), source="urn:test:gp-system"))

    bootstrap, requests = settings.kafka_bootstrap_servers, consumed(settings, topics.REFERRAL_REQUESTED)
    dlq = topics.dlq(requests)
    async with tail(bootstrap, topics.REFERRAL_CREATED, dlq) as kafka:
        sent = [(good_id, first), (broken_id, broken), (good_id, resent), (good_id, first), (unroutable_id, unroutable)]
        await produce(bootstrap, [(requests, key.encode(), value) for key, value in sent])

        referral_id = str(referral_id_for(good_id, "urn:test:gp-system"))
        # Waits for the first copy; the single-element unpacking below fails at once on a second one.
        await kafka.arrived(broken_id, dlq, within=60)
        await kafka.arrived(unroutable_id, dlq, within=60)
        await kafka.arrived(referral_id, within=30)

        async def both_copies_handled() -> bool:
            connection = await asyncpg.connect(settings.database_url)
            try:
                handled = await connection.fetchval(
                    "SELECT count(*) FROM inbox WHERE event_id = ANY($1::text[])",
                    [json.loads(first)["id"], json.loads(resent)["id"]],
                )
            finally:
                await connection.close()
            return bool(handled == 2)

        # The resent request went through the handler (not just the inbox), after the first.
        await eventually(both_copies_handled, within=30, what="the resent request handled")

    [created] = kafka.keyed(referral_id)
    assert created.data["request_id"] == good_id and created.data["pcn_code"] == "U00001"
    assert created.data["source"] == "gp-practice" and created.data["person"]["postcode_district"] == "LS7"
    [schema_failure] = kafka.keyed(broken_id, dlq)
    assert schema_failure.headers["dlq-error-type"] == b"SchemaViolation"
    assert b"nhs_number" in schema_failure.headers["dlq-error-message"]
    [routing_failure] = kafka.keyed(unroutable_id, dlq)
    assert routing_failure.headers["dlq-error-type"] == b"Unroutable"
    assert b"Z00000 is not in any PCN" in routing_failure.headers["dlq-error-message"]

    connection = await asyncpg.connect(settings.database_url)
    try:
        rows = await connection.fetch("SELECT id, request_id, pcn, state FROM referrals")
        entries = await connection.fetchval("SELECT count(*) FROM timeline WHERE kind = 'referral-created'")
    finally:
        await connection.close()
    assert [(str(r["id"]), r["request_id"], r["pcn"], r["state"]) for r in rows] == [
        (referral_id, good_id, "U00001", "requested")
    ]
    assert entries == 1  # the resent request recorded nothing, so it emitted nothing either

    shown = await client.get(f"/referrals/{referral_id}", headers=token(pcn="U00001"))
    assert shown.json()["person"]["family_name"] == "Sample"
    assert shown.json()["referrer"]["name"] == "Dr Test"


async def test_two_services_on_one_broker_each_answer_only_the_requests_sent_to_them(
    client: httpx.AsyncClient, settings: Settings, postgres_url: str
) -> None:
    """Two test sessions on the shared broker, each with its service running: a request is answered once.

    When every service read the contract's referral-requested, the other session's service answered this
    session's request too, publishing a second referral-created (the same referral id, from its own database),
    and a test waiting for exactly one copy waited out its timeout."""
    bootstrap, source = settings.kafka_bootstrap_servers, "urn:test:gp-system"
    mine, theirs = (f"gp-system:{uuid4()}" for _ in range(2))
    created = {request_id: str(referral_id_for(request_id, source)) for request_id in (mine, theirs)}
    async with (
        scratch_database(postgres_url) as other_database,
        own_topics(bootstrap, CONSUMED) as other_prefix,
        tail(bootstrap, topics.REFERRAL_CREATED) as kafka,
    ):
        other = settings.model_copy(
            update={
                "database_url": other_database,
                "topic_prefix": other_prefix,
                "consumer_group_prefix": f"{settings.consumer_group_prefix}-other",
            }
        )
        async with running_app(build_app(other, retry=FAST_RETRY)):
            await produce(
                bootstrap,
                [
                    (
                        consumed(service, topics.REFERRAL_REQUESTED),
                        request_id.encode(),
                        encode(wrap(request(request_id), source=source)),
                    )
                    for service, request_id in ((settings, mine), (other, theirs))
                ],
            )
            await eventually(
                lambda: all(kafka.keyed(referral_id) for referral_id in created.values()),
                within=60,
                what="a referral-created for each request",
            )
        assert [len(kafka.keyed(referral_id)) for referral_id in created.values()] == [1, 1]
        for database_url, request_id in ((settings.database_url, mine), (other_database, theirs)):
            connection = await asyncpg.connect(database_url)
            try:
                assert await connection.fetchval("SELECT array_agg(request_id) FROM referrals") == [request_id]
            finally:
                await connection.close()
