"""What matching knows of a person for one referral: needs, circumstances and preferences.

No identifiable data: an age band, an approximate location and a postcode district at most.
"""

from __future__ import annotations

from dataclasses import dataclass

from linkwork_contracts.codes import (
    Accessibility,
    AgeBand,
    ConditionGroup,
    DayOfWeek,
    DeliveryMode,
    NeedCategory,
    PartOfDay,
    Sex,
    TravelMode,
    age_band_bounds,
)

from linkwork_matching.domain.eligibility import Circumstances, PersonPlace, carer_from_needs
from linkwork_matching.domain.service import ENGLISH

Slot = tuple[DayOfWeek, PartOfDay]


@dataclass(frozen=True, slots=True)
class Location:
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class Person:
    """A person to match. Empty collections mean "no restriction stated"."""

    needs: tuple[NeedCategory, ...]
    age_band: AgeBand | None = None
    location: Location | None = None
    postcode_district: str | None = None
    travel_mode: TravelMode | None = None
    max_travel_minutes: int | None = None
    # Acceptable delivery modes; empty means any.
    delivery_modes: frozenset[DeliveryMode] = frozenset()
    accessibility_needs: frozenset[Accessibility] = frozenset()
    languages: frozenset[str] = frozenset({ENGLISH})
    interpreter_needed: bool = False
    interests: tuple[str, ...] = ()
    availability: frozenset[Slot] = frozenset()
    max_cost_pence: int | None = None
    accepts_waiting_list: bool = True
    # For providers' eligibility rules (issue 21); None: not recorded.
    lsoa: str | None = None
    local_authority: str | None = None
    sex: Sex | None = None
    carer: bool | None = None
    veteran: bool | None = None
    condition_groups: frozenset[ConditionGroup] | None = None
    known_to: frozenset[str] = frozenset()

    @property
    def place(self) -> PersonPlace:
        location = self.location
        return PersonPlace(
            postcode_district=self.postcode_district,
            local_authority=self.local_authority,
            lsoa=self.lsoa,
            latitude=None if location is None else location.latitude,
            longitude=None if location is None else location.longitude,
        )

    @property
    def circumstances(self) -> Circumstances:
        return Circumstances(
            sex=self.sex,
            carer=self.carer if self.carer is not None else carer_from_needs(self.needs),
            veteran=self.veteran,
            condition_groups=self.condition_groups,
            known_to=self.known_to,
        )

    def accepts_mode(self, mode: DeliveryMode) -> bool:
        return not self.delivery_modes or mode in self.delivery_modes

    @property
    def age_range(self) -> tuple[int, int]:
        """Inclusive lowest and highest age the person may be; unknown is any adult age."""
        if self.age_band is None:
            return 18, 130
        low, high = age_band_bounds(self.age_band)
        return low, 130 if high is None else high

    @property
    def usable_languages(self) -> frozenset[str]:
        """Languages a session can be in for this person.

        Someone who needs an interpreter is not served by English even when they list it.
        """
        if self.interpreter_needed:
            # An interpreter need with only English listed says nothing usable: keep English.
            return (self.languages - {ENGLISH}) or self.languages
        return self.languages
