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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

import asyncpg
import orjson
from linkwork_runtime.database import from_record

from linkwork_outcomes.domain.facts import (
    Attendance,
    Closure,
    Contact,
    FactBatch,
    FollowUpDue,
    Measurement,
    PlannedActivity,
    PlanVersion,
    ProvisionGap,
    ReferralFacts,
    ReferralVersion,
    ServiceLabel,
    SuggestionSet,
)

F = TypeVar("F")
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


@dataclass(frozen=True)
class Table(Generic[F]):
    """How one kind of fact is written: the statement, the columns its arrays fill, and one fact's row.

    `sql` takes one array per column, `$1` for `columns[0]` and so on, and `to_row` gives a fact's
    values in that order; a row of the wrong width fails here, not as a misplaced value in a column.
    """

    sql: str
    columns: tuple[str, ...]
    to_row: Callable[[F], tuple[object, ...]]

    @classmethod
    def of(cls, sql: str, fact: type, *, timed: bool = True, **encode: Callable[[Any], object]) -> Table[Any]:
        """The table of `fact`, its columns named like the fact's fields and in their order.

        When `timed`, each item is `(fact, event time)` and the event time fills a last column, `event_time`.
        `encode` turns a field's value into its column's where they differ (a tuple of pairs into JSON text).
        """
        names = tuple(f.name for f in fields(fact))

        def to_row(item: Any) -> tuple[object, ...]:
            one, at = item if timed else (item, None)
            row = tuple(encode[name](getattr(one, name)) if name in encode else getattr(one, name) for name in names)
            return (*row, at) if timed else row

        return cls(sql, (*names, "event_time") if timed else names, to_row)

    def arrays(self, facts: Iterable[F]) -> list[list[object]]:
        rows = [self.to_row(fact) for fact in facts]
        arrays = [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in self.columns]
        if len(arrays) != len(self.columns):
            raise ValueError(f"{len(arrays)} values for the {len(self.columns)} columns {self.columns}")
        return arrays


VERSIONS: Table[tuple[ReferralVersion, datetime]] = Table.of(_VERSIONS, ReferralVersion, needs=",".join)
PLANS: Table[tuple[PlanVersion, datetime]] = Table.of(
    _PLANS, PlanVersion, activities=lambda activities: _json([[a.service_id, a.need] for a in activities])
)
CONTACTS: Table[tuple[Contact, datetime]] = Table.of(
    _CONTACTS, Contact, attendance=lambda attendance: _json([[a.service_id, a.status] for a in attendance])
)
MEASUREMENTS: Table[Measurement] = Table.of(_MEASUREMENTS, Measurement, timed=False)
FOLLOW_UPS_DUE: Table[tuple[FollowUpDue, datetime]] = Table.of(_DUE, FollowUpDue)
CLOSURES: Table[tuple[Closure, datetime]] = Table.of(_CLOSURES, Closure)
GAPS: Table[tuple[ProvisionGap, datetime]] = Table.of(_GAPS, ProvisionGap)
SERVICES: Table[tuple[ServiceLabel, datetime]] = Table.of(_SERVICES, ServiceLabel)
SUGGESTIONS: Table[tuple[SuggestionSet, datetime]] = Table.of(
    _SUGGESTIONS, SuggestionSet, options_per_need=lambda options: _json([list(o) for o in options])
)
TABLES = (VERSIONS, PLANS, CONTACTS, MEASUREMENTS, FOLLOW_UPS_DUE, CLOSURES, GAPS, SERVICES, SUGGESTIONS)


async def _insert(connection: asyncpg.Connection, table: Table[F], facts: Sequence[F]) -> set[str]:
    """Store the facts; the referrals of those that were new (their statement returns `referral_id`)."""
    if not facts:
        return set()
    returned = await connection.fetch(table.sql, *table.arrays(facts))
    return {str(row["referral_id"]) for row in returned}


async def store(connection: asyncpg.Connection, batch: FactBatch, *, queue: bool = True) -> set[str]:
    """Store the batch's facts (a fact already stored is skipped); return the referrals they changed.

    Those referrals are queued for the projector unless `queue` is false (a rebuild queues every
    referral once at the end instead).
    """
    changed: set[str] = set()
    changed |= await _insert(connection, VERSIONS, batch.versions)
    changed |= await _insert(connection, PLANS, batch.plans)
    changed |= await _insert(connection, CONTACTS, batch.contacts)
    changed |= await _insert(connection, MEASUREMENTS, batch.measurements)
    changed |= await _insert(connection, FOLLOW_UPS_DUE, batch.follow_ups_due)
    changed |= await _insert(connection, CLOSURES, batch.closures)
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
        await connection.execute(GAPS.sql, *GAPS.arrays(gaps))
    services = _latest(((s.service_id, (s, at)) for s, at in batch.services), lambda item: item[0].revision)
    if services:
        await connection.execute(SERVICES.sql, *SERVICES.arrays(services))
    if batch.suggestions:
        await connection.execute(SUGGESTIONS.sql, *SUGGESTIONS.arrays(batch.suggestions))


def _version(row: asyncpg.Record) -> ReferralVersion:
    return from_record(ReferralVersion, row, referral_id=str(row["referral_id"]), needs=tuple(row["needs"]))


def _plan(row: asyncpg.Record) -> PlanVersion:
    activities = tuple(PlannedActivity(service_id, need) for service_id, need in _decoded(row["activities"]))
    return from_record(PlanVersion, row, referral_id=str(row["referral_id"]), activities=activities)


def _contact(row: asyncpg.Record) -> Contact:
    return from_record(
        Contact,
        row,
        contact_id=str(row["contact_id"]),
        referral_id=str(row["referral_id"]),
        attendance=tuple(Attendance(service_id, status) for service_id, status in _decoded(row["attendance"])),
        follow_up_id=str(row["follow_up_id"]) if row["follow_up_id"] else None,
    )


def _measurement(row: asyncpg.Record) -> Measurement:
    return from_record(Measurement, row, referral_id=str(row["referral_id"]))


def _follow_up_due(row: asyncpg.Record) -> FollowUpDue:
    return from_record(FollowUpDue, row, follow_up_id=str(row["follow_up_id"]), referral_id=str(row["referral_id"]))


def _closure(row: asyncpg.Record) -> Closure:
    return from_record(Closure, row, referral_id=str(row["referral_id"]))


def _read(fact: type, table: str) -> str:
    # Columns are named like the fact's fields and read back by name: a reordered SELECT cannot shift a value.
    return f"SELECT {', '.join(f.name for f in fields(fact))} FROM {table} WHERE referral_id = ANY($1::uuid[])"


# The ReferralFacts field each query fills, and how one of its rows becomes a fact.
_READS: tuple[tuple[str, str, Callable[[asyncpg.Record], Any]], ...] = (
    ("versions", _read(ReferralVersion, "referral_version"), _version),
    ("plans", _read(PlanVersion, "plan_version"), _plan),
    ("contacts", _read(Contact, "contact"), _contact),
    ("measurements", _read(Measurement, "measurement"), _measurement),
    ("follow_ups_due", _read(FollowUpDue, "follow_up_due"), _follow_up_due),
    ("closures", _read(Closure, "closure"), _closure),
)


_ALL_REFERRALS = """
SELECT referral_id FROM referral_version UNION SELECT referral_id FROM plan_version
UNION SELECT referral_id FROM contact UNION SELECT referral_id FROM measurement
UNION SELECT referral_id FROM follow_up_due UNION SELECT referral_id FROM closure
ORDER BY 1
"""


async def all_referral_ids(connection: asyncpg.Connection) -> list[str]:
    """Every referral with at least one fact, in order."""
    return [str(row["referral_id"]) for row in await connection.fetch(_ALL_REFERRALS)]


async def load(connection: asyncpg.Connection, referral_ids: Sequence[str]) -> dict[str, ReferralFacts]:
    """Every fact about each of the referrals."""
    ids = [UUID(r) for r in referral_ids]
    grouped: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for field, sql, to_fact in _READS:
        for row in await connection.fetch(sql, ids):
            fact = to_fact(row)
            grouped[fact.referral_id][field].append(fact)
    result = {}
    for rid in referral_ids:
        facts = grouped.get(rid, {})
        result[rid] = ReferralFacts(rid, **{field: tuple(facts.get(field, ())) for field, _, _ in _READS})
    return result


def _decoded(value: object) -> list[list[str]]:
    # jsonb arrives decoded on the service's pool, and as text on a bare connection.
    decoded = orjson.loads(value) if isinstance(value, str) else value
    assert isinstance(decoded, list)
    return decoded
