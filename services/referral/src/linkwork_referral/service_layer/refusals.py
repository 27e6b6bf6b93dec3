"""Telling a sending system that its referral request was refused (`referral-request-refused`).

The referral-requested consumer refuses a message it can never apply: one that fails its schema or is not a
CloudEvent at all (the runner dead-letters it before any handler sees it), or one the workflow refuses
(`RequestRefused`, e.g. no PCN for its practice, an implausible date). The refusal names the request by its
request id and says why, without person data, so the sender can correct and resend it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import NAMESPACE_URL, uuid5

from linkwork_contracts.codes import RefusalReason
from linkwork_contracts.envelope import MalformedEvent, SchemaViolation, UnknownEventType
from linkwork_contracts.events import ReferralRequestRefusedV1
from linkwork_contracts.identifiers import RequestId
from linkwork_runtime.messaging.redaction import safe_message
from pydantic import TypeAdapter, ValidationError

from linkwork_referral.service_layer.errors import RequestRefused
from linkwork_referral.service_layer.ports import ReferralSession

log = logging.getLogger(__name__)
_REQUEST_ID: TypeAdapter[str] = TypeAdapter(RequestId)


@dataclass(frozen=True)
class RefusedMessage:
    """A referral-requested message as it was read off the log, undecoded: it may not parse at all."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Mapping[str, bytes]


@dataclass
class TellSender:
    """Record a `referral-request-refused` for `message` in the outbox of `session`'s transaction.

    Its CloudEvent id is derived from the message's topic, partition and offset, so a replay of the same
    message (after a crash before the dead letter was written) refuses it under the same id, which the sender
    de-duplicates. A message whose request id cannot be read (neither from its data nor its key) is left to the
    dead-letter topic alone: there is nobody to address the refusal to.
    """

    source: str
    clock: Callable[[], datetime]

    async def __call__(self, message: RefusedMessage, error: BaseException, session: ReferralSession) -> None:
        data = _data_of(message.value)
        request_id = _request_id(data.get("request_id")) or _request_id(_text(message.key))
        if request_id is None:
            log.warning("refused message at offset %d names no readable request id: not told", message.offset)
            return
        event = ReferralRequestRefusedV1(
            request_id=request_id,
            request_event_id=_bounded(data.get("__id__") or _text(message.headers.get("ce_id"))),
            source=_bounded(data.get("__source__") or _text(message.headers.get("ce_source"))),
            refused_at=self.clock(),
            reason=_reason_for(error),
            # safe_message keeps identifiable values out: the refusal leaves the service.
            message=(safe_message(error) or type(error).__name__)[:2000],
        )
        position = f"{message.topic}:{message.partition}:{message.offset}"
        await session.emit(event, self.source, str(uuid5(NAMESPACE_URL, f"urn:linkwork:refusal:{position}")))


def _reason_for(error: BaseException) -> RefusalReason:
    if isinstance(error, RequestRefused):
        return error.reason
    if isinstance(error, SchemaViolation):
        return RefusalReason.FAILED_VALIDATION
    if isinstance(error, UnknownEventType):
        return RefusalReason.UNKNOWN_EVENT_TYPE
    if isinstance(error, MalformedEvent):
        return RefusalReason.NOT_A_CLOUDEVENT
    return RefusalReason.RULE_BROKEN


def _data_of(value: bytes | None) -> dict[str, object]:
    """The request's data as far as it parses (binary mode: the value; structured: the envelope's data),
    with the envelope's id and source under reserved names; empty when the value is not a JSON object."""
    try:
        parsed = json.loads(value or b"")
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {}
    if not isinstance(parsed, dict):
        return {}
    data = parsed.get("data")
    if isinstance(data, dict):
        return {**data, "__id__": parsed.get("id"), "__source__": parsed.get("source")}
    return parsed


def _text(raw: bytes | None) -> str | None:
    return raw.decode("utf-8", errors="replace") if raw else None


def _bounded(value: object) -> str | None:
    return value[:400] if isinstance(value, str) and value else None


def _request_id(value: object) -> str | None:
    try:
        return _REQUEST_ID.validate_python(value)
    except ValidationError:
        return None
