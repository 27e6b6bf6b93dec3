"""Every event serialises to a CloudEvent valid against its committed schema and parses back equal."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from linkwork_contracts.envelope import decode, encode, wrap
from linkwork_contracts.events import Event, FollowUpRecordedV1, ReferralCreatedV1
from linkwork_contracts.examples import EXAMPLES, example_source
from linkwork_contracts.registry import EVENT_CLASSES, EVENT_TYPES

pytestmark = pytest.mark.unit

SchemaLoader = Callable[[str], dict[str, Any]]


def test_every_registered_type_has_an_example() -> None:
    assert set(EXAMPLES) == set(EVENT_TYPES)
    assert all(type(EXAMPLES[t]) is EVENT_TYPES[t] for t in EVENT_TYPES)


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_example_round_trips_through_its_committed_schema(event_type: str, committed_schema: SchemaLoader) -> None:
    event = EXAMPLES[event_type]
    ce = wrap(event, source=example_source(event_type))
    raw = encode(ce)

    message = json.loads(raw)
    Draft202012Validator(committed_schema("cloudevent")).validate(message)
    Draft202012Validator(committed_schema(event_type)).validate(message["data"])
    assert message["subject"] == event.key()
    assert message["dataschema"] == f"urn:linkwork:schema:{event_type}"

    decoded_ce, decoded = decode(raw)
    assert decoded == event
    assert type(decoded) is type(event)
    assert decoded_ce == ce


@pytest.mark.parametrize("cls", EVENT_CLASSES, ids=lambda c: c.TYPE)
def test_schema_rejects_what_the_model_rejects_extra_fields(cls: type[Event], committed_schema: SchemaLoader) -> None:
    data = EXAMPLES[cls.TYPE].model_dump(mode="json")
    data["unexpected_field"] = 1
    errors = list(Draft202012Validator(committed_schema(cls.TYPE)).iter_errors(data))
    assert any("unexpected_field" in e.message for e in errors)


def test_envelope_defaults_and_explicit_values() -> None:
    event = EXAMPLES[ReferralCreatedV1.TYPE]
    when = datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=1)))
    ce = wrap(event, source="urn:test", event_id="evt-1", time=when)
    assert (ce.id, ce.time, ce.type, ce.specversion) == ("evt-1", when, event.TYPE, "1.0")
    fresh = wrap(event, source="urn:test")
    assert fresh.id != wrap(event, source="urn:test").id  # a new UUID each time
    assert fresh.time.tzinfo is not None
    assert datetime.now(UTC) - fresh.time < timedelta(days=1)


def test_null_data_fields_survive_encoding() -> None:
    """encode drops absent envelope attributes only, never nulls inside data."""
    event = EXAMPLES[FollowUpRecordedV1.TYPE].model_copy(update={"duration_minutes": None})
    ce = wrap(event, source="urn:test")
    ce = ce.model_copy(update={"subject": None})
    message = json.loads(encode(ce))
    assert "subject" not in message
    assert message["data"]["duration_minutes"] is None
    assert decode(encode(ce))[1] == event


def test_extension_attributes_are_kept() -> None:
    event = EXAMPLES[ReferralCreatedV1.TYPE]
    message = json.loads(encode(wrap(event, source="urn:test")))
    message["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    ce, decoded = decode(json.dumps(message).encode())
    assert ce.model_extra == {"traceparent": message["traceparent"]}
    assert json.loads(encode(ce))["traceparent"] == message["traceparent"]
    assert decoded == event
