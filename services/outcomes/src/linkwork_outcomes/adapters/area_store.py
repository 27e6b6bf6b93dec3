"""area_served: which postcode districts each PCN's and practice's referrals come from."""

from __future__ import annotations

from collections.abc import Iterable

import asyncpg

from linkwork_outcomes.domain.contribution import ALL
from linkwork_outcomes.domain.facts import ReferralFacts

_INSERT = """
INSERT INTO area_served (pcn, practice, postcode_district)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
ON CONFLICT DO NOTHING
"""


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


async def record(connection: asyncpg.Connection, areas: set[tuple[str, str, str]]) -> None:
    if areas:
        rows = sorted(areas)
        await connection.execute(_INSERT, *[list(column) for column in zip(*rows, strict=True)])
