"""A national-scale population of referral summaries, for building report aggregates quickly.

Events for a million referrals would take hours to generate and replay here; the report latency
benchmark needs the aggregates they produce, not the events. So this draws summaries directly
(with plausible proportions: who is contacted, how soon, plans, attendance, closures, outcome
changes) and the service's own `Contribution.include` turns them into the exact cells it would
hold after consuming the events.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from linkwork_contracts.codes import (
    AgeBand,
    ClosureReason,
    EthnicCategory,
    NeedCategory,
    ReferralSource,
    closure_status,
)
from linkwork_contracts.measures import SWEMWBS_METRIC
from linkwork_outcomes.domain.facts import ServiceLabel
from linkwork_outcomes.domain.referral_summary import OpenStatus, ReferralSummary, ScoreChange

NEEDS = [n.value for n in NeedCategory]
SOURCES = [s.value for s in ReferralSource]
SOURCE_WEIGHTS = [60, 8, 8, 6, 4, 2, 2, 9, 1]
ETHNIC = [e.value for e in EthnicCategory]
ETHNIC_WEIGHTS = [70, 2, 5, 1, 1, 1, 1, 3, 3, 2, 1, 2, 2, 1, 1, 1, 1, 2]
REASONS = [r for r in ClosureReason]


@dataclass(frozen=True)
class World:
    months: list[date]
    pcns: list[str]
    practices: dict[str, list[str]]
    districts: dict[str, list[str]]
    local_services: dict[str, list[str]]
    national_services: list[str]
    labels: list[ServiceLabel]


def world(rng: random.Random, *, pcns: int, practices_per_pcn: int, year: int = 2025) -> World:
    months = [date(year, m, 1) for m in range(1, 13)]
    codes = [f"U{20001 + i:05d}" for i in range(pcns)]
    practices = {
        pcn: [f"{chr(65 + i % 26)}{30001 + i * 10 + p:05d}" for p in range(practices_per_pcn)]
        for i, pcn in enumerate(codes)
    }
    districts = {
        pcn: [f"{chr(65 + i % 26)}{chr(65 + (i // 26) % 26)}{d + 1}" for d in range(4)] for i, pcn in enumerate(codes)
    }
    labels, local = [], {}
    provider = 0
    for pcn in codes:
        ids = []
        for k in range(20):
            sid = str(UUID(int=rng.getrandbits(128), version=4))
            if k % 3 == 0:
                provider += 1
            labels.append(_label(sid, f"{pcn} activity {k + 1}", provider))
            ids.append(sid)
        local[pcn] = ids
    national = []
    for k in range(50):
        sid = str(UUID(int=rng.getrandbits(128), version=4))
        labels.append(_label(sid, f"Online activity {k + 1}", 100_000 + k // 5))
        national.append(sid)
    return World(months, codes, practices, districts, local, national, labels)


def _label(service_id: str, name: str, provider: int) -> ServiceLabel:
    provider_id = str(UUID(int=provider, version=4))
    return ServiceLabel(
        service_id,
        1,
        name,
        provider_id,
        f"Provider {provider}",
        True,
        datetime(2024, 12, 1, tzinfo=UTC),
        date(2024, 10, 1),
    )


def _changes(rng: random.Random) -> tuple[ScoreChange, ...]:
    changes = []
    if rng.random() < 0.8:
        for item, better_up in (
            ("life-satisfaction", True),
            ("worthwhile", True),
            ("happiness", True),
            ("anxiety", False),
        ):
            delta = rng.randint(-3, 5) * (1 if better_up else -1)
            changes.append(ScoreChange(f"ons4-{item}", delta * 100, delta * (1 if better_up else -1) >= 2))
    if rng.random() < 0.8:
        before = rng.randint(10, 28)
        after = min(35, max(7, before + rng.randint(-3, 7)))
        delta = round((SWEMWBS_METRIC[after] - SWEMWBS_METRIC[before]) * 100)
        changes.append(ScoreChange("swemwbs-metric", delta, delta >= 300))
    if rng.random() < 0.7:
        delta = rng.randint(-4, 2)
        changes.append(ScoreChange("ucla3-total", delta * 100, -delta >= 2))
    return tuple(sorted(changes, key=lambda c: c.score))


def summaries(rng: random.Random, place: World, count: int) -> Iterator[ReferralSummary]:
    for _ in range(count):
        pcn = rng.choice(place.pcns)
        contacted = rng.random() < 0.85
        planned = contacted and rng.random() < 0.75
        followed = planned and rng.random() < 0.7
        closed = rng.random() < 0.55
        activities: tuple[str, ...] = ()
        if planned:
            pool = place.local_services[pcn] + place.national_services[:5]
            activities = tuple(sorted(rng.sample(pool, k=rng.randint(1, 3))))
        chosen = rng.choice(REASONS)
        reason = chosen.value if closed else None
        if closed:
            status = closure_status(chosen).value
        elif followed:
            status = OpenStatus.FOLLOWING_UP
        elif planned:
            status = OpenStatus.PLAN_AGREED
        else:
            status = OpenStatus.CONTACTED if contacted else OpenStatus.REFERRED
        yield ReferralSummary(
            referral_id=str(UUID(int=rng.getrandbits(128), version=4)),
            month=rng.choice(place.months),
            pcn=pcn,
            practice=None if rng.random() < 0.05 else rng.choice(place.practices[pcn]),
            source=rng.choices(SOURCES, SOURCE_WEIGHTS)[0],
            needs=tuple(sorted(rng.sample(NEEDS, k=rng.choice((1, 1, 2, 3))))),
            age_band=rng.choice(list(AgeBand)).value,
            sex=rng.choices(("female", "male", "other", "unknown"), (48, 46, 3, 3))[0],
            ethnic_category=rng.choices(ETHNIC, ETHNIC_WEIGHTS)[0],
            imd_decile=None if rng.random() < 0.08 else rng.randint(1, 10),
            postcode_district=rng.choice(place.districts[pcn]),
            status=status,
            contacted=contacted or planned,
            first_contact_days=min(60, int(rng.expovariate(1 / 8))) if contacted else None,
            contacts=rng.randint(1, 12) if contacted else 0,
            plan_agreed=planned,
            followed_up=followed,
            closed=closed,
            closure_reason=reason,
            planned=activities,
            attended=tuple(s for s in activities if rng.random() < 0.45),
            changes=_changes(rng) if planned and rng.random() < 0.6 else (),
        )


def gap_windows(rng: random.Random, place: World) -> Iterator[tuple[str, str, datetime, datetime, int, int]]:
    """(need, district, window start, window end, with need, unmet) for fortnightly windows."""
    start = datetime(place.months[0].year, 1, 1, tzinfo=UTC)
    for pcn in place.pcns:
        for district in place.districts[pcn]:
            for need in rng.sample(NEEDS, k=3):
                for week in range(0, 52, 2):
                    if rng.random() < 0.5:
                        continue
                    with_need = rng.randint(1, 12)
                    begin = start + timedelta(days=7 * week)
                    yield need, district, begin, begin + timedelta(days=7), with_need, rng.randint(1, with_need)
