"""The reads behind GET /referrals/{id}/matches and POST /match, with the PCN rule: another PCN's referral
is not found, the same answer as for an id that does not exist, so ids cannot be probed across PCNs."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from linkwork_runtime.principal import Principal

from linkwork_matching.domain.person import Person
from linkwork_matching.service_layer.ports import ReferralReader


class ReferralNotFound(Exception):
    def __init__(self, referral_id: UUID) -> None:
        super().__init__(f"no referral {referral_id} in your PCN")
        self.referral_id = referral_id


async def latest_suggestions(reader: ReferralReader, principal: Principal, referral_id: UUID) -> dict[str, Any]:
    found = await reader.latest_suggestions(referral_id)
    if found is None or found[0] != principal.pcn:
        raise ReferralNotFound(referral_id)
    return found[1]


async def referral_person(reader: ReferralReader, principal: Principal, referral_id: UUID) -> Person:
    """The person of a referral in the caller's PCN, as matching sees them: where /match starts from."""
    referral = await reader.referral(referral_id)
    if referral is None or referral.pcn_code != principal.pcn:
        raise ReferralNotFound(referral_id)
    return reader.person_of(referral)
