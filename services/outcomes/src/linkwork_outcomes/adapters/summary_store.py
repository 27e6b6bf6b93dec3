"""referral_summary rows: saving summaries and reading them back as domain objects."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg
import orjson

from linkwork_outcomes.domain.referral_summary import ReferralSummary, ScoreChange

_COLUMNS = (
    "referral_id, month, pcn, practice, source, needs, age_band, sex, ethnic_category, imd_decile, "
    "postcode_district, status, entered_in_error, contacted, first_contact_days, contacts, plan_agreed, "
    "followed_up, closed, closure_reason, planned, attended, changes, earliest_unmet_due"
)
# Arrays of arrays cannot go through unnest (ragged), so list-valued columns travel as JSON text.
_SAVE = f"""
INSERT INTO referral_summary ({_COLUMNS})
SELECT r, m, pcn, pr, src, ARRAY(SELECT jsonb_array_elements_text(n::jsonb)), a, sx, e, imd, d, st, err, c, fcd,
       cs, pa, fu, cl, cr, ARRAY(SELECT jsonb_array_elements_text(pl::jsonb)),
       ARRAY(SELECT jsonb_array_elements_text(at::jsonb)), ch::jsonb, due
FROM unnest($1::uuid[], $2::date[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
            $9::text[], $10::smallint[], $11::text[], $12::text[], $13::boolean[], $14::boolean[], $15::int[],
            $16::int[], $17::boolean[], $18::boolean[], $19::boolean[], $20::text[], $21::text[], $22::text[],
            $23::text[], $24::date[])
     AS x(r, m, pcn, pr, src, n, a, sx, e, imd, d, st, err, c, fcd, cs, pa, fu, cl, cr, pl, at, ch, due)
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
        s.referral_id, s.month, s.pcn, s.practice, s.source, _text(list(s.needs)), s.age_band, s.sex,
        s.ethnic_category, s.imd_decile, s.postcode_district, s.status, s.entered_in_error, s.contacted,
        s.first_contact_days, s.contacts, s.plan_agreed, s.followed_up, s.closed, s.closure_reason,
        _text(list(s.planned)), _text(list(s.attended)),
        _text([[c.score, c.change, c.improved] for c in s.changes]), s.earliest_unmet_due,
    )  # fmt: skip


async def save(connection: asyncpg.Connection, summaries: Sequence[ReferralSummary]) -> None:
    if not summaries:
        return
    rows = [_row(s) for s in summaries]
    await connection.execute(_SAVE, *[list(column) for column in zip(*rows, strict=True)])


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
    return ReferralSummary(
        referral_id=str(row["referral_id"]),
        month=row["month"],
        pcn=row["pcn"],
        practice=row["practice"],
        source=row["source"],
        needs=tuple(row["needs"]),
        age_band=row["age_band"],
        sex=row["sex"],
        ethnic_category=row["ethnic_category"],
        imd_decile=row["imd_decile"],
        postcode_district=row["postcode_district"],
        status=row["status"],
        entered_in_error=row["entered_in_error"],
        contacted=row["contacted"],
        first_contact_days=row["first_contact_days"],
        contacts=row["contacts"],
        plan_agreed=row["plan_agreed"],
        followed_up=row["followed_up"],
        closed=row["closed"],
        closure_reason=row["closure_reason"],
        planned=tuple(row["planned"]),
        attended=tuple(row["attended"]),
        changes=tuple(ScoreChange(score, change, improved) for score, change, improved in changes),
        earliest_unmet_due=row["earliest_unmet_due"],
    )
