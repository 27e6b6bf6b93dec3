"""Fact tables: storing a batch of facts (idempotently) and loading every fact of some referrals.

Every insert is one statement over arrays (`unnest`), so storing one event's facts and storing a
rebuild's ten thousand cost the same number of round trips. Referrals that received a fact they
did not have are queued in `pending_referral` in the same transaction, for the projector.

Consumers of different partitions store facts concurrently, so a fact's key must belong to one
partition's aggregate (a referral, a service, a district and need): a row that two partitions
could both insert would make their transactions wait on each other and, in the worst case,
deadlock. Rows derived across referrals (the areas a PCN serves) are the projector's job.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar
from uuid import UUID

import asyncpg
import orjson

from linkwork_outcomes.adapters.event_facts import FactBatch
from linkwork_outcomes.domain.facts import (
    Attendance,
    Closure,
    Contact,
    FollowUpDue,
    Measurement,
    PlannedActivity,
    PlanVersion,
    ReferralFacts,
    ReferralVersion,
)

K = TypeVar("K")
V = TypeVar("V")


def _json(value: object) -> str:
    return orjson.dumps(value).decode()


def _latest(items: Iterable[tuple[K, V]], order: Any) -> list[V]:
    """One item per key, the greatest by `order`: a batch must not update a row twice."""
    best: dict[K, V] = {}
    for key, item in items:
        if key not in best or order(item) > order(best[key]):
            best[key] = item
    return list(best.values())


_VERSIONS = """
INSERT INTO referral_version (referral_id, version, person_ref, created_at, source, pcn, practice, age_band,
                              sex, ethnic_category, postcode_district, imd_decile, needs, event_time)
SELECT r, v, p, c, s, pcn, pr, a, sx, e, d, imd, string_to_array(n, ','), t
FROM unnest($1::uuid[], $2::int[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[],
            $9::text[], $10::text[], $11::text[], $12::smallint[], $13::text[], $14::timestamptz[])
     AS x(r, v, p, c, s, pcn, pr, a, sx, e, d, imd, n, t)
ON CONFLICT DO NOTHING
RETURNING referral_id
"""
_PLANS = """
INSERT INTO plan_version (referral_id, plan_version, agreed_at, first_contact_at, activities, event_time)
SELECT r, v, a, f, act::jsonb, t
FROM unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::timestamptz[])
     AS x(r, v, a, f, act, t)
ON CONFLICT DO NOTHING
RETURNING referral_id
"""
_CONTACTS = """
INSERT INTO contact (contact_id, referral_id, contact_at, kind, outcome, contacts_to_date, attendance,
                     follow_up_id, event_time)
SELECT i, r, c, k, o, n, att::jsonb, f, t
FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::text[], $5::text[], $6::int[], $7::text[],
            $8::uuid[], $9::timestamptz[]) AS x(i, r, c, k, o, n, att, f, t)
ON CONFLICT DO NOTHING
RETURNING referral_id
"""
_MEASUREMENTS = """
INSERT INTO measurement (referral_id, score, timepoint, recorded_at, value)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::int[])
ON CONFLICT DO NOTHING
RETURNING referral_id
"""
_DUE = """
INSERT INTO follow_up_due (follow_up_id, referral_id, due_on, pcn, event_time)
SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::date[], $4::text[], $5::timestamptz[])
ON CONFLICT DO NOTHING
RETURNING referral_id
"""
_CLOSURES = """
INSERT INTO closure (referral_id, closed_at, status, reason, first_contact_at, contacts_count, event_time)
SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::timestamptz[], $6::int[],
                     $7::timestamptz[])
ON CONFLICT DO NOTHING
RETURNING referral_id
"""
# Re-sent windows and service revisions keep the latest by content, whatever order they arrive in.
_GAPS = """
INSERT INTO provision_gap AS g (need, postcode_district, window_start, window_end, referrals_with_need,
                                referrals_unmet, detected_at, event_time)
SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::int[], $6::int[],
                     $7::timestamptz[], $8::timestamptz[])
ON CONFLICT (need, postcode_district, window_start, window_end) DO UPDATE
SET referrals_with_need = excluded.referrals_with_need, referrals_unmet = excluded.referrals_unmet,
    detected_at = excluded.detected_at, event_time = excluded.event_time
WHERE (excluded.detected_at, excluded.referrals_unmet, excluded.referrals_with_need)
    > (g.detected_at, g.referrals_unmet, g.referrals_with_need)
"""
_SERVICES = """
INSERT INTO service_label AS s (service_id, revision, name, provider_id, provider_name, active, changed_at,
                                last_verified_on, event_time)
SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::uuid[], $5::text[], $6::boolean[],
                     $7::timestamptz[], $8::date[], $9::timestamptz[])
ON CONFLICT (service_id) DO UPDATE
SET revision = excluded.revision, name = excluded.name, provider_id = excluded.provider_id,
    provider_name = excluded.provider_name, active = excluded.active, changed_at = excluded.changed_at,
    last_verified_on = excluded.last_verified_on, event_time = excluded.event_time
WHERE excluded.revision > s.revision
"""
_SUGGESTIONS = """
INSERT INTO suggestion_set (referral_id, referral_version, suggested_at, options_per_need, event_time)
SELECT r, v, s, o::jsonb, t FROM unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::text[], $5::timestamptz[])
     AS x(r, v, s, o, t)
ON CONFLICT DO NOTHING
"""
_PENDING = "INSERT INTO pending_referral (referral_id) SELECT unnest($1::uuid[])"


def _columns(rows: Sequence[Sequence[object]], width: int) -> list[list[object]]:
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]


async def _insert(connection: asyncpg.Connection, sql: str, rows: Sequence[Sequence[object]], width: int) -> set[str]:
    if not rows:
        return set()
    returned = await connection.fetch(sql, *_columns(rows, width))
    return {str(row[0]) for row in returned}


async def store(connection: asyncpg.Connection, batch: FactBatch, *, queue: bool = True) -> set[str]:
    """Store the batch's facts (a fact already stored is skipped); return the referrals they changed.

    Those referrals are queued for the projector unless `queue` is false (a rebuild queues every
    referral once at the end instead).
    """
    changed: set[str] = set()
    changed |= await _insert(
        connection,
        _VERSIONS,
        [
            (
                v.referral_id,
                v.version,
                v.person_ref,
                v.created_at,
                v.source,
                v.pcn,
                v.practice,
                v.age_band,
                v.sex,
                v.ethnic_category,
                v.postcode_district,
                v.imd_decile,
                ",".join(v.needs),
                at,
            )
            for v, at in batch.versions
        ],
        14,
    )
    changed |= await _insert(
        connection,
        _PLANS,
        [
            (
                p.referral_id,
                p.plan_version,
                p.agreed_at,
                p.first_contact_at,
                _json([[a.service_id, a.need] for a in p.activities]),
                at,
            )
            for p, at in batch.plans
        ],
        6,
    )
    changed |= await _insert(
        connection,
        _CONTACTS,
        [
            (
                c.contact_id,
                c.referral_id,
                c.contact_at,
                c.kind,
                c.outcome,
                c.contacts_to_date,
                _json([[a.service_id, a.status] for a in c.attendance]),
                c.follow_up_id,
                at,
            )
            for c, at in batch.contacts
        ],
        9,
    )
    changed |= await _insert(
        connection,
        _MEASUREMENTS,
        [(m.referral_id, m.score, m.timepoint, m.recorded_at, m.value) for m in batch.measurements],
        5,
    )
    changed |= await _insert(
        connection, _DUE, [(d.follow_up_id, d.referral_id, d.due_on, d.pcn, at) for d, at in batch.follow_ups_due], 5
    )
    changed |= await _insert(
        connection,
        _CLOSURES,
        [
            (c.referral_id, c.closed_at, c.status, c.reason, c.first_contact_at, c.contacts_count, at)
            for c, at in batch.closures
        ],
        7,
    )
    await _store_context(connection, batch)
    if changed and queue:
        await connection.execute(_PENDING, sorted(changed))
    return changed


async def _store_context(connection: asyncpg.Connection, batch: FactBatch) -> None:
    """Facts that are not about one referral: gaps, services and suggestion sets."""
    gaps = _latest(
        (((g.need, g.postcode_district, g.window_start, g.window_end), (g, at)) for g, at in batch.gaps),
        lambda item: (item[0].detected_at, item[0].referrals_unmet, item[0].referrals_with_need),
    )
    if gaps:
        await connection.execute(
            _GAPS,
            *_columns(
                [
                    (
                        g.need,
                        g.postcode_district,
                        g.window_start,
                        g.window_end,
                        g.referrals_with_need,
                        g.referrals_unmet,
                        g.detected_at,
                        at,
                    )
                    for g, at in gaps
                ],
                8,
            ),
        )
    services = _latest(((s.service_id, (s, at)) for s, at in batch.services), lambda item: item[0].revision)
    if services:
        await connection.execute(
            _SERVICES,
            *_columns(
                [
                    (
                        s.service_id,
                        s.revision,
                        s.name,
                        s.provider_id,
                        s.provider_name,
                        s.active,
                        s.changed_at,
                        s.last_verified_on,
                        at,
                    )
                    for s, at in services
                ],
                9,
            ),
        )
    if batch.suggestions:
        await connection.execute(
            _SUGGESTIONS,
            *_columns(
                [
                    (
                        s.referral_id,
                        s.referral_version,
                        s.suggested_at,
                        _json([list(o) for o in s.options_per_need]),
                        at,
                    )
                    for s, at in batch.suggestions
                ],
                5,
            ),
        )


async def load(connection: asyncpg.Connection, referral_ids: Sequence[str]) -> dict[str, ReferralFacts]:
    """Every fact about each of the referrals."""
    ids = [UUID(r) for r in referral_ids]
    grouped: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for row in await connection.fetch(
        "SELECT referral_id, version, person_ref, created_at, source, pcn, practice, age_band, sex, ethnic_category,"
        " postcode_district, imd_decile, needs FROM referral_version WHERE referral_id = ANY($1::uuid[])",
        ids,
    ):
        rid = str(row[0])
        grouped[rid]["versions"].append(
            ReferralVersion(
                referral_id=rid,
                version=row[1],
                person_ref=row[2],
                created_at=row[3],
                source=row[4],
                pcn=row[5],
                practice=row[6],
                age_band=row[7],
                sex=row[8],
                ethnic_category=row[9],
                postcode_district=row[10],
                imd_decile=row[11],
                needs=tuple(row[12]),
            )
        )
    for row in await connection.fetch(
        "SELECT referral_id, plan_version, agreed_at, first_contact_at, activities FROM plan_version"
        " WHERE referral_id = ANY($1::uuid[])",
        ids,
    ):
        rid = str(row[0])
        activities = tuple(PlannedActivity(s, n) for s, n in _decoded(row[4]))
        grouped[rid]["plans"].append(PlanVersion(rid, row[1], row[2], row[3], activities))
    for row in await connection.fetch(
        "SELECT contact_id, referral_id, contact_at, kind, outcome, contacts_to_date, attendance, follow_up_id"
        " FROM contact"
        " WHERE referral_id = ANY($1::uuid[])",
        ids,
    ):
        rid = str(row[1])
        attendance = tuple(Attendance(s, st) for s, st in _decoded(row[6]))
        follow_up_id = str(row[7]) if row[7] else None
        grouped[rid]["contacts"].append(
            Contact(str(row[0]), rid, row[2], row[3], row[4], row[5], attendance, follow_up_id)
        )
    for row in await connection.fetch(
        "SELECT referral_id, score, timepoint, recorded_at, value FROM measurement WHERE referral_id = ANY($1::uuid[])",
        ids,
    ):
        rid = str(row[0])
        grouped[rid]["measurements"].append(Measurement(rid, row[1], row[2], row[3], row[4]))
    for row in await connection.fetch(
        "SELECT follow_up_id, referral_id, due_on, pcn FROM follow_up_due WHERE referral_id = ANY($1::uuid[])", ids
    ):
        rid = str(row[1])
        grouped[rid]["follow_ups_due"].append(FollowUpDue(str(row[0]), rid, row[2], row[3]))
    for row in await connection.fetch(
        "SELECT referral_id, closed_at, status, reason, first_contact_at, contacts_count FROM closure"
        " WHERE referral_id = ANY($1::uuid[])",
        ids,
    ):
        rid = str(row[0])
        grouped[rid]["closures"].append(Closure(rid, row[1], row[2], row[3], row[4], row[5]))
    result = {}
    for rid in referral_ids:
        facts = grouped.get(rid, {})
        result[rid] = ReferralFacts(
            rid,
            versions=tuple(facts.get("versions", ())),
            plans=tuple(facts.get("plans", ())),
            contacts=tuple(facts.get("contacts", ())),
            measurements=tuple(facts.get("measurements", ())),
            follow_ups_due=tuple(facts.get("follow_ups_due", ())),
            closures=tuple(facts.get("closures", ())),
        )
    return result


def _decoded(value: object) -> list[list[str]]:
    # jsonb arrives decoded on the service's pool, and as text on a bare connection.
    decoded = orjson.loads(value) if isinstance(value, str) else value
    assert isinstance(decoded, list)
    return decoded
