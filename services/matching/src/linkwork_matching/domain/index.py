"""The in-memory index of every active service: offers partitioned by need, text, effectiveness.

Services arrive one snapshot at a time (the read model replaying `service-changed`). A changed
service gets a fresh ordinal and its old rows are marked dead; when dead ordinals outnumber live
ones the whole index is rebuilt from the live services, so memory stays proportional to the
directory while an update costs microseconds.
"""

from __future__ import annotations

import hashlib

import numpy as np
import numpy.typing as npt
from linkwork_contracts.codes import ConditionGroup, EligibilityCode, NeedCategory

from linkwork_matching.domain.columns import Columns
from linkwork_matching.domain.constraints import NO_MAXIMUM_AGE, NO_MINIMUM_AGE
from linkwork_matching.domain.criteria import Criteria
from linkwork_matching.domain.eligibility import Area, Verdict, restriction
from linkwork_matching.domain.encoding import (
    LanguageBits,
    access_mask,
    mode_mask,
    need_mask,
    session_slots,
)
from linkwork_matching.domain.offer import offers_of
from linkwork_matching.domain.partition import (
    CAPACITY_CODES,
    NO_RULES,
    REMOTE,
    UNKNOWN_WAIT,
    WAIT_COLUMN_MAX,
    Hits,
    NeedPartition,
)
from linkwork_matching.domain.scoring import Weights
from linkwork_matching.domain.service import Service
from linkwork_matching.domain.text import TextIndex

TIE_BITS = 40
# A service's providers' rules: areas, eligibility codes, condition groups, and its own id when the
# rules depend on it (known-to-service), else "".
Rules = tuple[tuple[Area, ...], frozenset[EligibilityCode], frozenset[ConditionGroup], str]
MIN_DEAD_BEFORE_REBUILD = 1024


def tie_breaker(service_id: str) -> int:
    """A stable pseudo-random number per service: equal scores order the same in every rebuild."""
    digest = hashlib.blake2b(service_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") & ((1 << TIE_BITS) - 1)


def text_of(service: Service) -> str:
    return f"{service.name}\n{service.description}"


class ServiceIndex:
    def __init__(self) -> None:
        self._reset()
        self._effects: dict[tuple[str, NeedCategory], float] = {}
        # Latest version seen of every service, withdrawn ones included, so that a stale
        # snapshot arriving late cannot bring a withdrawn service back.
        self._versions: dict[str, int] = {}

    def _reset(self) -> None:
        self._ordinal_of: dict[str, int] = {}
        self._services: list[Service | None] = []
        self._ties = Columns({"tie": np.int64})
        self._text = TextIndex()
        self._languages = LanguageBits()
        self.partitions = {need: NeedPartition() for need in NeedCategory}
        # Distinct sets of providers' rules: many services share "Leeds residents only".
        self._rule_ids: dict[Rules, int] = {}
        self._rules: list[Rules] = []

    def __len__(self) -> int:
        return len(self._ordinal_of)

    def get(self, service_id: str) -> Service | None:
        ordinal = self._ordinal_of.get(service_id)
        return None if ordinal is None else self._services[ordinal]

    def service_at(self, ordinal: int) -> Service:
        service = self._services[ordinal]
        if service is None:
            raise KeyError(f"ordinal {ordinal} belongs to a replaced service")
        return service

    def services(self) -> list[Service]:
        return [s for s in self._services if s is not None]

    def upsert(self, service: Service) -> bool:
        """Apply a snapshot; False when an older snapshot than the one held is ignored."""
        if self._versions.get(service.service_id, service.version) > service.version:
            return False
        self._versions[service.service_id] = service.version
        self.remove(service.service_id)
        if service.is_active:
            self._add(service)
        if len(self._services) - len(self) > max(MIN_DEAD_BEFORE_REBUILD, len(self)):
            self._rebuild()
        return True

    def remove(self, service_id: str) -> None:
        ordinal = self._ordinal_of.pop(service_id, None)
        if ordinal is None:
            return
        service = self.service_at(ordinal)
        self._services[ordinal] = None
        self._text.remove(text_of(service))
        for need in service.needs:
            partition = self.partitions[need]
            rows = np.flatnonzero(partition.rows["ordinal"] == ordinal)
            partition.rows["alive"][rows] = False
            partition.live -= len(rows)

    def set_effect(self, service_id: str, need: NeedCategory, effect: float) -> None:
        self._effects[(service_id, need)] = effect
        ordinal = self._ordinal_of.get(service_id)
        if ordinal is not None and need in self.partitions:
            rows = self.partitions[need].rows
            rows["effect"][rows["ordinal"] == ordinal] = effect

    def effect(self, service_id: str, need: NeedCategory) -> float:
        return self._effects.get((service_id, need), 0.0)

    def _add(self, service: Service) -> None:
        ordinal = len(self._services)
        self._services.append(service)
        self._ordinal_of[service.service_id] = ordinal
        self._ties.append(tie=tie_breaker(service.service_id))
        self._text.add(ordinal, text_of(service))
        languages = self._languages.assign(service.spoken_languages)
        needs = need_mask(service.needs)
        rules = self._rules_id(service)
        offers = offers_of(service)
        for need in service.needs:
            partition = self.partitions[need]
            effect = self.effect(service.service_id, need)
            for offer in offers:
                venue = offer.venue
                partition.rows.append(
                    ordinal=ordinal,
                    venue=REMOTE if venue is None else service.venues.index(venue),
                    alive=True,
                    latitude=np.nan if venue is None else venue.latitude,
                    longitude=np.nan if venue is None else venue.longitude,
                    modes=mode_mask(offer.modes),
                    min_age=NO_MINIMUM_AGE if service.minimum_age is None else service.minimum_age,
                    max_age=NO_MAXIMUM_AGE if service.maximum_age is None else service.maximum_age,
                    access=access_mask(offer.accessibility),
                    languages=languages,
                    capacity=CAPACITY_CODES[service.capacity],
                    wait=UNKNOWN_WAIT if service.wait_weeks is None else min(service.wait_weeks, WAIT_COLUMN_MAX),
                    cost=service.cost.per_session_pence,
                    slots=session_slots(offer.sessions),
                    needs=needs,
                    effect=effect,
                    rules=rules,
                )
                partition.live += 1

    def _rules_id(self, service: Service) -> int:
        if not service.restricted:
            return NO_RULES
        # Known-to-service is about this one service, so it makes the rules the service's own.
        own = service.service_id if EligibilityCode.KNOWN_TO_SERVICE in service.eligibility else ""
        key = (service.areas, service.eligibility, service.condition_groups, own)
        found = self._rule_ids.get(key)
        if found is None:
            found = self._rule_ids[key] = len(self._rules)
            self._rules.append(key)
        return found

    def _rebuild(self) -> None:
        live = sorted(self.services(), key=lambda s: s.service_id)
        self._reset()
        for service in live:
            self._add(service)

    def search(
        self, criteria: Criteria, need: NeedCategory, text: npt.NDArray[np.float64] | None, weights: Weights
    ) -> Hits:
        person = criteria.person
        usable = person.usable_languages
        place, who = person.place, person.circumstances

        def admits(rules_id: int) -> Verdict:
            areas, codes, groups, own = self._rules[rules_id]
            barred = restriction(areas, codes, groups, own, place, who)
            return Verdict.INSIDE if barred is None else barred.verdict

        return self.partitions[need].select(
            criteria, text, weights, lambda ordinal: bool(usable & self.service_at(ordinal).spoken_languages), admits
        )

    def text_scores(self, criteria: Criteria) -> npt.NDArray[np.float64] | None:
        return self._text.scores(list(criteria.query_terms))

    def ties(self, ordinals: npt.NDArray[np.int32]) -> npt.NDArray[np.int64]:
        ties: npt.NDArray[np.int64] = self._ties["tie"][ordinals]
        return ties

    @property
    def languages(self) -> LanguageBits:
        return self._languages

    @property
    def nbytes(self) -> int:
        """Bytes held in numpy arrays (the snapshots themselves are counted by the benchmark)."""
        return self._ties.nbytes + self._text.nbytes + sum(p.rows.nbytes for p in self.partitions.values())
