"""Dead letters: what goes to `<topic>.dlq` and how to read it back.

A dead letter keeps the original key, value and headers, and adds headers saying where it came from and
why it failed, so an operator can read the reason and, once the cause is fixed, publish it again to its
original topic (`python -m linkwork_runtime.messaging.dead_letters --help`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from linkwork_contracts.topics import dlq

from linkwork_runtime.messaging.producer import OutgoingRecord
from linkwork_runtime.messaging.redaction import safe_message

PREFIX = "dlq-"
ORIGINAL_TOPIC = "dlq-original-topic"
ORIGINAL_PARTITION = "dlq-original-partition"
ORIGINAL_OFFSET = "dlq-original-offset"
CONSUMER = "dlq-consumer"
ERROR_TYPE = "dlq-error-type"
ERROR_MESSAGE = "dlq-error-message"
ATTEMPTS = "dlq-attempts"
TIME = "dlq-time"

_MAX_MESSAGE = 2000  # keep headers small; the full traceback is in the consumer's log


@dataclass(frozen=True)
class Failure:
    """Where a message was read and why it failed."""

    topic: str
    partition: int
    offset: int
    consumer: str
    error_type: str
    error_message: str
    attempts: int
    time: datetime


@dataclass(frozen=True)
class DeadLetter:
    failure: Failure
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]  # the original message's own headers
    dlq_partition: int = -1
    dlq_offset: int = -1


def describe(error: BaseException) -> tuple[str, str]:
    """Error type and a readable message for the headers: field and rule, never a value (redaction.py)."""
    return type(error).__name__, safe_message(error)[:_MAX_MESSAGE]


def to_record(letter: DeadLetter) -> OutgoingRecord:
    failure = letter.failure
    added = {
        ORIGINAL_TOPIC: failure.topic,
        ORIGINAL_PARTITION: str(failure.partition),
        ORIGINAL_OFFSET: str(failure.offset),
        CONSUMER: failure.consumer,
        ERROR_TYPE: failure.error_type,
        ERROR_MESSAGE: failure.error_message,
        ATTEMPTS: str(failure.attempts),
        TIME: failure.time.isoformat(),
    }
    headers = [*letter.headers, *((name, value.encode()) for name, value in added.items())]
    return OutgoingRecord(topic=dlq(failure.topic), value=letter.value or b"", key=letter.key, headers=headers)


def from_record(
    key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes]], partition: int, offset: int
) -> DeadLetter:
    """Read a record of a DLQ topic back; raises KeyError if it lacks the dead-letter headers."""
    ours = {name: raw.decode(errors="replace") for name, raw in headers if name.startswith(PREFIX)}
    failure = Failure(
        topic=ours[ORIGINAL_TOPIC],
        partition=int(ours[ORIGINAL_PARTITION]),
        offset=int(ours[ORIGINAL_OFFSET]),
        consumer=ours[CONSUMER],
        error_type=ours[ERROR_TYPE],
        error_message=ours[ERROR_MESSAGE],
        attempts=int(ours[ATTEMPTS]),
        time=datetime.fromisoformat(ours[TIME]),
    )
    original = [(name, raw) for name, raw in headers if not name.startswith(PREFIX)]
    return DeadLetter(failure, key, value, original, partition, offset)


def now() -> datetime:
    return datetime.now(UTC)
