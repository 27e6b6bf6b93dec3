"""A GP integration engine may send referral-requested in CloudEvents binary content mode."""

from __future__ import annotations

import json
from uuid import uuid4

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer
from linkwork_contracts import topics
from linkwork_contracts.envelope import dataschema_uri
from linkwork_contracts.events import ReferralRequestedV1
from linkwork_referral.service_layer.requests import referral_id_for
from linkwork_referral.settings import Settings

from .conftest import consumed
from .kafka_support import tail
from .test_inbound import request

pytestmark = pytest.mark.integration


async def test_a_binary_mode_request_creates_a_referral(client: httpx.AsyncClient, settings: Settings) -> None:
    request_id = f"gp-system:{uuid4()}"
    data = json.dumps(request(request_id).model_dump(mode="json")).encode()
    event_id = str(uuid4())
    headers = [
        ("ce_specversion", b"1.0"),
        ("ce_id", event_id.encode()),
        ("ce_source", b"urn:linkwork:external:gp-engine"),
        ("ce_type", ReferralRequestedV1.TYPE.encode()),
        ("ce_time", b"2025-06-02T10:00:01Z"),
        ("ce_subject", request_id.encode()),
        ("ce_dataschema", dataschema_uri(ReferralRequestedV1.TYPE).encode()),
        ("content-type", b"application/json; charset=utf-8"),
    ]
    bootstrap = settings.kafka_bootstrap_servers
    async with tail(bootstrap, topics.REFERRAL_CREATED) as kafka:
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
        await producer.start()
        try:
            requests = consumed(settings, topics.REFERRAL_REQUESTED)
            await producer.send_and_wait(requests, data, key=request_id.encode(), headers=headers)
        finally:
            await producer.stop()
        referral_id = str(referral_id_for(request_id, "urn:linkwork:external:gp-engine"))
        await kafka.arrived(referral_id, within=60)  # a second copy fails the unpacking below, without a wait

    [created] = kafka.keyed(referral_id)
    assert created.data["request_id"] == request_id
    assert created.headers["content-type"].startswith(b"application/cloudevents+json")  # we answer structured
    connection = await asyncpg.connect(settings.database_url)
    try:
        handled = await connection.fetchval("SELECT count(*) FROM inbox WHERE event_id = $1", event_id)
    finally:
        await connection.close()
    assert handled == 1
