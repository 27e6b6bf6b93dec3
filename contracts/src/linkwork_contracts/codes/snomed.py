"""SNOMED CT concepts written back to the GP record (UK edition).

Source: `standards/social-prescribing.md`, "SNOMED CT codes written back to the GP record".
"Social prescribing offered" (commonly given as 871691000000100) is deliberately absent: the
standards file says to confirm it against the UK edition first, and a wrong code in a GP record
is worse than a missing one. Add it here once confirmed.
"""

from __future__ import annotations

from enum import StrEnum

from linkwork_contracts.codes.referral import ClosureReason


class SnomedConcept(StrEnum):
    REFERRAL_TO_SOCIAL_PRESCRIBING = "871731000000106"
    SOCIAL_PRESCRIBING_DECLINED = "871711000000103"


SNOMED_DISPLAY: dict[SnomedConcept, str] = {
    SnomedConcept.REFERRAL_TO_SOCIAL_PRESCRIBING: "Referral to social prescribing service",
    SnomedConcept.SOCIAL_PRESCRIBING_DECLINED: "Social prescribing declined",
}


def writeback_concepts(reason: ClosureReason) -> tuple[SnomedConcept, ...]:
    """The concepts to write to the GP record for an episode that closed for `reason`.

    The referral code is written once per episode: it drives the GP payment indicator, which
    counts episodes, not contacts. A person who declined also gets the declined code.
    """
    if reason is ClosureReason.DECLINED:
        return (
            SnomedConcept.REFERRAL_TO_SOCIAL_PRESCRIBING,
            SnomedConcept.SOCIAL_PRESCRIBING_DECLINED,
        )
    return (SnomedConcept.REFERRAL_TO_SOCIAL_PRESCRIBING,)
