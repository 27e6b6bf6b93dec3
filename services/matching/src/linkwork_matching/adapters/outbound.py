"""Domain results into contract events: a suggestion set, a gap in provision."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from linkwork_contracts.codes import DeliveryMode
from linkwork_contracts.events import (
    EligibilityCheck,
    MatchesSuggestedV1,
    NeedSuggestions,
    ProvisionGapV1,
    ReferralCreatedV1,
    SuggestedOption,
)

from linkwork_matching.domain.gaps import GapTally
from linkwork_matching.domain.person import Person
from linkwork_matching.domain.ranker import Option, Suggestions

MAX_REASONS = 10  # the contract's limit per option
MAX_REASON_LENGTH = 200


def delivery_mode(person: Person, option: Option) -> DeliveryMode:
    if option.venue is not None:
        return DeliveryMode.IN_PERSON
    offered = option.service.remote_modes
    for mode in (DeliveryMode.ONLINE, DeliveryMode.TELEPHONE):
        if mode in offered and person.accepts_mode(mode):
            return mode
    raise ValueError(f"option {option.service.service_id} has no delivery mode the person accepts")


MAX_CHECKS = 10  # the contract's bound per need


def _clip(text: str) -> str:
    return text if len(text) <= MAX_REASON_LENGTH else text[: MAX_REASON_LENGTH - 1] + "…"


def suggested_option(person: Person, option: Option, rank: int) -> SuggestedOption:
    return SuggestedOption(
        service_id=UUID(option.service.service_id),
        service_name=option.service.name,
        rank=rank,
        # Scores are at most 1 by construction; caveat penalties can take a poor one below 0.
        score=min(1.0, max(0.0, option.score)),
        distance_km=option.distance_km,
        delivery_mode=delivery_mode(person, option),
        reasons=tuple(_clip(reason.text) for reason in option.reasons[:MAX_REASONS]),
    )


def matches_suggested(
    referral: ReferralCreatedV1,
    person: Person,
    suggestions: Suggestions,
    *,
    suggested_at: datetime,
    ranker_version: str,
) -> MatchesSuggestedV1:
    return MatchesSuggestedV1(
        referral_id=referral.referral_id,
        referral_version=referral.version,
        person_ref=referral.person.person_ref,
        suggested_at=suggested_at,
        ranker_version=ranker_version,
        needs=tuple(
            NeedSuggestions(
                need=n.need,
                options=tuple(suggested_option(person, option, rank) for rank, option in enumerate(n.options, 1)),
                check_eligibility=tuple(
                    EligibilityCheck(
                        service_id=UUID(c.service.service_id), service_name=c.service.name, reason=_clip(c.reason)
                    )
                    for c in n.check_eligibility[:MAX_CHECKS]
                ),
            )
            for n in suggestions.needs
        ),
    )


EXCLUDED_BY_MAX = 300


def provision_gap(tally: GapTally, now: datetime) -> ProvisionGapV1:
    # A window must have length: a report in the same microsecond as its first referral gets one.
    end = max(now, tally.window_start + timedelta(microseconds=1))
    return ProvisionGapV1(
        need=tally.need,
        postcode_district=tally.postcode_district,
        window_start=tally.window_start,
        window_end=end,
        referrals_with_need=tally.with_need,
        referrals_unmet=tally.unmet,
        nearest_option_km=tally.nearest_km,
        detected_at=now,
        excluded_by=tally.excluded_by and tally.excluded_by[:EXCLUDED_BY_MAX],
    )
