"""CloudEvents binary content mode (Kafka protocol binding): ce_* headers, the data alone as the value."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from linkwork_contracts.envelope import (
    MalformedEvent,
    SchemaViolation,
    UnknownEventType,
    decode_kafka,
    encode,
    is_binary_mode,
    wrap,
)
from linkwork_contracts.events import ReferralCreatedV1
from linkwork_contracts.examples import REFERRAL_CREATED

pytestmark = pytest.mark.unit

DATA = json.dumps(REFERRAL_CREATED.model_dump(mode="json")).encode()


def binary_headers(**changes: str | None) -> list[tuple[str, bytes]]:
    headers = {
        "ce_specversion": "1.0",
        "ce_id": "e-7",
        "ce_source": "urn:linkwork:external:gp-engine",
        "ce_type": ReferralCreatedV1.TYPE,
        "ce_time": "2025-06-02T10:00:01Z",
        "ce_subject": REFERRAL_CREATED.key(),
        "content-type": "application/json; charset=utf-8",
        "ce_traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    }
    headers.update(changes)
    return [(name, value.encode()) for name, value in headers.items() if value is not None]


def test_a_binary_mode_record_decodes_like_its_structured_twin() -> None:
    envelope, event = decode_kafka(DATA, binary_headers())
    assert event == REFERRAL_CREATED
    assert envelope.id == "e-7" and envelope.source == "urn:linkwork:external:gp-engine"
    assert envelope.time == datetime(2025, 6, 2, 10, 0, 1, tzinfo=UTC)
    assert envelope.model_extra == {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}


def test_structured_mode_is_unchanged_and_headers_without_ce_specversion_do_not_switch_modes() -> None:
    raw = encode(wrap(REFERRAL_CREATED, source="urn:test", event_id="e-1"))
    assert decode_kafka(raw, [("content-type", b"application/cloudevents+json")])[1] == REFERRAL_CREATED
    assert decode_kafka(raw)[1] == REFERRAL_CREATED
    assert not is_binary_mode([("ce_id", b"x")]) and is_binary_mode([("ce_specversion", b"1.0")])


@pytest.mark.parametrize(
    ("changes", "value", "error", "says"),
    [
        ({"ce_type": None}, DATA, MalformedEvent, "type"),
        ({"ce_time": "yesterday"}, DATA, MalformedEvent, "time"),
        ({"ce_specversion": "0.3"}, DATA, MalformedEvent, "specversion"),
        ({"content-type": "application/avro"}, DATA, MalformedEvent, "application/avro"),
        ({}, b"{not json", MalformedEvent, "not JSON"),
        ({"ce_type": "uk.linkwork.referral.created.v9"}, DATA, UnknownEventType, "v9"),
        ({"ce_subject": "another-key"}, DATA, SchemaViolation, "subject"),
        ({}, json.dumps({**json.loads(DATA), "version": "one"}).encode(), SchemaViolation, "data.version"),
    ],
)
def test_bad_binary_mode_records_are_refused_naming_what_is_wrong(
    changes: dict[str, str | None], value: bytes, error: type[Exception], says: str
) -> None:
    with pytest.raises(error) as raised:
        decode_kafka(value, binary_headers(**changes))
    assert says in str(raised.value)


def test_a_header_that_is_not_utf8_is_malformed() -> None:
    with pytest.raises(MalformedEvent, match="ce_source"):
        decode_kafka(DATA, [*binary_headers(ce_source=None), ("ce_source", b"\xff\xfe")])
