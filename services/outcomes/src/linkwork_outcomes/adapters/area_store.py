"""area_served: which postcode districts each PCN's and practice's referrals come from (`aggregates.areas_of`)."""

from __future__ import annotations

import asyncpg

_INSERT = """
INSERT INTO area_served (pcn, practice, postcode_district)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
ON CONFLICT DO NOTHING
"""


async def record(connection: asyncpg.Connection, areas: set[tuple[str, str, str]]) -> None:
    if areas:
        rows = sorted(areas)
        await connection.execute(_INSERT, *[list(column) for column in zip(*rows, strict=True)])
