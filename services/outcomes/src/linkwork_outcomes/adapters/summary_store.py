"""referral_summary rows: saving summaries and reading them back as domain objects."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg
import orjson
from linkwork_runtime.database import from_record

from linkwork_outcomes.domain.referral_summary import ReferralSummary, ScoreChange

_COLUMNS = (
    "referral_id, month, pcn, practice, source, needs, age_band, sex, ethnic_category, imd_decile, "
    "postcode_district, status, entered_in_error, contacted, first_contact_days, contacts, plan_agreed, "
    "followed_up, closed, closure_reason, planned, attended, changes, earliest_unmet_due"
)
# Summaries travel by COPY into a session-local staging table (ragged arrays cannot go through
# unnest, and COPY is the fastest way in), then one upsert moves them into place.
_STAGE = """
CREATE TEMP TABLE IF NOT EXISTS summary_incoming (
    referral_id uuid, month date, pcn text, practice text, source text, needs text[], age_band text, sex text,
    ethnic_category text, imd_decile smallint, postcode_district text, status text, entered_in_error boolean,
    contacted boolean, first_contact_days int, contacts int, plan_agreed boolean, followed_up boolean,
    closed boolean, closure_reason text, planned text[], attended text[], changes text, earliest_unmet_due date
) ON COMMIT DELETE ROWS
"""
_SAVE = f"""
INSERT INTO referral_summary ({_COLUMNS})
SELECT referral_id, month, pcn, practice, source, needs, age_band, sex, ethnic_category, imd_decile,
       postcode_district, status, entered_in_error, contacted, first_contact_days, contacts, plan_agreed,
       followed_up, closed, closure_reason, planned, attended, changes::jsonb, earliest_unmet_due
FROM summary_incoming
ON CONFLICT (referral_id) DO UPDATE SET
    month = excluded.month, pcn = excluded.pcn, practice = excluded.practice, source = excluded.source,
    needs = excluded.needs, age_band = excluded.age_band, sex = excluded.sex,
    ethnic_category = excluded.ethnic_category, imd_decile = excluded.imd_decile,
    postcode_district = excluded.postcode_district, status = excluded.status,
    entered_in_error = excluded.entered_in_error, contacted = excluded.contacted,
    first_contact_days = excluded.first_contact_days, contacts = excluded.contacts,
    plan_agreed = excluded.plan_agreed, followed_up = excluded.followed_up, closed = excluded.closed,
    closure_reason = excluded.closure_reason, planned = excluded.planned, attended = excluded.attended,
    changes = excluded.changes, earliest_unmet_due = excluded.earliest_unmet_due
"""


def _text(value: object) -> str:
    return orjson.dumps(value).decode()


def _row(s: ReferralSummary) -> tuple[object, ...]:
    return (
        UUID(s.referral_id), s.month, s.pcn, s.practice, s.source, list(s.needs), s.age_band, s.sex,
        s.ethnic_category, s.imd_decile, s.postcode_district, s.status, s.entered_in_error, s.contacted,
        s.first_contact_days, s.contacts, s.plan_agreed, s.followed_up, s.closed, s.closure_reason,
        list(s.planned), list(s.attended),
        _text([[c.score, c.change, c.improved] for c in s.changes]), s.earliest_unmet_due,
    )  # fmt: skip


async def save(connection: asyncpg.Connection, summaries: Sequence[ReferralSummary]) -> None:
    """Insert or replace the summaries; must run inside a transaction (the staging table empties on commit)."""
    if not summaries:
        return
    await connection.execute(_STAGE)
    await connection.copy_records_to_table("summary_incoming", records=[_row(s) for s in summaries])
    await connection.execute(_SAVE)


async def load(connection: asyncpg.Connection, referral_ids: Sequence[str]) -> dict[str, ReferralSummary]:
    rows = await connection.fetch(
        f"SELECT {_COLUMNS} FROM referral_summary WHERE referral_id = ANY($1::uuid[])",
        [UUID(r) for r in referral_ids],
    )
    return {str(row[0]): _summary(row) for row in rows}


def _summary(row: asyncpg.Record) -> ReferralSummary:
    changes = row["changes"]
    if isinstance(changes, str):  # a bare connection has no jsonb codec
        changes = orjson.loads(changes)
    return from_record(
        ReferralSummary,
        row,
        referral_id=str(row["referral_id"]),
        needs=tuple(row["needs"]),
        planned=tuple(row["planned"]),
        attended=tuple(row["attended"]),
        changes=tuple(ScoreChange(score, change, improved) for score, change, improved in changes),
    )
