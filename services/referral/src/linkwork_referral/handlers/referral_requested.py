"""referral-requested: existing systems send referrals in; each request id makes one referral.

The referral's id is derived from the sending system (the CloudEvents source) and its request id, and the
referrals table holds both under a unique constraint, so a redelivered or resent request finds its referral
and does nothing, while another system's request with the same id makes its own referral.
A request that fails its schema never reaches this handler (the runner dead-letters it); one the
workflow refuses (no PCN for its practice, an implausible date) fails here and, after the
runner's bounded retries, is dead-lettered with the reason.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

import asyncpg
from linkwork_contracts.envelope import CloudEvent
from linkwork_contracts.events import ReferralRequestedV1

from linkwork_referral.adapters import audit
from linkwork_referral.adapters.audit import AuditRecord
from linkwork_referral.adapters.reference_tables import PracticeDirectory
from linkwork_referral.domain.person import Person
from linkwork_referral.domain.referral import NewReferral, Referral, Referrer
from linkwork_referral.service_layer.errors import Unroutable
from linkwork_referral.service_layer.referrals import ReferralService


def referral_id_for(request_id: str, source: str) -> UUID:
    """The referral made from request `request_id` of the sending system `source` (its CloudEvents source):
    request ids are unique per sending system only."""
    return uuid5(NAMESPACE_URL, f"urn:linkwork:referral-request:{source}:{request_id}")


class ReferralRequestedHandler:
    def __init__(self, service: ReferralService, practices: PracticeDirectory) -> None:
        self._service, self._practices = service, practices

    async def __call__(self, event: ReferralRequestedV1, envelope: CloudEvent, connection: asyncpg.Connection) -> None:
        source = str(envelope.source)
        referral_id = referral_id_for(event.request_id, source)
        known = "SELECT true FROM referrals WHERE request_source = $1 AND request_id = $2"
        if await connection.fetchval(known, source, event.request_id):
            return
        pcn = self._practices.pcn_for(event.practice_ods_code)
        if pcn is None:
            raise Unroutable(
                f"request {event.request_id}: practice {event.practice_ods_code or '(none)'} is not "
                "in any PCN this service serves (LINKWORK_PRACTICE_PCN_TABLE, LINKWORK_DEFAULT_PCN)"
            )
        details, referrer = event.person, event.referrer
        now = self._service.clock()
        referral = Referral.create(
            NewReferral(
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
        )
        repository = self._service.repository(connection)
        # Two requests racing with one id: the second insert does nothing and records nothing.
        if await repository.add(referral, self._service.mapper.person_ref(referral), source):
            await self._service.record_changes(connection, referral, str(envelope.source), "existing-system")
            await audit.record_as(
                connection,
                str(envelope.source),
                "existing-system",
                pcn,
                AuditRecord("create-from-event", referral_id=referral.id, referral_pcn=pcn, detail=envelope.id),
            )
