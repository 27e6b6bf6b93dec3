from __future__ import annotations

from datetime import UTC, datetime

import pytest
from linkwork_runtime.messaging import dead_letters

pytestmark = pytest.mark.unit


def _letter() -> dead_letters.DeadLetter:
    failure = dead_letters.Failure(
        topic="referral-created",
        partition=3,
        offset=1234,
        consumer="matching",
        error_type="SchemaViolation",
        error_message="data.age_band: not a valid age band",
        attempts=1,
        time=datetime(2025, 3, 1, 12, 0, tzinfo=UTC),
    )
    return dead_letters.DeadLetter(failure, b"key-1", b'{"id": "x"}', [("content-type", b"application/json")])


def test_a_dead_letter_goes_to_the_topic_dlq_with_its_key_value_and_reason() -> None:
    record = dead_letters.to_record(_letter())
    assert record.topic == "referral-created.dlq"
    assert record.key == b"key-1"
    assert record.value == b'{"id": "x"}'
    headers = dict(record.headers)
    assert headers["content-type"] == b"application/json"
    assert headers[dead_letters.ORIGINAL_TOPIC] == b"referral-created"
    assert headers[dead_letters.ORIGINAL_PARTITION] == b"3"
    assert headers[dead_letters.ORIGINAL_OFFSET] == b"1234"
    assert headers[dead_letters.CONSUMER] == b"matching"
    assert headers[dead_letters.ERROR_TYPE] == b"SchemaViolation"
    assert headers[dead_letters.ERROR_MESSAGE] == b"data.age_band: not a valid age band"
    assert headers[dead_letters.ATTEMPTS] == b"1"
    assert headers[dead_letters.TIME] == b"2025-03-01T12:00:00+00:00"


def test_reading_a_dead_letter_back_separates_original_headers_from_ours() -> None:
    letter = _letter()
    record = dead_letters.to_record(letter)
    back = dead_letters.from_record(record.key, record.value, record.headers, partition=0, offset=7)
    assert back.failure == letter.failure
    assert back.headers == letter.headers
    assert (back.key, back.value, back.dlq_partition, back.dlq_offset) == (b"key-1", b'{"id": "x"}', 0, 7)


def test_error_description_names_the_type_and_keeps_messages_short() -> None:
    assert dead_letters.describe(ValueError("boom")) == ("ValueError", "boom")
    assert dead_letters.describe(KeyError()) == ("KeyError", "KeyError()")
    _, message = dead_letters.describe(RuntimeError("x" * 10_000))
    assert len(message) == 2000
