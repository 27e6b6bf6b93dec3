"""Ranks services for a person: per need the best few options, every need covered before any
need gets a second option, each option with its score, distance and reasons."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
from linkwork_contracts.codes import NeedCategory

from linkwork_matching.domain.constraints import who_for
from linkwork_matching.domain.coverage import interleave
from linkwork_matching.domain.criteria import Filters, compile_criteria
from linkwork_matching.domain.effectiveness import EffectPrior, OutcomeTally, estimate
from linkwork_matching.domain.geo import TravelPolicy
from linkwork_matching.domain.index import TIE_BITS, ServiceIndex
from linkwork_matching.domain.offer import Offer
from linkwork_matching.domain.partition import REMOTE, Hits
from linkwork_matching.domain.person import Person
from linkwork_matching.domain.reasons import Reason, explain, need_words
from linkwork_matching.domain.scoring import Weights
from linkwork_matching.domain.service import Service, Venue

# Scores are compared at a millionth: finer differences are float noise, and ties then fall to
# the per-service tie breaker so every rebuild of the index orders them the same way.
SCORE_QUANTUM = 1e-6
SCORE_OFFSET = 4.0
GAP_REASON_SAMPLE = 50  # keeps quantised scores positive (scores are well above -4)


@dataclass(frozen=True, slots=True)
class Option:
    service: Service
    venue: Venue | None
    need: NeedCategory
    also_meets: tuple[NeedCategory, ...]
    score: float
    distance_km: float | None
    reasons: tuple[Reason, ...] = ()

    @property
    def key(self) -> tuple[NeedCategory, str]:
        return self.need, self.service.service_id

    @property
    def summary(self) -> str:
        """One line a link worker can read out: the name, then the reasons."""
        return ", ".join([self.service.name, *(reason.text for reason in self.reasons)])


@dataclass(frozen=True, slots=True)
class ToCheck:
    """A service within reach that may be for the person, if the link worker confirms it."""

    service: Service
    need: NeedCategory
    reason: str  # "for Leeds residents only: check eligibility (where the person lives is not recorded)"


@dataclass(frozen=True, slots=True)
class NeedOptions:
    need: NeedCategory
    options: tuple[Option, ...]
    eligible_services: int  # distinct services passing every hard constraint for this need
    nearest_beyond_reach_km: float | None = None  # for a gap: the nearest venue out of reach
    # Within reach but kept from the person by the provider's own rules (issue 21).
    barred_services: int = 0
    check_eligibility: tuple[ToCheck, ...] = ()
    # For a gap: which rule excluded the candidates near enough ("3 housing services ...").
    gap_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Suggestions:
    needs: tuple[NeedOptions, ...]
    ranked: tuple[Option, ...]  # every need covered before a second option for any one

    @property
    def gaps(self) -> tuple[NeedCategory, ...]:
        """Needs with nothing eligible within reach."""
        return tuple(n.need for n in self.needs if n.eligible_services == 0)


def quantised(scores: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    result: npt.NDArray[np.int64] = np.rint((scores + SCORE_OFFSET) / SCORE_QUANTUM).astype(np.int64)
    return result


def best_distinct(hits: Hits, ties: npt.NDArray[np.int64], k: int) -> list[int]:
    """Positions in `hits` of the best offer of each of the `k` best services, best first."""
    keys = (quantised(hits.scores) << TIE_BITS) | ties
    take = min(len(keys), 4 * k)
    while True:
        top = np.argpartition(-keys, take - 1)[:take] if take else np.empty(0, dtype=np.intp)
        top = top[np.argsort(-keys[top])]
        chosen: list[int] = []
        seen: set[int] = set()
        for position in top.tolist():
            ordinal = int(hits.ordinals[position])
            if ordinal not in seen:
                seen.add(ordinal)
                chosen.append(position)
                if len(chosen) == k:
                    return chosen
        if take == len(keys):
            return chosen
        take = min(len(keys), take * 4)


class Ranker:
    def __init__(
        self,
        index: ServiceIndex,
        *,
        weights: Weights | None = None,
        travel: TravelPolicy | None = None,
        prior: EffectPrior | None = None,
    ) -> None:
        self.index = index
        self.weights = weights or Weights()
        self.travel = travel or TravelPolicy()
        self.prior = prior or EffectPrior()
        self._tallies: dict[tuple[str, NeedCategory], OutcomeTally] = {}

    def record_outcomes(self, service_id: str, need: NeedCategory, tally: OutcomeTally) -> None:
        """Set what is known of outcomes for a service and need (the whole tally, not a delta)."""
        self._tallies[(service_id, need)] = tally
        self.index.set_effect(service_id, need, estimate(tally, self.prior).score)

    def suggest(
        self, person: Person, *, per_need: int = 3, limit: int = 10, filters: Filters | None = None
    ) -> Suggestions:
        criteria = compile_criteria(person, self.index.languages, self.travel, filters or Filters())
        text = self.index.text_scores(criteria)
        needs = tuple(dict.fromkeys(person.needs))
        per_need_lists: list[list[Option]] = []
        results: list[NeedOptions] = []
        for need in needs:
            hits = self.index.search(criteria, need, text, self.weights)
            depth = max(per_need, limit)
            options = [
                self._option(person, need, needs, hits, p)
                for p in best_distinct(hits, self.index.ties(hits.ordinals), depth)
            ]
            per_need_lists.append(options)
            eligible = int(np.unique(hits.ordinals).size)
            nearest = None if hits.nearest_beyond_km is None else round(hits.nearest_beyond_km, 3)
            to_check = self._to_check(person, need, hits, depth)
            results.append(
                NeedOptions(
                    need,
                    tuple(options[:per_need]),
                    eligible,
                    nearest,
                    barred_services=len(hits.barred),
                    check_eligibility=to_check,
                    gap_reason=None if eligible else self._gap_reason(person, need, hits, criteria.reach_km),
                )
            )
        ranked = interleave(per_need_lists, key=lambda option: option.service.service_id)[:limit]
        # Reasons cost more than ranking: build them only for the options shown, once each.
        explained = {o.key: self._explained(person, o) for o in self._shown(results, ranked)}
        return Suggestions(
            needs=tuple(replace(n, options=tuple(explained[o.key] for o in n.options)) for n in results),
            ranked=tuple(explained[o.key] for o in ranked),
        )

    def _option(
        self, person: Person, need: NeedCategory, needs: tuple[NeedCategory, ...], hits: Hits, position: int
    ) -> Option:
        service = self.index.service_at(int(hits.ordinals[position]))
        venue_at = int(hits.venues[position])
        distance = float(hits.distances[position])
        return Option(
            service=service,
            venue=None if venue_at == REMOTE else service.venues[venue_at],
            need=need,
            also_meets=tuple(n for n in needs if n != need and n in service.needs),
            score=round(float(hits.scores[position]), 6),
            distance_km=None if np.isnan(distance) else round(distance, 3),
        )

    def _to_check(self, person: Person, need: NeedCategory, hits: Hits, depth: int) -> tuple[ToCheck, ...]:
        checks = []
        for ordinal in hits.unsure[:depth].tolist():
            service = self.index.service_at(int(ordinal))
            barred = who_for(person, Offer(service, None))
            if barred is not None:
                checks.append(ToCheck(service, need, barred.detail))
        return tuple(sorted(checks, key=lambda check: check.service.name))

    def _gap_reason(self, person: Person, need: NeedCategory, hits: Hits, reach_km: float) -> str | None:
        """Why nothing was offered although services were near enough: the providers' rules."""
        near = len(hits.barred) + len(hits.unsure)
        if not near:
            return None
        reasons = []
        # The rules of a sample are enough to name them: services near one place share a few rules.
        for ordinal in [*hits.barred[:GAP_REASON_SAMPLE].tolist(), *hits.unsure[:GAP_REASON_SAMPLE].tolist()]:
            barred = who_for(person, Offer(self.index.service_at(int(ordinal)), None))
            if barred is not None and barred.reason not in reasons:
                reasons.append(barred.reason)
        services = "service" if near == 1 else "services"
        whom = "this area" if all(r.endswith("residents only") for r in reasons) else "this person"
        return f"{near} {need_words(need)} {services} within {reach_km:.0f} km, none for {whom} ({'; '.join(reasons)})"

    @staticmethod
    def _shown(results: Iterable[NeedOptions], ranked: Iterable[Option]) -> list[Option]:
        return [o for n in results for o in n.options] + list(ranked)

    def _explained(self, person: Person, option: Option) -> Option:
        reasons = explain(
            person,
            option.need,
            option.also_meets,
            Offer(option.service, option.venue),
            option.distance_km,
            self._tallies.get((option.service.service_id, option.need)),
        )
        return replace(option, reasons=reasons)
