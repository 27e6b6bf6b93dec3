"""Refused referral requests are told back to their senders on referral-request-refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from linkwork_contracts import topics
from linkwork_contracts.envelope import decode, encode, wrap
from linkwork_contracts.events import ReferralRequestRefusedV1
from linkwork_referral.adapters.samples import invalid_nhs_number
from linkwork_referral.settings import Settings
from linkwork_stack.testing import produce

from .conftest import consumed, new_request_id
from .kafka_support import eventually, tail
from .test_inbound import request

pytestmark = pytest.mark.integration

SENDER = "urn:linkwork:external:gp-engine"


async def test_refused_requests_produce_refusal_events_without_person_data(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    unroutable_id, broken_id, late_id, garbage_key = (new_request_id() for _ in range(4))
    unroutable = wrap(request(unroutable_id, practice="Z00000"), source=SENDER)
    envelope = json.loads(encode(wrap(request(broken_id), source=SENDER)))
    nhs_number = envelope["data"]["person"]["nhs_number"]
    envelope["data"]["person"]["nhs_number"] = invalid_nhs_number(nhs_number)
    future = request(late_id).model_copy(update={"consent_recorded_at": datetime.now(UTC) + timedelta(days=30)})
    sent = [
        (unroutable_id, encode(unroutable)),
        (broken_id, json.dumps(envelope).encode()),
        (late_id, encode(wrap(future, source=SENDER))),
        (garbage_key, b"this is not json"),
    ]
    requests = consumed(settings, topics.REFERRAL_REQUESTED)
    refused_topic, dlq = topics.REFERRAL_REQUEST_REFUSED, topics.dlq(requests)
    bootstrap = settings.kafka_bootstrap_servers
    async with tail(bootstrap, dlq) as dead, tail(bootstrap, refused_topic) as kafka:
        await produce(bootstrap, [(requests, key.encode(), value) for key, value in sent])
        await eventually(lambda: all(len(kafka.keyed(key)) == 1 for key, _ in sent), within=60, what="four refusals")
        await eventually(lambda: all(len(dead.keyed(key)) == 1 for key, _ in sent), within=30, what="dead letters")

    reasons = {}
    for key, _ in sent:
        [message] = kafka.keyed(key)
        raw = json.dumps(message.envelope).encode()
        _, event = decode(raw)
        assert isinstance(event, ReferralRequestRefusedV1) and event.request_id == key
        assert nhs_number not in raw.decode() and "Sample" not in raw.decode()  # no person data
        reasons[key] = (event.reason.value, event.source)
    assert reasons == {
        unroutable_id: ("no-pcn-for-practice", SENDER),
        broken_id: ("failed-validation", SENDER),
        late_id: ("implausible-date", SENDER),
        garbage_key: ("not-a-cloudevent", None),
    }
    [unroutable_refusal] = kafka.keyed(unroutable_id)
    assert unroutable_refusal.data["request_event_id"] == unroutable.id
    assert "nhs_number" in kafka.keyed(broken_id)[0].data["message"]
    # Permanent refusals are dead-lettered on the first attempt, not after the retries.
    assert dead.keyed(unroutable_id)[0].headers["dlq-attempts"] == b"1"
    assert dead.keyed(late_id)[0].headers["dlq-attempts"] == b"1"
