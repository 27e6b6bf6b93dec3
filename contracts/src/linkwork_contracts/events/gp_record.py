"""gp-record-update: the "message back to the GP" of the PRSB Social Prescribing Information Standard.

Identifiable by necessity (the GP system files it against the patient by NHS number), so it travels on a
restricted topic that only the GP integration user may read. One event per state change of a referral
that the GP record should show: accepted, rejected, closed. Which SNOMED CT concepts each carries is
decided by `codes.gp_record_concepts` and documented in the contracts README ("Integrating a GP system").
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, Field

from linkwork_contracts import topics
from linkwork_contracts.codes import ClosureReason, ReferralSource, ReferralStatus, SnomedConcept
from linkwork_contracts.events.base import UNIQUE, Event, no_duplicates
from linkwork_contracts.events.referral_requested import NhsNumber
from linkwork_contracts.identifiers import PcnCode, PracticeOdsCode, RequestId


class GpRecordChange(StrEnum):
    """The state change a GP record update reports."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    CLOSED = "closed"


class GpRecordUpdateV1(Event):
    """Write this to the person's GP record: what happened to their social prescribing referral."""

    TYPE: ClassVar[str] = "uk.linkwork.gp.record-update.v1"
    TOPIC: ClassVar[str] = topics.GP_RECORD_UPDATE
    KEY_FIELD: ClassVar[str] = "referral_id"
    IDENTIFIABLE: ClassVar[bool] = True

    update_id: UUID = Field(
        description="Stable per referral and change: the same change always has the same update_id, so an "
        "integration engine writes each entry once"
    )
    referral_id: UUID
    change: GpRecordChange
    request_id: RequestId | None = Field(description="The sender's request id; None when made in linkwork")
    nhs_number: NhsNumber
    practice_ods_code: PracticeOdsCode = Field(description="The GP practice whose record this is for")
    pcn_code: PcnCode
    referral_source: ReferralSource
    status: ReferralStatus = Field(description="The referral's Gravity status after the change")
    closure_reason: ClosureReason | None = Field(default=None, description="Set when change is closed")
    snomed_codes: Annotated[
        tuple[SnomedConcept, ...],
        Field(json_schema_extra=UNIQUE, description="SNOMED CT concepts to enter in the record; may be empty"),
        AfterValidator(no_duplicates),
    ] = ()
    effective_date: date = Field(description="The date of the change, as the record entry's date (UK time)")
    recorded_at: AwareDatetime
    summary: str = Field(
        min_length=1, max_length=500, description="A short free-text line for the record; no notes or needs"
    )


def gp_record_concepts(change: GpRecordChange, reason: ClosureReason | None = None) -> tuple[SnomedConcept, ...]:
    """The SNOMED CT concepts a GP record update carries (the README's "which codes when" table).

    - accepted: 871731000000106 |Referral to social prescribing service|: the episode begins. Sent once per
      episode, at acceptance, because the GP payment indicator counts it once per episode (first interaction);
    - rejected: 871711000000103 |Social prescribing declined|: the referral did not become an episode;
    - closed as `declined`: 871711000000103; closed for any other reason: no code (the referral code was sent
      at acceptance and must not be counted twice); the summary says how the episode ended.
    Only concepts confirmed against the UK edition are used (contracts/reference/snomed-gp-writeback.csv).
    """
    if change is GpRecordChange.ACCEPTED:
        return (SnomedConcept.REFERRAL_TO_SOCIAL_PRESCRIBING,)
    if change is GpRecordChange.REJECTED or reason is ClosureReason.DECLINED:
        return (SnomedConcept.SOCIAL_PRESCRIBING_DECLINED,)
    return ()
