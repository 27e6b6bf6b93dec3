"""The additive aggregate tables: applying contribution deltas, and reading them for a report (the report port).

Deltas are applied with one upsert per table over arrays, in key order, and cells that come back
to zero are deleted, so the tables hold exactly the non-zero sums of the current contributions.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from uuid import UUID

import asyncpg

from linkwork_outcomes.domain.aggregates import GapCounts
from linkwork_outcomes.domain.contribution import ALL, Contribution
from linkwork_outcomes.domain.facts import ServiceLabel
from linkwork_outcomes.domain.lattice import LatticeRows
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


async def read_lattice(connection: asyncpg.Connection, pcns: list[str], first: date, last: date) -> LatticeRows:
    """Every PCN-level and practice-level cell of `pcns` from month `first` to `last` (inclusive)."""
    tally = [
        (row[0], row[1], row[2], row[3], row[4], row[5], int(row[6]))
        for row in await connection.fetch(
            "SELECT pcn, practice, month, section, key, subkey, n FROM tally"
            " WHERE level IN (1, 2) AND pcn = ANY($1::text[]) AND month BETWEEN $2 AND $3 AND n <> 0"
            " ORDER BY 1, 2, 3, 4, 5, 6",
            pcns,
            first,
            last,
        )
    ]
    outcomes = [
        (row[0], row[1], row[2], row[3], ChangeSums(int(row[4]), int(row[5]), int(row[6]), int(row[7])))
        for row in await connection.fetch(
            "SELECT pcn, practice, month, score, pairs, total, total_squares, improved FROM outcome_sums"
            " WHERE pcn = ANY($1::text[]) AND pcn <> $4 AND month BETWEEN $2 AND $3 ORDER BY 1, 2, 3, 4",
            pcns,
            first,
            last,
            ALL,
        )
    ]
    return LatticeRows(tally, outcomes)


async def read_gaps(
    connection: asyncpg.Connection, pcns: list[str], practice: str | None, start: datetime, end: datetime
) -> dict[tuple[str, str], GapCounts]:
    """Gap counts in the postcode districts the referrals of `pcns` (or of one practice) come from."""
    rows = await connection.fetch(
        "SELECT need, postcode_district, sum(referrals_with_need), sum(referrals_unmet) FROM provision_gap"
        " WHERE window_start >= $1 AND window_start < $2 AND postcode_district IN"
        " (SELECT postcode_district FROM area_served WHERE pcn = ANY($3::text[]) AND practice = $4) GROUP BY 1, 2",
        start,
        end,
        pcns,
        practice or ALL,
    )
    return {(row[0], row[1]): GapCounts(int(row[2]), int(row[3])) for row in rows}


async def service_labels(connection: asyncpg.Connection, service_ids: list[str]) -> dict[str, ServiceLabel]:
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


class PostgresReportStore:
    """The report port (service_layer/ports.py) over one connection: each report reads in its own read-only,
    repeatable-read transaction, so the lattice, labels and gaps it combines come from one snapshot."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[PostgresReportStore]:
        async with self._connection.transaction(isolation="repeatable_read", readonly=True):
            yield self

    async def lattice(self, pcns: list[str], first: date, last: date) -> LatticeRows:
        return await read_lattice(self._connection, pcns, first, last)

    async def service_labels(self, service_ids: list[str]) -> dict[str, ServiceLabel]:
        return await service_labels(self._connection, service_ids)

    async def gaps(
        self, pcns: list[str], practice: str | None, start: datetime, end: datetime
    ) -> dict[tuple[str, str], GapCounts]:
        return await read_gaps(self._connection, pcns, practice, start, end)
