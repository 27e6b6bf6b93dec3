"""decode's one-pass path gives exactly what the step-by-step path gives, and leaves every refusal to it."""

from __future__ import annotations

import json

import pytest
from linkwork_contracts.envelope import (
    CloudEvent,
    SchemaViolation,
    UnknownEventType,
    _decode_checked,
    decode,
    encode,
    wrap,
)
from linkwork_contracts.events import ReferralCreatedV1
from linkwork_contracts.examples import EXAMPLES, REFERRAL_CREATED, example_source
from linkwork_contracts.registry import EVENT_TYPES

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
@pytest.mark.parametrize("accept", ["all", "own type"])
def test_fast_path_equals_the_checked_path(event_type: str, accept: str) -> None:
    event = EXAMPLES[event_type]
    raw = encode(wrap(event, source=example_source(event_type)))
    narrowed = None if accept == "all" else frozenset({event_type})
    ce, decoded = decode(raw, accept=narrowed)
    expected_ce, expected_event = _decode_checked(raw, narrowed)
    assert type(ce) is CloudEvent
    assert (ce, decoded) == (expected_ce, expected_event)
    assert ce.model_dump() == expected_ce.model_dump()
    assert ce.model_fields_set == expected_ce.model_fields_set
    assert type(decoded) is type(expected_event)


def test_extension_attributes_are_kept() -> None:
    message = json.loads(encode(wrap(REFERRAL_CREATED, source="urn:test")))
    raw = json.dumps({**message, "traceparent": "00-abc-01", "event": "x"}).encode()
    ce, _ = decode(raw)
    assert ce.model_extra == {"traceparent": "00-abc-01", "event": "x"}
    assert ce == _decode_checked(raw, None)[0]


def test_refusals_are_the_checked_paths() -> None:
    message = json.loads(encode(wrap(REFERRAL_CREATED, source="urn:test")))
    wrong_subject = json.dumps({**message, "subject": "someone-else"}).encode()
    with pytest.raises(SchemaViolation, match="does not match the event's key"):
        decode(wrong_subject)
    bad_data = json.dumps({**message, "data": {**message["data"], "version": "2"}}).encode()
    with pytest.raises(SchemaViolation, match=r"data\.version"):
        decode(bad_data)
    with pytest.raises(UnknownEventType):
        decode(encode(wrap(REFERRAL_CREATED, source="urn:test")), accept=frozenset({"uk.linkwork.plan.agreed.v1"}))


def test_a_model_registered_at_run_time_is_used() -> None:
    class Replaced(ReferralCreatedV1):
        pass

    raw = encode(wrap(REFERRAL_CREATED, source="urn:test"))
    accept = frozenset({ReferralCreatedV1.TYPE})
    assert type(decode(raw, accept=accept)[1]) is ReferralCreatedV1
    EVENT_TYPES[ReferralCreatedV1.TYPE] = Replaced
    try:
        assert type(decode(raw, accept=accept)[1]) is Replaced
        assert type(decode(raw)[1]) is Replaced
    finally:
        EVENT_TYPES[ReferralCreatedV1.TYPE] = ReferralCreatedV1
    assert type(decode(raw, accept=accept)[1]) is ReferralCreatedV1
