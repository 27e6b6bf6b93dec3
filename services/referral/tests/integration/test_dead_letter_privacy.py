"""Issue 15 [medium]: a request with a bad date of birth and a bad postcode leaves no person value in the
dead letter's headers or in the logs (the message itself is kept whole for replay, on a 7-day topic)."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from linkwork_contracts import topics
from linkwork_contracts.envelope import encode, wrap
from linkwork_referral.settings import Settings
from linkwork_stack.testing import produce

from .conftest import consumed, new_request_id
from .kafka_support import eventually, tail
from .test_inbound import request

pytestmark = pytest.mark.integration


async def test_dead_letter_headers_and_logs_carry_no_person_values(
    client: httpx.AsyncClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    bad_id, unroutable_id = new_request_id(), new_request_id()
    envelope = json.loads(encode(wrap(request(bad_id), source="urn:test:gp-system")))
    person = envelope["data"]["person"]
    person.update(date_of_birth="1987-02-30", postcode="QQ99 9QQX", given_name="Zebedee", family_name="Quartermain")
    unroutable = request(unroutable_id, practice="Z00000")
    identifiable = [
        "1987-02-30",
        "QQ99 9QQX",
        "Zebedee",
        "Quartermain",
        person["nhs_number"],
        person["phone"],
        unroutable.person.nhs_number,
        unroutable.person.family_name,
        str(unroutable.person.date_of_birth),
        unroutable.person.postcode or "",
    ]
    requests = consumed(settings, topics.REFERRAL_REQUESTED)
    dlq = topics.dlq(requests)
    caplog.set_level(logging.DEBUG)
    async with tail(settings.kafka_bootstrap_servers, dlq) as kafka:
        raw = encode(wrap(unroutable, source="urn:test:gp-system"))
        await produce(
            settings.kafka_bootstrap_servers,
            [
                (requests, bad_id.encode(), json.dumps(envelope).encode()),
                (requests, unroutable_id.encode(), raw),
            ],
        )
        await eventually(
            lambda: len(kafka.keyed(bad_id, dlq)) == 1 and len(kafka.keyed(unroutable_id, dlq)) == 1,
            within=60,
            what="both requests dead-lettered",
        )
    [schema_failure] = kafka.keyed(bad_id, dlq)
    [routing_failure] = kafka.keyed(unroutable_id, dlq)
    message = schema_failure.headers["dlq-error-message"].decode()
    # The field and the rule are named...
    assert "date_of_birth" in message and "postcode" in message
    # ...and no value of the person appears in any header or log line.
    headers = " ".join(
        value.decode(errors="replace")
        for letter in (schema_failure, routing_failure)
        for value in letter.headers.values()
    )
    logged = "\n".join(record.getMessage() + (record.exc_text or "") for record in caplog.records)
    assert "dead-lettering" in logged or "handler failed" in logged  # the unroutable one was logged
    for value in identifiable:
        assert value not in headers, f"a person value is in the DLQ headers: {headers}"
        assert value not in logged, "a person value is in the logs"
