"""Turn a Kafka record into something a consumer can act on, before any database work.

Both CloudEvents content modes are read here, for every topic: structured (the envelope is the value, as
linkwork produces) and binary (attributes in `ce_*` headers, the value is the data), which is turned into
the structured form before the one decoder runs. Decoding is deterministic in the record's bytes and
headers, so a record that fails to decode (not JSON, fails its schema, unknown type or version) will never
succeed: it is poison and goes straight to the DLQ.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

import orjson
from aiokafka.structs import ConsumerRecord
from linkwork_contracts.envelope import CloudEvent, is_binary_mode, structured_from_binary
from linkwork_contracts.events import Event

from linkwork_runtime.messaging.handlers import Handler, Handlers
from linkwork_runtime.messaging.inbox import EventKey

Decode = Callable[[bytes], tuple[CloudEvent, Event]]
Record: TypeAlias = ConsumerRecord[bytes, bytes]


@dataclass(frozen=True, slots=True)
class Applicable:
    record: Record
    envelope: CloudEvent
    event: Event
    handler: Handler
    event_id: str


@dataclass(frozen=True, slots=True)
class Ignored:
    """A valid record this consumer has no business with: another event type on the topic, or a tombstone."""

    record: Record
    reason: str


@dataclass(frozen=True, slots=True)
class Poison:
    record: Record
    error: BaseException


Item = Applicable | Ignored | Poison


# How `linkwork_contracts.envelope.encode` starts every message: reading the id and source from there avoids
# parsing the whole message; anything else (other producers, other layouts) is parsed.
_LEADING_KEY = re.compile(rb'\{"specversion":"1\.0","id":"([^"\\]{1,400})","source":"([^"\\]{1,400})"')


def peek_id(raw: bytes | None) -> EventKey | None:
    """The CloudEvent (source, id) of a message, read without validating anything else; None if absent.

    Enough to check the inbox, so that already-applied events are skipped without being decoded, and
    each new event is decoded just before its handler runs and dropped right after (see batch.py). A message
    can repeat a key (`"id"` twice): the decoder takes the last, the fast path here the first, so batch.py
    checks that the decoded envelope has the key that was claimed and treats a mismatch as poison.
    """
    if raw is None:
        return None
    if (match := _LEADING_KEY.match(raw)) is not None:
        return match.group(2).decode(), match.group(1).decode()
    try:
        parsed = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(parsed, dict):
        return None
    event_id, source = parsed.get("id"), parsed.get("source")
    if isinstance(event_id, str) and event_id and isinstance(source, str) and source:
        return source, event_id
    return None


def peek_record_id(record: Record) -> EventKey | None:
    """`peek_id` for a record in either content mode: a binary-mode record names its key in ce_source, ce_id."""
    if record.headers and is_binary_mode(record.headers):
        attributes = {name: value.decode("utf-8", errors="replace") for name, value in record.headers}
        source, event_id = attributes.get("ce_source"), attributes.get("ce_id")
        return (source, event_id) if source and event_id else None
    return peek_id(record.value)


def classify(record: Record, decode: Decode, handlers: Handlers) -> Item:
    if record.value is None:
        return Ignored(record, "tombstone")
    try:
        value = record.value
        if record.headers and is_binary_mode(record.headers):
            value = structured_from_binary(value, record.headers)
        envelope, event = decode(value)
    except Exception as error:  # the contract's errors, and anything else the bytes make it raise
        return Poison(record, error)
    handler = handlers.find(event)
    if handler is None:
        return Ignored(record, "unhandled")
    return Applicable(record, envelope, event, handler, envelope.id)
