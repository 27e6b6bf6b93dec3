"""Telling a sender its referral request was refused (service_layer/refusals.py) against the in-memory unit of
work: which error gives which reason, what the refusal says (and never a person's data), and its id."""

from __future__ import annotations

import json

import pytest
from linkwork_contracts.codes import RefusalReason
from linkwork_contracts.envelope import MalformedEvent, SchemaViolation, UnknownEventType, encode, wrap
from linkwork_contracts.events import Event, ReferralRequestRefusedV1
from linkwork_contracts.examples import REFERRAL_REQUESTED
from linkwork_referral.service_layer.errors import RequestRefused, Unroutable
from linkwork_referral.service_layer.refusals import RefusedMessage, TellSender
from referral_builders import T0
from referral_fakes import FakeReferralUnitOfWork

pytestmark = pytest.mark.unit

SENDER = "urn:test:gp-system"
ENVELOPE = wrap(REFERRAL_REQUESTED, source=SENDER)
PERSON = REFERRAL_REQUESTED.person
IDENTIFIABLE = [PERSON.nhs_number, PERSON.family_name, PERSON.given_name, str(PERSON.date_of_birth)]


def structured(offset: int = 7) -> RefusedMessage:
    return RefusedMessage("referral-requested", 0, offset, REFERRAL_REQUESTED.request_id.encode(), encode(ENVELOPE), {})


async def refuse(message: RefusedMessage, error: BaseException) -> list[tuple[Event, str, str | None]]:
    unit_of_work = FakeReferralUnitOfWork()
    async with unit_of_work.transaction() as session:
        await TellSender("urn:linkwork:referral", lambda: T0)(message, error, session)
    return unit_of_work.stored.emitted


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (Unroutable(f"practice {REFERRAL_REQUESTED.practice_ods_code} is in no PCN"), "no-pcn-for-practice"),
        (RequestRefused(f"born {PERSON.date_of_birth}", RefusalReason.IMPLAUSIBLE_DATE), "implausible-date"),
        (RequestRefused("consent to refer not given"), "rule-broken"),
        (SchemaViolation(f"person.nhs_number: '{PERSON.nhs_number}' fails its check digit"), "failed-validation"),
        (UnknownEventType("uk.linkwork.referral.requested.v9 is not read here"), "unknown-event-type"),
        (MalformedEvent("not a CloudEvents 1.0 envelope"), "not-a-cloudevent"),
        (ValueError("anything else a handler gave up on"), "rule-broken"),
    ],
)
async def test_each_error_is_refused_with_its_reason_and_no_person_data(error: Exception, reason: str) -> None:
    [(event, source, _)] = await refuse(structured(), error)
    assert isinstance(event, ReferralRequestRefusedV1)
    assert (event.reason.value, event.request_id, event.request_event_id, event.source, event.refused_at) == (
        reason,
        REFERRAL_REQUESTED.request_id,
        ENVELOPE.id,
        SENDER,
        T0,
    )
    assert source == "urn:linkwork:referral"
    said = event.model_dump_json()
    assert not [value for value in IDENTIFIABLE if value in said]


async def test_a_binary_mode_request_is_addressed_by_its_headers() -> None:
    data = json.loads(encode(ENVELOPE))["data"]
    headers = {"ce_id": b"event-1", "ce_source": SENDER.encode()}
    message = RefusedMessage("referral-requested", 0, 7, None, json.dumps(data).encode(), headers)
    [(event, _, _)] = await refuse(message, Unroutable("no PCN"))
    assert isinstance(event, ReferralRequestRefusedV1)
    assert (event.request_id, event.request_event_id, event.source) == (
        REFERRAL_REQUESTED.request_id,
        "event-1",
        SENDER,
    )


async def test_a_message_that_is_not_json_is_addressed_by_its_key() -> None:
    message = RefusedMessage("referral-requested", 0, 7, b"REQ-ABC", b"this is not json", {})
    [(event, _, _)] = await refuse(message, MalformedEvent("not JSON"))
    assert isinstance(event, ReferralRequestRefusedV1)
    assert (event.request_id, event.request_event_id, event.source, event.reason) == (
        "REQ-ABC",
        None,
        None,
        RefusalReason.NOT_A_CLOUDEVENT,
    )


async def test_a_message_naming_no_readable_request_id_tells_nobody() -> None:
    message = RefusedMessage("referral-requested", 0, 7, None, b"[1, 2]", {})
    assert await refuse(message, MalformedEvent("not a CloudEvents 1.0 envelope")) == []


async def test_a_replayed_message_is_refused_under_the_same_event_id() -> None:
    [(_, _, first)] = await refuse(structured(offset=7), Unroutable("no PCN"))
    [(_, _, replayed)] = await refuse(structured(offset=7), Unroutable("no PCN"))
    [(_, _, next_one)] = await refuse(structured(offset=8), Unroutable("no PCN"))
    assert first is not None and first == replayed != next_one
