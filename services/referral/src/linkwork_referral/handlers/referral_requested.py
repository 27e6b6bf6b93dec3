"""referral-requested: existing systems send referrals in; the handler is the consumer's entry point to the
use case making one referral per request id (service_layer/requests.py).

A request that fails its schema never reaches this handler (the runner dead-letters it); one the
workflow refuses (no PCN for its practice, an implausible date) raises a `RequestRefused`, a
permanent error: the runner dead-letters it at once, without retries. Either way `RefusalNotifier`
tells the sender on `referral-request-refused` (by its request id, without person data).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from uuid import NAMESPACE_URL, uuid5

import asyncpg
from aiokafka.structs import ConsumerRecord
from linkwork_contracts.codes import RefusalReason
from linkwork_contracts.envelope import CloudEvent, MalformedEvent, SchemaViolation, UnknownEventType
from linkwork_contracts.events import ReferralRequestedV1, ReferralRequestRefusedV1
from linkwork_contracts.identifiers import RequestId
from linkwork_runtime.messaging import add as add_to_outbox
from linkwork_runtime.messaging.redaction import safe_message
from pydantic import TypeAdapter, ValidationError

from linkwork_referral.service_layer.errors import RequestRefused
from linkwork_referral.service_layer.ports import ConsumerTransaction, ReferralUnitOfWork
from linkwork_referral.service_layer.referrals import ReferralService
from linkwork_referral.service_layer.requests import CreateFromRequest
from linkwork_referral.service_layer.routing import PracticeDirectory

log = logging.getLogger(__name__)
_REQUEST_ID: TypeAdapter[str] = TypeAdapter(RequestId)


class ReferralRequestedHandler:
    def __init__(self, service: ReferralService, referrals: ReferralUnitOfWork, practices: PracticeDirectory) -> None:
        self._referrals = referrals
        self._create = CreateFromRequest(service, practices)

    async def __call__(
        self, event: ReferralRequestedV1, envelope: CloudEvent, transaction: ConsumerTransaction
    ) -> None:
        # Within the consumer's inbox transaction, so the referral commits with the event's receipt.
        await self._create(event, str(envelope.source), envelope.id, self._referrals.joining(transaction))


class RefusalNotifier:
    """The refusal hook of the referral-requested consumer: records `referral-request-refused` in the outbox.

    Its CloudEvent id is derived from the refused record's topic, partition and offset, so a replay of the
    same record (after a crash before the dead letter was written) refuses it under the same id, which the
    sender de-duplicates. A message whose request id cannot be read (neither from its data nor its key) is
    left to the dead-letter topic alone: there is nobody to address the refusal to.
    """

    def __init__(self, source: str, clock: Callable[[], datetime]) -> None:
        self._source, self._clock = source, clock

    async def __call__(
        self, record: ConsumerRecord[bytes, bytes], error: BaseException, connection: asyncpg.Connection
    ) -> None:
        data, headers = _data_of(record), {name: value for name, value in record.headers or ()}
        request_id = _request_id(data.get("request_id")) or _request_id(_text(record.key))
        if request_id is None:
            log.warning("refused message at offset %d names no readable request id: not told", record.offset)
            return
        event = ReferralRequestRefusedV1(
            request_id=request_id,
            request_event_id=_bounded(data.get("__id__") or _text(headers.get("ce_id"))),
            source=_bounded(data.get("__source__") or _text(headers.get("ce_source"))),
            refused_at=self._clock(),
            reason=refusal_reason(error),
            message=(safe_message(error) or type(error).__name__)[:2000],
        )
        event_id = str(uuid5(NAMESPACE_URL, f"urn:linkwork:refusal:{record.topic}:{record.partition}:{record.offset}"))
        await add_to_outbox(connection, event, source=self._source, event_id=event_id)


def refusal_reason(error: BaseException) -> RefusalReason:
    if isinstance(error, RequestRefused):
        return error.reason
    if isinstance(error, SchemaViolation):
        return RefusalReason.FAILED_VALIDATION
    if isinstance(error, UnknownEventType):
        return RefusalReason.UNKNOWN_EVENT_TYPE
    if isinstance(error, MalformedEvent):
        return RefusalReason.NOT_A_CLOUDEVENT
    return RefusalReason.RULE_BROKEN


def _data_of(record: ConsumerRecord[bytes, bytes]) -> dict[str, object]:
    """The request's data as far as it parses (binary mode: the value; structured: the envelope's data),
    with the envelope's id and source under reserved names; empty when the value is not a JSON object."""
    try:
        parsed = json.loads(record.value or b"")
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
