"""referral-requested: existing systems send referrals in; each request id makes one referral.

The referral's id is derived from the sending system (the CloudEvents source) and its request id, and the
referrals table holds both under a unique constraint, so a redelivered or resent request finds its referral
and does nothing, while another system's request with the same id makes its own referral.
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
from uuid import NAMESPACE_URL, UUID, uuid5

import asyncpg
from aiokafka.structs import ConsumerRecord
from linkwork_contracts.codes import RefusalReason
from linkwork_contracts.envelope import CloudEvent, MalformedEvent, SchemaViolation, UnknownEventType
from linkwork_contracts.events import ReferralRequestedV1, ReferralRequestRefusedV1
from linkwork_contracts.identifiers import RequestId
from linkwork_runtime.messaging import add as add_to_outbox
from linkwork_runtime.messaging.redaction import safe_message
from pydantic import TypeAdapter, ValidationError

from linkwork_referral.domain.audit import AuditRecord
from linkwork_referral.domain.errors import DomainError
from linkwork_referral.domain.person import Person
from linkwork_referral.domain.referral import NewReferral, Referral, Referrer
from linkwork_referral.service_layer.errors import RequestRefused, Unroutable
from linkwork_referral.service_layer.ports import ConsumerTransaction, ReferralUnitOfWork
from linkwork_referral.service_layer.referrals import ReferralService
from linkwork_referral.service_layer.routing import PracticeDirectory

log = logging.getLogger(__name__)
_REQUEST_ID: TypeAdapter[str] = TypeAdapter(RequestId)


def referral_id_for(request_id: str, source: str) -> UUID:
    """The referral made from request `request_id` of the sending system `source` (its CloudEvents source):
    request ids are unique per sending system only."""
    return uuid5(NAMESPACE_URL, f"urn:linkwork:referral-request:{source}:{request_id}")


class ReferralRequestedHandler:
    def __init__(self, service: ReferralService, referrals: ReferralUnitOfWork, practices: PracticeDirectory) -> None:
        self._service, self._referrals, self._practices = service, referrals, practices

    async def __call__(
        self, event: ReferralRequestedV1, envelope: CloudEvent, transaction: ConsumerTransaction
    ) -> None:
        source = str(envelope.source)
        referral_id = referral_id_for(event.request_id, source)
        session = self._referrals.joining(transaction)
        if await session.request_known(source, event.request_id):
            return
        pcn = self._practices.pcn_for(event.practice_ods_code)
        if pcn is None:
            raise Unroutable(
                f"request {event.request_id}: practice {event.practice_ods_code or '(none)'} is not "
                "in any PCN this service serves (LINKWORK_PRACTICE_PCN_TABLE, LINKWORK_DEFAULT_PCN)"
            )
        now = self._service.clock()
        try:
            referral = self._create(event, referral_id, pcn, now)
        except DomainError as error:
            text = str(error)
            dated = "date_of_birth" in text or "in the future" in text
            raise RequestRefused(
                f"request {event.request_id}: {safe_message(error)}",
                RefusalReason.IMPLAUSIBLE_DATE if dated else RefusalReason.RULE_BROKEN,
            ) from None
        # Two requests racing with one id: the second insert does nothing and records nothing.
        if await session.add_requested(referral, source):
            await self._service.record_changes(session, referral, str(envelope.source), "existing-system")
            await session.audit_as(
                str(envelope.source),
                "existing-system",
                pcn,
                AuditRecord("create-from-event", referral_id=referral.id, referral_pcn=pcn, detail=envelope.id),
            )

    @staticmethod
    def _create(event: ReferralRequestedV1, referral_id: UUID, pcn: str, now: datetime) -> Referral:
        return Referral.create(new_referral_from_request(event, referral_id, pcn, now))


def new_referral_from_request(
    event: ReferralRequestedV1, referral_id: UUID, pcn: str, now: datetime, subject: str | None = None
) -> NewReferral:
    """The referral a request asks for, whether it came as an event or as a FHIR ServiceRequest.

    `subject` is the signed-in referrer (FHIR), so that they can read the referral back; None for events."""
    details, referrer = event.person, event.referrer
    return NewReferral(
        id=referral_id,
        pcn=pcn,
        person=Person(
            given_name=details.given_name,
            family_name=details.family_name,
            nhs_number=details.nhs_number,
            date_of_birth=details.date_of_birth,
            sex=details.sex,
            ethnic_category=details.ethnic_category,
            address_lines=details.address_lines,
            postcode=details.postcode,
            phone=details.phone,
            email=details.email,
            preferred_contact=details.preferred_contact,
            languages=details.languages,
            interpreter_needed=details.interpreter_needed,
            accessibility_needs=details.accessibility_needs,
        ),
        needs=event.needs,
        source=event.source,
        referrer=Referrer(
            referrer.organisation_ods_code if referrer else None,
            subject=subject,
            name=referrer.name if referrer else None,
            role=referrer.role if referrer else None,
        ),
        urgency=event.urgency,
        created_at=now,
        consent_to_refer=event.consent_to_refer,
        consent_recorded_at=event.consent_recorded_at,
        reason=event.reason,
        practice_ods_code=event.practice_ods_code,
        safeguarding_concern=event.safeguarding_concern,
        request_id=event.request_id,
    )


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
