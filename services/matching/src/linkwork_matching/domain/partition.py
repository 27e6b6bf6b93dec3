"""One need's offers as numpy columns: the hard constraints as masks and the score as arithmetic.

Partitioning by need is the inverted index: a referral's need touches only the offers listed for
it. Within a partition every test is a vectorised comparison, in the same order and with the same
formulas as `constraints.check` and `scoring.score`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from linkwork_contracts.codes import CapacityStatus

from linkwork_matching.domain.columns import Columns
from linkwork_matching.domain.criteria import Criteria
from linkwork_matching.domain.eligibility import Verdict
from linkwork_matching.domain.encoding import LanguageBits
from linkwork_matching.domain.geo import distances_km
from linkwork_matching.domain.scoring import UNKNOWN_SCHEDULE_FIT, Weights

CAPACITY_CODES = {status: code for code, status in enumerate(CapacityStatus)}
NO_CAPACITY = CAPACITY_CODES[CapacityStatus.NO_CAPACITY]
WAITLIST = CAPACITY_CODES[CapacityStatus.WAITLIST]
ASSESSMENT = CAPACITY_CODES[CapacityStatus.ADDITIONAL_ASSESSMENT_REQUIRED]
REMOTE = -1  # `venue` of an offer taken part in online or by phone
UNKNOWN_WAIT = -1
WAIT_COLUMN_MAX = 32_000  # int16; any wait this long is far past the penalty cap anyway

ROW_TYPES: dict[str, npt.DTypeLike] = {
    "ordinal": np.int32,
    "venue": np.int16,
    "alive": np.bool_,
    "latitude": np.float64,
    "longitude": np.float64,
    "modes": np.uint8,
    "min_age": np.int16,
    "max_age": np.int16,
    "access": np.uint32,
    "languages": np.uint64,
    "capacity": np.int8,
    "wait": np.int16,  # estimated weeks of wait; UNKNOWN_WAIT when not known
    "cost": np.int32,
    "slots": np.uint32,
    "needs": np.uint32,
    "effect": np.float64,
    # The service's providers' rules (areas, eligibility; issue 21) as an id shared by every service
    # with the same rules, or NO_RULES. One verdict per distinct id per search.
    "rules": np.int32,
}
# Verdicts as small integers, for the arrays of one search.
INSIDE, OUTSIDE, UNKNOWN = 0, 1, 2
NO_RULES = -1
_VERDICT_CODES = {Verdict.INSIDE: INSIDE, Verdict.OUTSIDE: OUTSIDE, Verdict.UNKNOWN: UNKNOWN}


@dataclass(frozen=True, slots=True)
class Hits:
    """Eligible offers of one partition with their scores (parallel arrays)."""

    ordinals: npt.NDArray[np.int32]
    venues: npt.NDArray[np.int16]
    scores: npt.NDArray[np.float64]
    distances: npt.NDArray[np.float64]  # NaN for remote offers
    # Nearest venue otherwise eligible but beyond reach: how far off the gap is closed.
    nearest_beyond_km: float | None = None
    # Services within reach and otherwise eligible that the provider's own rules keep from the
    # person: definitely (`barred`), or unless the link worker checks (`unsure`). Ordinals.
    barred: npt.NDArray[np.int32] = field(default_factory=lambda: np.empty(0, dtype=np.int32))
    unsure: npt.NDArray[np.int32] = field(default_factory=lambda: np.empty(0, dtype=np.int32))


class NeedPartition:
    def __init__(self) -> None:
        self.rows = Columns(ROW_TYPES)
        self.live = 0

    def eligible(self, c: Criteria, speaks: Callable[[int], bool]) -> npt.NDArray[np.intp]:
        """Positions of rows passing every hard constraint except reach."""
        r = self.rows
        mask = r["alive"].copy()
        mask &= (r["min_age"] <= c.age_high) & (r["max_age"] >= c.age_low)
        mask &= (r["modes"] & np.uint8(c.modes)) != 0
        access = np.uint32(c.access)
        mask &= (r["access"] & access) == access
        languages = r["languages"]
        speaks_known = (languages & np.uint64(c.languages)) != 0
        if c.languages_overflowed:
            maybe = ~speaks_known & mask & ((languages & np.uint64(LanguageBits.OVERFLOW)) != 0)
            for position in np.flatnonzero(maybe):
                speaks_known[position] = speaks(int(r["ordinal"][position]))
        mask &= speaks_known
        capacity = r["capacity"]
        mask &= capacity != NO_CAPACITY
        if not c.person.accepts_waiting_list:
            mask &= capacity != WAITLIST
        if c.person.max_cost_pence is not None:
            mask &= r["cost"] <= c.person.max_cost_pence
        if c.required_slots:
            mask &= (r["slots"] & np.uint32(c.required_slots)) != 0
        return np.flatnonzero(mask)

    def select(
        self,
        c: Criteria,
        text: npt.NDArray[np.float64] | None,
        weights: Weights,
        speaks: Callable[[int], bool],
        admits: Callable[[int], Verdict] | None = None,  # rules id -> the person's verdict
    ) -> Hits:
        r = self.rows
        at = self.eligible(c, speaks)
        # Providers' own rules last, in Python, only for the few rows of restricted services:
        # areas and eligibility are too varied for a bit mask, and most services have neither.
        verdicts = np.zeros(len(at), dtype=np.int8)
        if admits is not None:
            rules = r["rules"][at]
            restricted = rules != NO_RULES
            if restricted.any():
                ids = np.unique(rules[restricted])
                answers = np.array([_VERDICT_CODES[admits(int(i))] for i in ids.tolist()], dtype=np.int8)
                verdicts[restricted] = answers[np.searchsorted(ids, rules[restricted])]
        in_person = r["venue"][at] != REMOTE
        distance = np.full(len(at), np.nan)
        location = c.person.location
        nearest: float | None = None
        if location is None:
            reachable = ~in_person
        else:
            distance[in_person] = distances_km(
                location.latitude, location.longitude, r["latitude"][at[in_person]], r["longitude"][at[in_person]]
            )
            reachable = ~in_person | (distance <= c.reach_km)
        barred = np.unique(r["ordinal"][at[reachable & (verdicts == OUTSIDE)]])
        unsure = np.unique(r["ordinal"][at[reachable & (verdicts == UNKNOWN)]])
        # Gaps count only services the person is eligible for, near or far.
        reachable &= verdicts == INSIDE
        beyond = distance[~reachable & (verdicts == INSIDE)]
        nearest = float(beyond.min()) if len(beyond) else None
        at, distance, in_person = at[reachable], distance[reachable], in_person[reachable]
        ordinals = r["ordinal"][at]
        other_needs = np.bitwise_count(r["needs"][at] & np.uint32(c.needs)).astype(np.int64) - 1
        score = weights.coverage * np.minimum(other_needs, 2) / 2
        if text is not None:
            bm25 = text[ordinals]
            score += weights.text * (bm25 / (bm25 + weights.text_half))
        score += weights.distance * np.where(
            in_person, np.exp(-np.nan_to_num(distance) / c.decay_km), weights.remote_appeal
        )
        slots = r["slots"][at]
        if c.available:
            fits = ((slots & np.uint32(c.available)) != 0).astype(np.float64)
            score += weights.schedule * np.where(slots == 0, UNKNOWN_SCHEDULE_FIT, fits)
        else:
            score += weights.schedule * UNKNOWN_SCHEDULE_FIT
        score += weights.effect * (1 + r["effect"][at]) / 2
        capacity = r["capacity"][at]
        wait = r["wait"][at]
        queued = np.where(
            wait == UNKNOWN_WAIT,
            weights.waitlist_penalty,
            weights.wait_per_week * np.minimum(wait, weights.wait_cap_weeks),
        )
        score -= queued * (capacity == WAITLIST)
        score -= weights.assessment_penalty * (capacity == ASSESSMENT)
        partial_age = (c.age_low < r["min_age"][at]) | (c.age_high > r["max_age"][at])
        score -= weights.age_check_penalty * partial_age
        return Hits(ordinals, r["venue"][at], score, distance, nearest, barred, unsure)
