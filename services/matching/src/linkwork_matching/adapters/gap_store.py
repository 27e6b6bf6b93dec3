"""Gap observations per referral and need, aggregated per postcode district and need for reporting."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta
from uuid import UUID

import asyncpg
from linkwork_contracts.codes import NeedCategory

from linkwork_matching.domain.gaps import GapObservation, GapTally, OpenGap


async def record(
    connection: asyncpg.Connection, referral_id: UUID, version: int, observations: list[GapObservation], now: datetime
) -> None:
    await connection.executemany(
        "INSERT INTO gap_observations (referral_id, referral_version, need, postcode_district, "
        "unmet, nearest_km, observed_at, excluded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
        [
            (referral_id, version, o.need.value, o.postcode_district, o.unmet, o.nearest_km, now, o.excluded_by)
            for o in observations
        ],
    )


async def claim_open_gaps(connection: asyncpg.Connection) -> list[OpenGap]:
    rows = await connection.fetch(
        "SELECT postcode_district, need, referral_id, nearest_km, observed_at, excluded_by FROM gap_observations "
        "WHERE unmet AND NOT reported ORDER BY postcode_district, need FOR UPDATE SKIP LOCKED"
    )
    groups: dict[tuple[str, str], list[asyncpg.Record]] = defaultdict(list)
    for row in rows:
        groups[(row["postcode_district"], row["need"])].append(row)
    gaps = []
    for (district, need), members in groups.items():
        last = await connection.fetchval(
            "SELECT last_reported FROM gap_reports WHERE postcode_district = $1 AND need = $2", district, need
        )
        earliest = min(row["observed_at"] for row in members)
        # Unmet rows can commit after a report that began later than they were observed: start
        # the window early enough to hold every one of them.
        start = earliest if last is None else min(last, earliest)
        with_need = await connection.fetchval(
            "SELECT count(DISTINCT referral_id) FROM gap_observations "
            "WHERE postcode_district = $1 AND need = $2 AND (observed_at >= $3 OR (unmet AND NOT reported))",
            district,
            need,
            start,
        )
        ids = frozenset(row["referral_id"] for row in members)
        nearest = [row["nearest_km"] for row in members if row["nearest_km"] is not None]
        # The explanation most of the window's unmet referrals share (ties: the latest observed).
        reasons = Counter(row["excluded_by"] for row in sorted(members, key=lambda r: r["observed_at"]))
        reasons.pop(None, None)
        gaps.append(
            OpenGap(
                GapTally(
                    NeedCategory(need),
                    district,
                    with_need,
                    len(ids),
                    start,
                    last,
                    min(nearest) if nearest else None,
                    max(reasons, key=lambda r: (reasons[r], list(reasons).index(r))) if reasons else None,
                ),
                ids,
            )
        )
    return gaps


async def mark_reported(connection: asyncpg.Connection, gap: OpenGap, now: datetime) -> None:
    tally = gap.tally
    await connection.execute(
        "UPDATE gap_observations SET reported = true WHERE postcode_district = $1 AND need = $2 "
        "AND referral_id = ANY($3::uuid[]) AND unmet AND NOT reported",
        tally.postcode_district,
        tally.need.value,
        list(gap.referral_ids),
    )
    await connection.execute(
        "INSERT INTO gap_reports (postcode_district, need, last_reported) VALUES ($1, $2, $3) "
        "ON CONFLICT (postcode_district, need) DO UPDATE SET last_reported = EXCLUDED.last_reported",
        tally.postcode_district,
        tally.need.value,
        now,
    )


async def prune(connection: asyncpg.Connection, older_than: timedelta, now: datetime) -> int:
    """Forget observations no report will need again (reported, or met, and out of any window)."""
    result: str = await connection.execute(
        "DELETE FROM gap_observations WHERE observed_at < $1 AND (reported OR NOT unmet)", now - older_than
    )
    return int(result.split()[-1])
