"""Turn a Kafka record into something a consumer can act on, before any database work.

Decoding is deterministic in the record's bytes, so a record that fails to decode (not JSON, fails its
schema, unknown type or version) will never succeed: it is poison and goes straight to the DLQ.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

from aiokafka.structs import ConsumerRecord
from linkwork_contracts.envelope import CloudEvent
from linkwork_contracts.events import Event

from linkwork_runtime.messaging.handlers import Handler, Handlers

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


def classify(record: Record, decode: Decode, handlers: Handlers) -> Item:
    if record.value is None:
        return Ignored(record, "tombstone")
    try:
        envelope, event = decode(record.value)
    except Exception as error:  # the contract's errors, and anything else the bytes make it raise
        return Poison(record, error)
    handler = handlers.find(event)
    if handler is None:
        return Ignored(record, "unhandled")
    return Applicable(record, envelope, event, handler, envelope.id)
