from __future__ import annotations

import functools

import orjson
import pytest
from aiokafka.structs import ConsumerRecord
from linkwork_contracts.envelope import decode, encode, wrap
from linkwork_runtime.messaging.decoding import (
    Applicable,
    Ignored,
    Item,
    Poison,
    classify,
    peek_id,
    peek_record_id,
)
from linkwork_runtime.messaging.handlers import Handlers
from messaging_support import Sample

pytestmark = pytest.mark.unit


def _record(value: bytes | None, headers: list[tuple[str, bytes]] | None = None) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord("t", 0, 5, 0, 0, b"k", value, None, 0, len(value or b""), headers or [])


async def _noop(*_: object) -> None:
    return None


def _classify(sample: type[Sample], value: bytes | None) -> Item:
    handlers = Handlers()
    handlers.add(sample, _noop)
    accept = functools.partial(decode, accept=frozenset(handlers.types()))
    return classify(_record(value), accept, handlers)


def test_a_valid_event_is_applicable_with_its_id(sample: type[Sample]) -> None:
    envelope = wrap(sample(stream="s1", seq=1), source="test", event_id="e-1")
    item = _classify(sample, encode(envelope))
    assert isinstance(item, Applicable)
    assert item.event_id == "e-1"
    assert item.event == sample(stream="s1", seq=1)


@pytest.mark.parametrize(
    ("value", "error_type", "reason"),
    [
        (b"{not json", "MalformedEvent", "not JSON"),
        (b"[1, 2]", "MalformedEvent", "not an object"),
        (b'{"id": "x"}', "MalformedEvent", "CloudEvents"),
    ],
)
def test_undecodable_bytes_are_poison(sample: type[Sample], value: bytes, error_type: str, reason: str) -> None:
    item = _classify(sample, value)
    assert isinstance(item, Poison)
    assert type(item.error).__name__ == error_type
    assert reason in str(item.error)


def test_an_unknown_type_is_poison(sample: type[Sample]) -> None:
    envelope = orjson.loads(encode(wrap(sample(stream="s1", seq=1), source="test")))
    envelope["type"] = "uk.linkwork.test.unheard-of.v1"
    item = _classify(sample, orjson.dumps(envelope))
    assert isinstance(item, Poison)
    assert type(item.error).__name__ == "UnknownEventType"


def test_a_schema_failure_is_poison_naming_the_field(sample: type[Sample]) -> None:
    envelope = orjson.loads(encode(wrap(sample(stream="s1", seq=1), source="test")))
    envelope["data"]["seq"] = "one"
    item = _classify(sample, orjson.dumps(envelope))
    assert isinstance(item, Poison)
    assert type(item.error).__name__ == "SchemaViolation"
    assert "data.seq" in str(item.error)


def test_a_tombstone_is_ignored(sample: type[Sample]) -> None:
    item = _classify(sample, None)
    assert isinstance(item, Ignored) and item.reason == "tombstone"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"id": "e-1", "source": "s", "type": "x"}', ("s", "e-1")),
        (b'{"specversion":"1.0","id":"e-2","source":"s","type":"x"}', ("s", "e-2")),  # as the contracts encode it
        (b'{"specversion":"1.0","id":"e\\"3","source":"s","type":"x"}', ("s", 'e"3')),  # escaped: read by the parser
        (b'{"id": "e-4", "source": "s", "id": "e-5"}', ("s", "e-5")),  # repeated: the last, as the decoder reads it
        (b'{"id": "e-6"}', None),  # no source: CloudEvents ids are only unique per source
        (b'{"type": "x"}', None),
        (b'{"id": 7, "source": "s"}', None),
        (b'{"id": "", "source": "s"}', None),
        (b"[1]", None),
        (b"not json", None),
        (None, None),
    ],
)
def test_peeking_reads_the_id_or_nothing(raw: bytes | None, expected: tuple[str, str] | None) -> None:
    assert peek_id(raw) == expected


def _binary(sample: type[Sample], **changes: bytes) -> ConsumerRecord[bytes, bytes]:
    envelope = orjson.loads(encode(wrap(sample(stream="s1", seq=1), source="test", event_id="e-9")))
    headers = {f"ce_{k}": str(v).encode() for k, v in envelope.items() if k not in ("data", "datacontenttype")}
    headers |= {"content-type": b"application/json", **changes}
    return _record(orjson.dumps(envelope["data"]), list(headers.items()))


def test_a_binary_mode_record_is_applicable_and_peeked_from_its_ce_source_and_ce_id(sample: type[Sample]) -> None:
    record = _binary(sample)
    handlers = Handlers()
    handlers.add(sample, _noop)
    item = classify(record, functools.partial(decode, accept=frozenset(handlers.types())), handlers)
    assert isinstance(item, Applicable)
    assert item.event_id == "e-9" and item.event == sample(stream="s1", seq=1)
    assert peek_record_id(record) == ("test", "e-9")
    assert peek_record_id(_record(encode(wrap(sample(stream="s", seq=1), source="t", event_id="e-3")))) == ("t", "e-3")


def test_a_binary_mode_record_with_bad_data_is_poison(sample: type[Sample]) -> None:
    record = _binary(sample)
    bad = _record(b"{oops", record.headers)
    handlers = Handlers()
    handlers.add(sample, _noop)
    item = classify(bad, functools.partial(decode, accept=frozenset(handlers.types())), handlers)
    assert isinstance(item, Poison) and "binary-mode data is not JSON" in str(item.error)
