"""The additive aggregate tables: applying contribution deltas, and summing them for a report.

Deltas are applied with one upsert per table over arrays, in key order, and cells that come back
to zero are deleted, so the tables hold exactly the non-zero sums of the current contributions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

import asyncpg

from linkwork_outcomes.domain.aggregates import Aggregates, GapCounts
from linkwork_outcomes.domain.contribution import ALL, Contribution, Section
from linkwork_outcomes.domain.facts import ServiceLabel
from linkwork_outcomes.domain.statistics import ChangeSums

# Deltas are copied into session-local staging tables, added to the cells in one upsert each, and
# then the cells a negative delta brought to zero are deleted (a separate statement: the parts of
# one statement share a snapshot, so a DELETE could not see the upsert's new values).
_STAGE_TALLY = """
CREATE TEMP TABLE IF NOT EXISTS tally_delta (
    pcn text, practice text, month date, section text, key text, subkey text, n bigint
) ON COMMIT DELETE ROWS
"""
_LEVEL = "CASE WHEN pcn = '*' THEN 0 WHEN practice = '*' THEN 1 ELSE 2 END"
_TALLY = f"""
INSERT INTO tally AS t (level, pcn, practice, month, section, key, subkey, n)
SELECT {_LEVEL}, pcn, practice, month, section, key, subkey, n FROM tally_delta
ON CONFLICT (level, pcn, practice, month, section, key, subkey) DO UPDATE SET n = t.n + excluded.n
"""
_TALLY_ZEROS = """
DELETE FROM tally t USING tally_delta d
WHERE d.n < 0 AND t.n = 0 AND (t.pcn, t.practice, t.month, t.section, t.key, t.subkey)
    = (d.pcn, d.practice, d.month, d.section, d.key, d.subkey)
"""
_STAGE_OUTCOMES = """
CREATE TEMP TABLE IF NOT EXISTS outcome_delta (
    pcn text, practice text, month date, score text, pairs bigint, total bigint, total_squares bigint,
    improved bigint
) ON COMMIT DELETE ROWS
"""
_OUTCOMES = """
INSERT INTO outcome_sums AS o (pcn, practice, month, score, pairs, total, total_squares, improved)
SELECT pcn, practice, month, score, pairs, total, total_squares, improved FROM outcome_delta
ON CONFLICT (pcn, practice, month, score) DO UPDATE SET
    pairs = o.pairs + excluded.pairs, total = o.total + excluded.total,
    total_squares = o.total_squares + excluded.total_squares, improved = o.improved + excluded.improved
"""
_OUTCOME_ZEROS = """
DELETE FROM outcome_sums o USING outcome_delta d
WHERE d.pairs < 0 AND (o.pairs, o.total, o.total_squares, o.improved) = (0, 0, 0, 0)
    AND (o.pcn, o.practice, o.month, o.score) = (d.pcn, d.practice, d.month, d.score)
"""


async def apply(connection: asyncpg.Connection, delta: Contribution) -> None:
    """Add a (zero-free) delta to the aggregate tables; must run inside a transaction."""
    if delta.tally:
        rows = sorted(
            (pcn, practice, month, str(section), key, subkey, n)
            for (month, pcn, practice, section, key, subkey), n in delta.tally.items()
        )
        await connection.execute(_STAGE_TALLY)
        await connection.copy_records_to_table("tally_delta", records=rows)
        await connection.execute(_TALLY)
        if any(row[-1] < 0 for row in rows):
            await connection.execute(_TALLY_ZEROS)
    if delta.outcomes:
        outcome_rows = sorted(
            (pcn, practice, month, score, s.pairs, s.total, s.total_squares, s.improved)
            for (month, pcn, practice, score), s in delta.outcomes.items()
        )
        await connection.execute(_STAGE_OUTCOMES)
        await connection.copy_records_to_table("outcome_delta", records=outcome_rows)
        await connection.execute(_OUTCOMES)
        if any(row[4] < 0 for row in outcome_rows):
            await connection.execute(_OUTCOME_ZEROS)


@dataclass(frozen=True, slots=True)
class ReportScope:
    """Which cells a report reads. `practice` without `pcn` reads that practice in any PCN."""

    pcn: str | None
    practice: str | None
    first_month: date
    last_month: date  # inclusive
    start: datetime  # the period as instants, for facts read directly (gap windows)
    end: datetime  # exclusive

    @property
    def level(self) -> int:
        """The tally partition holding this scope's cells: 0 all PCNs, 1 one PCN, 2 one practice."""
        return 0 if self.pcn is None and self.practice is None else 1 if self.practice is None else 2

    def cell_filter(self, first_parameter: int) -> tuple[str, list[object]]:
        p = first_parameter
        months = f"month BETWEEN ${p} AND ${p + 1}"
        if self.practice is None:
            return f"pcn = ${p + 2} AND practice = ${p + 3} AND {months}", [
                self.first_month,
                self.last_month,
                self.pcn or ALL,
                ALL,
            ]
        if self.pcn is None:
            return f"pcn <> ${p + 2} AND practice = ${p + 3} AND {months}", [
                self.first_month,
                self.last_month,
                ALL,
                self.practice,
            ]
        return f"pcn = ${p + 2} AND practice = ${p + 3} AND {months}", [
            self.first_month,
            self.last_month,
            self.pcn,
            self.practice,
        ]


async def read(connection: asyncpg.Connection, scope: ReportScope) -> Aggregates:
    """The sums a report needs for its period and scope."""
    where, params = scope.cell_filter(1)
    tally = {
        (row[0], row[1], row[2]): int(row[3])
        for row in await connection.fetch(
            f"SELECT section, key, subkey, sum(n) FROM tally WHERE level = {scope.level:d} AND {where}"
            " GROUP BY 1, 2, 3 HAVING sum(n) <> 0",
            *params,
        )
    }
    outcomes = {
        row[0]: ChangeSums(int(row[1]), int(row[2]), int(row[3]), int(row[4]))
        for row in await connection.fetch(
            "SELECT score, sum(pairs), sum(total), sum(total_squares), sum(improved) FROM outcome_sums"
            f" WHERE {where} GROUP BY 1",
            *params,
        )
    }
    return Aggregates(
        tally=tally,
        outcomes=outcomes,
        gaps=await _gaps(connection, scope),
        services=await _labels(connection, [k for (s, k, _), n in tally.items() if s == Section.PLANNED and n]),
    )


async def _gaps(connection: asyncpg.Connection, scope: ReportScope) -> dict[tuple[str, str], GapCounts]:
    if scope.pcn is None and scope.practice is None:
        areas, params = "", []
    elif scope.practice is None:
        areas, params = (
            " AND postcode_district IN (SELECT postcode_district FROM area_served WHERE pcn = $3 AND practice = $4)",
            [scope.pcn, ALL],
        )
    elif scope.pcn is None:
        areas, params = (
            " AND postcode_district IN (SELECT postcode_district FROM area_served WHERE pcn <> $3 AND practice = $4)",
            [ALL, scope.practice],
        )
    else:
        areas, params = (
            " AND postcode_district IN (SELECT postcode_district FROM area_served WHERE pcn = $3 AND practice = $4)",
            [scope.pcn, scope.practice],
        )
    rows = await connection.fetch(
        "SELECT need, postcode_district, sum(referrals_with_need), sum(referrals_unmet) FROM provision_gap"
        f" WHERE window_start >= $1 AND window_start < $2{areas} GROUP BY 1, 2",
        scope.start,
        scope.end,
        *params,
    )
    return {(row[0], row[1]): GapCounts(int(row[2]), int(row[3])) for row in rows}


async def _labels(connection: asyncpg.Connection, service_ids: list[str]) -> dict[str, ServiceLabel]:
    if not service_ids:
        return {}
    rows = await connection.fetch(
        """
        SELECT s.service_id, s.revision, s.name, s.provider_id, s.provider_name, s.active, s.changed_at,
               s.last_verified_on
        FROM service_label s WHERE s.service_id = ANY($1::uuid[])
        """,
        [UUID(s) for s in service_ids],
    )
    return {
        str(row[0]): ServiceLabel(
            service_id=str(row[0]),
            revision=row[1] or 0,
            name=row[2],
            provider_id=str(row[3]) if row[3] else None,
            provider_name=row[4],
            active=bool(row[5]),
            changed_at=row[6] or datetime.min,
            last_verified_on=row[7],
        )
        for row in rows
    }
