"""The sums a report is built from (plain data, already restricted to one period and scope), and the districts
each area serves, whose gap counts its reports show."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from linkwork_outcomes.domain.contribution import ALL
from linkwork_outcomes.domain.facts import ReferralFacts, ServiceLabel
from linkwork_outcomes.domain.statistics import ChangeSums


def areas_of(facts: Iterable[ReferralFacts]) -> set[tuple[str, str, str]]:
    """(pcn, practice or '*', district) for every version of every referral that names a district."""
    areas = set()
    for referral in facts:
        for version in referral.versions:
            if version.postcode_district:
                areas.add((version.pcn, ALL, version.postcode_district))
                if version.practice:
                    areas.add((version.pcn, version.practice, version.postcode_district))
    return areas


@dataclass(frozen=True, slots=True)
class GapCounts:
    with_need: int
    unmet: int


@dataclass(frozen=True)
class Aggregates:
    """Additive sums for one period and scope."""

    tally: Mapping[tuple[str, str, str], int] = field(default_factory=dict)
    outcomes: Mapping[str, ChangeSums] = field(default_factory=dict)
    gaps: Mapping[tuple[str, str], GapCounts] = field(default_factory=dict)
    services: Mapping[str, ServiceLabel] = field(default_factory=dict)

    def count(self, section: str, key: str = "", subkey: str = "") -> int:
        return self.tally.get((section, key, subkey), 0)

    @cached_property
    def _by_section(self) -> dict[str, dict[str, dict[str, int]]]:
        # One pass over the cells instead of one per section: national reports hold thousands.
        index: dict[str, dict[str, dict[str, int]]] = {}
        for (section, key, subkey), n in self.tally.items():
            if n:
                index.setdefault(section, {}).setdefault(key, {})[subkey] = n
        return index

    def section(self, section: str, key: str | None = None) -> dict[str, int]:
        """{key: count} of a section, or {subkey: count} under one key."""
        keys = self._by_section.get(section, {})
        if key is None:
            return {k: sum(subkeys.values()) for k, subkeys in keys.items()}
        return dict(keys.get(key, {}))

    def histogram(self, section: str) -> dict[int, int]:
        return {int(key): n for key, n in self.section(section).items()}
