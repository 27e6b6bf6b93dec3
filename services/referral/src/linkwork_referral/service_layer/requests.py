"""Referrals that existing systems ask for: each request id of each sending system makes one referral.

The referral's id is derived from the sending system (the CloudEvents source, or a FHIR client's token
subject) and its request id, and the referrals table holds both under a unique constraint, so a redelivered
or resent request finds its referral and does nothing, while another system's request with the same id makes
its own referral.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from linkwork_contracts.codes import RefusalReason
from linkwork_contracts.events import ReferralRequestedV1
from linkwork_runtime.messaging.redaction import safe_message

from linkwork_referral.domain.audit import AuditRecord
from linkwork_referral.domain.errors import DomainError
from linkwork_referral.domain.person import Person
from linkwork_referral.domain.referral import NewReferral, Referral, Referrer
from linkwork_referral.service_layer.errors import RequestRefused, Unroutable
from linkwork_referral.service_layer.ports import ReferralSession
from linkwork_referral.service_layer.referrals import ReferralService
from linkwork_referral.service_layer.routing import PracticeDirectory


def referral_id_for(request_id: str, source: str) -> UUID:
    """The referral made from request `request_id` of the sending system `source` (its CloudEvents source):
    request ids are unique per sending system only."""
    return uuid5(NAMESPACE_URL, f"urn:linkwork:referral-request:{source}:{request_id}")


@dataclass
class CreateFromRequest:
    """Make the referral a request asks for, once per request id of each sending system (`source`, its
    CloudEvents source), with its timeline, outbox events and audit record, in `session`'s transaction."""

    service: ReferralService
    practices: PracticeDirectory

    async def __call__(
        self, request: ReferralRequestedV1, source: str, event_id: str, session: ReferralSession
    ) -> None:
        """Raises `Unroutable` when no PCN serves the request's practice and `RequestRefused` when the referral's
        rules refuse it: both permanent, so the request is refused rather than retried."""
        referral_id = referral_id_for(request.request_id, source)
        if await session.request_known(source, request.request_id):
            return
        pcn = self.practices.pcn_for(request.practice_ods_code)
        if pcn is None:
            raise Unroutable(
                f"request {request.request_id}: practice {request.practice_ods_code or '(none)'} is not "
                "in any PCN this service serves (LINKWORK_PRACTICE_PCN_TABLE, LINKWORK_DEFAULT_PCN)"
            )
        now = self.service.clock()
        try:
            referral = Referral.create(new_referral_from_request(request, referral_id, pcn, now))
        except DomainError as error:
            text = str(error)
            dated = "date_of_birth" in text or "in the future" in text
            raise RequestRefused(
                f"request {request.request_id}: {safe_message(error)}",
                RefusalReason.IMPLAUSIBLE_DATE if dated else RefusalReason.RULE_BROKEN,
            ) from None
        # Two requests racing with one id: the second insert does nothing and records nothing.
        if await session.add_requested(referral, source):
            await self.service.record_changes(session, referral, source, "existing-system")
            await session.audit_as(
                source,
                "existing-system",
                pcn,
                AuditRecord("create-from-event", referral_id=referral.id, referral_pcn=pcn, detail=event_id),
            )


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
