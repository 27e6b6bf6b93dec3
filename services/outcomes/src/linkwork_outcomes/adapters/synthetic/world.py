"""The invented places and services a synthetic history happens in, and its ground truth records.

Nothing here is real: PCN and practice codes, postcode districts and services are made up in the
shapes the contracts require. The ground truth (`TrueReferral`, `TrueGap`) is what actually
happened in the story; tests compute expected report figures from it without going through the
service's own code.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from linkwork_contracts.codes import NeedCategory

DISTRICTS = ("LS1", "LS2", "LS4", "LS6", "LS7", "LS8", "LS9", "LS11", "LS12", "LS13", "LS15", "LS16")


@dataclass(frozen=True, slots=True)
class Place:
    pcn: str
    practices: tuple[str, ...]
    districts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Service:
    service_id: UUID
    name: str
    provider_id: UUID
    provider_name: str
    needs: tuple[NeedCategory, ...]
    revision: int = 1
    active: bool = True
    last_verified_on: date | None = None


@dataclass(frozen=True, slots=True)
class TrueMeasure:
    score: str  # an OUTCOME_SCORES key
    timepoint: str
    recorded_at: datetime
    value: float


@dataclass
class TrueReferral:
    """What happened to one referral, in plain terms."""

    referral_id: str
    person_ref: str
    created_at: datetime
    pcn: str
    practice: str | None
    source: str
    needs: tuple[str, ...]  # the latest version's
    age_band: str
    sex: str
    ethnic_category: str
    imd_decile: int | None
    district: str
    first_contact_at: datetime | None = None
    contacts_made: int = 0  # contacts recorded with outcome contact-made
    plan: tuple[str, ...] | None = None  # service ids of the final plan version
    followed_up: bool = False  # a follow-up or review contact was made after the plan
    attended: set[str] = field(default_factory=set)  # final-plan services attending or completed
    closure_status: str | None = None
    closure_reason: str | None = None
    measures: list[TrueMeasure] = field(default_factory=list)

    @property
    def entered_in_error(self) -> bool:
        return self.closure_status == "entered-in-error"


@dataclass(frozen=True, slots=True)
class TrueGap:
    need: str
    district: str
    window_start: datetime
    window_end: datetime
    with_need: int
    unmet: int


def places(pcns: int, practices_per_pcn: int, rng: random.Random) -> list[Place]:
    result = []
    for index in range(pcns):
        practices = tuple(f"{chr(ord('B') + index % 20)}{86001 + index * 10 + p:05d}" for p in range(practices_per_pcn))
        districts = tuple(rng.sample(DISTRICTS, k=min(4, len(DISTRICTS))))
        result.append(Place(f"U{10001 + index:05d}", practices, districts))
    return result


def services(count: int, rng: random.Random) -> list[Service]:
    needs = list(NeedCategory)
    providers = [(UUID(int=rng.getrandbits(128), version=4), f"Provider {i + 1}") for i in range(max(1, count // 3))]
    result = []
    for index in range(count):
        provider_id, provider_name = providers[index % len(providers)]
        offered = tuple(rng.sample(needs, k=rng.choice((1, 1, 2))))
        if index < len(needs):
            offered = (needs[index],)  # every need has at least one service
        verified = None if rng.random() < 0.15 else date.fromordinal(date(2023, 1, 1).toordinal() + rng.randrange(900))
        result.append(
            Service(
                UUID(int=rng.getrandbits(128), version=4),
                f"Activity {index + 1}",
                provider_id,
                provider_name,
                offered,
                revision=rng.choice((1, 1, 2)),
                active=rng.random() > 0.1,
                last_verified_on=verified,
            )
        )
    return result
