"""referral-requested: the inbound referral from an existing system. Identifiable by design.

GP system integration engines and self-referral forms publish this; only the referral service
consumes it. Person details here never travel further: the referral service stores them and
publishes pseudonymous events instead.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, ClassVar, Literal, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from linkwork_contracts import topics
from linkwork_contracts.codes import (
    MAX_PLAUSIBLE_AGE,
    ContactMethod,
    EthnicCategory,
    ReferralSource,
    Sex,
    Urgency,
)
from linkwork_contracts.events.base import Event
from linkwork_contracts.events.person import AccessibilityNeeds, Languages, Needs
from linkwork_contracts.geography import Postcode
from linkwork_contracts.identifiers import OdsCode, PracticeOdsCode, RequestId
from linkwork_contracts.nhs_number import is_valid_nhs_number


def _strip_spaces(value: object) -> object:
    return value.replace(" ", "") if isinstance(value, str) else value


def _check_nhs_number(value: str) -> str:
    if not is_valid_nhs_number(value):
        raise ValueError("NHS number check digit is wrong (modulus 11 check failed)")
    return value


NhsNumber = Annotated[
    str,
    BeforeValidator(_strip_spaces),
    Field(pattern=r"^[0-9]{10}$", description="10 digits; the last is a modulus 11 check digit"),
    AfterValidator(_check_nhs_number),
]
PersonName = Annotated[str, Field(min_length=1, max_length=100)]
Phone = Annotated[str, Field(pattern=r"^\+?[0-9][0-9 ()-]{6,19}$")]
Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]


class Referrer(BaseModel):
    """The professional making the referral (absent for a self-referral)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: PersonName
    role: str = Field(min_length=1, max_length=100, description="e.g. GP, practice nurse")
    organisation_ods_code: OdsCode | None = None
    organisation_name: str | None = Field(default=None, max_length=200)
    phone: Phone | None = None
    email: Email | None = None


class PersonDetails(BaseModel):
    """The person being referred, as the referrer knows them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    nhs_number: NhsNumber | None = Field(default=None, description="Absent only when a self-referrer does not know it")
    given_name: PersonName
    family_name: PersonName
    date_of_birth: date
    sex: Sex
    ethnic_category: EthnicCategory = EthnicCategory.NOT_KNOWN
    address_lines: tuple[Annotated[str, Field(min_length=1, max_length=100)], ...] = Field(default=(), max_length=4)
    postcode: Postcode | None = None
    phone: Phone | None = None
    email: Email | None = None
    preferred_contact: ContactMethod | None = None
    languages: Languages = ("en",)
    interpreter_needed: bool = False
    accessibility_needs: AccessibilityNeeds = ()

    @model_validator(mode="after")
    def _plausible_and_reachable(self) -> Self:
        today = datetime.now(UTC).date()
        if self.date_of_birth > today:
            raise ValueError("date_of_birth is in the future")  # the value stays out of errors and logs
        if today.year - self.date_of_birth.year > MAX_PLAUSIBLE_AGE:
            raise ValueError(f"date_of_birth gives an implausible age (over {MAX_PLAUSIBLE_AGE})")
        if not (self.phone or self.email or (self.address_lines and self.postcode)):
            raise ValueError(
                "a link worker must be able to reach the person: give a phone, an email, "
                "or address_lines with a postcode"
            )
        return self


class ReferralRequestedV1(Event):
    """A request to refer someone to social prescribing, sent by an existing system."""

    TYPE: ClassVar[str] = "uk.linkwork.referral.requested.v1"
    TOPIC: ClassVar[str] = topics.REFERRAL_REQUESTED
    KEY_FIELD: ClassVar[str] = "request_id"
    IDENTIFIABLE: ClassVar[bool] = True

    request_id: RequestId
    requested_at: AwareDatetime
    source: ReferralSource
    urgency: Urgency = Urgency.ROUTINE
    referrer: Referrer | None = Field(description="None only for a self-referral")
    practice_ods_code: PracticeOdsCode | None = Field(
        default=None, description="The GP practice the person is registered with"
    )
    person: PersonDetails
    needs: Needs
    reason: str | None = Field(default=None, max_length=2000, description="Why, in free text")
    consent_to_refer: Literal[True] = Field(
        description="The person agreed to be referred; a referral without consent is refused"
    )
    consent_recorded_at: AwareDatetime
    safeguarding_concern: bool = False

    @model_validator(mode="after")
    def _referrer_matches_source(self) -> Self:
        is_self = self.source is ReferralSource.SELF_REFERRAL
        if self.referrer is None and not is_self:
            raise ValueError(f"referrer is required when source is {self.source.value}")
        if is_self and self.person.nhs_number is None and self.practice_ods_code is None:
            # Without either, the referral service cannot find the person's PCN.
            raise ValueError("a self-referral needs an nhs_number or a practice_ods_code")
        return self
