"""The figures behind the business gauges, read from the projections in a few cheap queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import asyncpg
from linkwork_contracts import topics

from linkwork_outcomes.domain.contribution import ALL, Section, Stage
from linkwork_outcomes.domain.referral_summary import OPEN_STATUSES

# Which fact table each topic lands in: its newest event_time is the topic's last event.
TOPIC_TABLES: dict[str, str] = {
    topics.REFERRAL_CREATED: "referral_version",
    topics.MATCHES_SUGGESTED: "suggestion_set",
    topics.PLAN_AGREED: "plan_version",
    topics.FOLLOW_UP_DUE: "follow_up_due",
    topics.FOLLOW_UP_RECORDED: "contact",
    topics.REFERRAL_CLOSED: "closure",
    topics.SERVICE_CHANGED: "service_label",
    topics.PROVISION_GAP: "provision_gap",
}


@dataclass(frozen=True)
class BusinessFigures:
    open_referrals: dict[tuple[str, str], int] = field(default_factory=dict)  # (pcn, status)
    referrals_by_source: dict[str, int] = field(default_factory=dict)
    plans_agreed: int = 0
    follow_ups_overdue: dict[str, int] = field(default_factory=dict)  # pcn
    services: dict[str, int] = field(default_factory=dict)  # active / withdrawn
    stale_services: int = 0
    never_verified_services: int = 0
    last_event_time: dict[str, datetime] = field(default_factory=dict)  # contract topic name
    projection_backlog: int = 0


async def read(connection: asyncpg.Connection, today: date, stale_after_days: int) -> BusinessFigures:
    open_rows = await connection.fetch(
        "SELECT pcn, key, sum(n) FROM tally WHERE level = 1 AND pcn <> $1 AND practice = $1 AND section = $2"
        " AND key = ANY($3::text[]) GROUP BY 1, 2",
        ALL,
        Section.STATUS.value,
        list(OPEN_STATUSES),
    )
    sources = await connection.fetch(
        "SELECT key, sum(n) FROM tally WHERE level = 0 AND pcn = $1 AND practice = $1 AND section = $2 GROUP BY 1",
        ALL,
        Section.SOURCE.value,
    )
    plans = await connection.fetchval(
        "SELECT coalesce(sum(n), 0) FROM tally WHERE level = 0 AND pcn = $1 AND practice = $1 AND section = $2"
        " AND key = $3",
        ALL,
        Section.FUNNEL.value,
        Stage.PLAN_AGREED.value,
    )
    overdue = await connection.fetch(
        "SELECT pcn, count(*) FROM referral_summary WHERE NOT closed AND earliest_unmet_due < $1"
        " AND month IS NOT NULL AND NOT entered_in_error GROUP BY 1",
        today,
    )
    service_rows = await connection.fetch("SELECT active, count(*) FROM service_label GROUP BY 1")
    stale = await connection.fetchrow(
        "SELECT count(*) FILTER (WHERE last_verified_on < $1), count(*) FILTER (WHERE last_verified_on IS NULL)"
        " FROM service_label WHERE active",
        today - timedelta(days=stale_after_days),
    )
    last_times = {}
    for topic, table in TOPIC_TABLES.items():
        value = await connection.fetchval(f"SELECT max(event_time) FROM {table}")
        if value is not None:
            last_times[topic] = value
    backlog = await connection.fetchval("SELECT count(*) FROM pending_referral")
    return BusinessFigures(
        open_referrals={(row[0], row[1]): int(row[2]) for row in open_rows},
        referrals_by_source={row[0]: int(row[1]) for row in sources},
        plans_agreed=int(plans),
        follow_ups_overdue={row[0]: int(row[1]) for row in overdue},
        services={("active" if row[0] else "withdrawn"): int(row[1]) for row in service_rows},
        stale_services=int(stale[0]) if stale else 0,
        never_verified_services=int(stale[1]) if stale else 0,
        last_event_time=last_times,
        projection_backlog=int(backlog),
    )
