"""Referrals in PostgreSQL: the aggregate as a document, with the columns lists filter on.

`save` also keeps the follow_ups table in step with the aggregate's plan, in the same
transaction: a revised plan or a closure cancels what is no longer planned, a recorded follow-up
is done, and new planned follow-ups become pending rows for the scheduler.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg

from linkwork_referral.adapters.documents import from_document, to_document
from linkwork_referral.domain.access import CaseloadScope
from linkwork_referral.domain.caseload import CaseloadFilter, CaseloadSort, Page, Workload
from linkwork_referral.domain.referral import Referral
from linkwork_referral.domain.states import ACTIVE_STATES, WorkflowState
from linkwork_referral.service_layer.ports import CaseloadCursor

_COLUMNS = (
    "id, pcn, referrer_subject, state, link_worker, urgency, safeguarding_concern, request_id, "
    "person_ref, created_at, updated_at, document"
)

# A new referral: parameters $1-$13 are insert_values(); nothing is stored for a request id already known.
INSERT = f"""INSERT INTO referrals ({_COLUMNS}, request_source)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
             ON CONFLICT (request_source, request_id) DO NOTHING"""


def insert_values(referral: Referral, person_ref: str, request_source: str | None = None) -> tuple[object, ...]:
    return (
        referral.id,
        referral.pcn,
        referral.referrer.subject,
        referral.state.value,
        referral.link_worker,
        referral.urgency.value,
        referral.safeguarding_concern,
        referral.request_id,
        person_ref,
        referral.created_at,
        referral.updated_at or referral.created_at,
        to_document(referral),
        request_source,
    )


# States in which a referral is over: a new referral for the same person is no duplicate of these.
CLOSED_STATES = ("rejected", "completed", "cancelled", "failed", "entered-in-error")


def _in_scope(scope: CaseloadScope, argument: Callable[[object], str]) -> list[str]:
    """The conditions that keep a query to the caller's caseload: their PCN's, or a referrer's own referrals."""
    conditions = []
    if scope.pcn is not None:
        conditions.append(f"r.pcn = {argument(scope.pcn)}")
    if scope.referrer_subject is not None:
        conditions.append(f"r.referrer_subject = {argument(scope.referrer_subject)}")
    return conditions


def _postcode_key(postcode: str | None) -> str:
    return (postcode or "").replace(" ", "").upper()


# Per sort: the key columns in order (each with its direction) as SQL over r (referrals) and n (next follow-up).
# Each expression is NOT NULL so that a row comparison orders every row: "no follow-up" is the infinite future.
_SORT_KEYS: dict[CaseloadSort, tuple[tuple[str, str], ...]] = {
    CaseloadSort.NEWEST: (("r.created_at", "DESC"), ("r.id", "DESC")),
    CaseloadSort.WAITING: (("r.created_at", "ASC"), ("r.id", "ASC")),
    CaseloadSort.URGENCY: (
        ("CASE r.urgency WHEN 'urgent' THEN 0 ELSE 1 END", "ASC"),
        ("r.created_at", "ASC"),
        ("r.id", "ASC"),
    ),
    CaseloadSort.NEXT_FOLLOW_UP: (("coalesce(n.next_due, 'infinity'::timestamptz)", "ASC"), ("r.id", "ASC")),
}


@dataclass(frozen=True)
class Cursor:
    """Where the previous page ended, for one sort: the last row's key values (as text) and id."""

    sort: CaseloadSort
    key: tuple[str, ...]

    def encode(self) -> str:
        return base64.urlsafe_b64encode("|".join((self.sort.value, *self.key)).encode()).decode()

    @classmethod
    def decode(cls, cursor: str, sort: CaseloadSort) -> Cursor:
        """Raises ValueError for a cursor this service did not make, or one made for another sort."""
        try:
            name, *key = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
            made_for = CaseloadSort(name)
        except Exception as error:
            raise ValueError("cursor: not one this service returned") from error
        if made_for is not sort or len(key) != len(_SORT_KEYS[sort]):
            raise ValueError(f"cursor: made for sort {made_for.value}, not {sort.value}; start again without it")
        return cls(sort, tuple(key))


def _decode_key(sort: CaseloadSort, key: tuple[str, ...]) -> list[object]:
    """The cursor's text values as the SQL key's types (ValueError when tampered with)."""
    try:
        values: list[object] = []
        for (expression, _), text_value in zip(_SORT_KEYS[sort], key, strict=True):
            if expression == "r.id":
                values.append(UUID(text_value))
            elif expression.startswith("CASE"):
                values.append(int(text_value))
            else:
                values.append(datetime.fromisoformat(text_value))
        return values
    except ValueError as error:
        raise ValueError("cursor: not one this service returned") from error


def _key_text(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


# Open caseload: being worked (a link-worker stage) or on hold; requested ones are not anyone's yet.
OPEN_STATES = sorted(s.value for s in (*ACTIVE_STATES, WorkflowState.ON_HOLD))


class ReferralRepository:
    def __init__(self, connection: asyncpg.Connection, time_zone: ZoneInfo) -> None:
        self._connection = connection
        self._zone = time_zone

    async def add(self, referral: Referral, person_ref: str, request_source: str | None = None) -> bool:
        """Insert a new referral; False (and nothing stored) if its sending system's request id is already known."""
        inserted = await self._connection.fetchval(
            INSERT + " RETURNING true", *insert_values(referral, person_ref, request_source)
        )
        return bool(inserted)

    async def get(self, referral_id: UUID, *, for_update: bool = False) -> Referral | None:
        lock = " FOR UPDATE" if for_update else ""
        document = await self._connection.fetchval(f"SELECT document FROM referrals WHERE id = $1{lock}", referral_id)
        return None if document is None else from_document(document)

    async def pcn_of(self, referral_id: UUID) -> str | None:
        """The referral's PCN without loading it (for auditing a refusal); None when there is no such referral."""
        pcn: str | None = await self._connection.fetchval("SELECT pcn FROM referrals WHERE id = $1", referral_id)
        return pcn

    async def request_known(self, request_source: str, request_id: str) -> bool:
        """Whether this sending system's request already made a referral."""
        known = "SELECT true FROM referrals WHERE request_source = $1 AND request_id = $2"
        return bool(await self._connection.fetchval(known, request_source, request_id))

    async def person_ref(self, referral_id: UUID) -> str:
        value: str = await self._connection.fetchval("SELECT person_ref FROM referrals WHERE id = $1", referral_id)
        return value

    async def save(self, referral: Referral) -> None:
        await self._connection.execute(
            """UPDATE referrals SET state = $2, link_worker = $3, updated_at = $4, document = $5
               WHERE id = $1""",
            referral.id,
            referral.state.value,
            referral.link_worker,
            referral.updated_at,
            to_document(referral),
        )
        await self._sync_follow_ups(referral)

    async def _sync_follow_ups(self, referral: Referral) -> None:
        done = [c.follow_up_id for c in referral.contacts if c.follow_up_id is not None]
        pending = referral.pending_follow_ups()
        await self._connection.execute(
            "UPDATE follow_ups SET state = 'done' WHERE id = ANY($1::uuid[]) AND state <> 'done'", done
        )
        await self._connection.execute(
            """UPDATE follow_ups SET state = 'cancelled'
               WHERE referral_id = $1 AND state IN ('pending', 'due') AND NOT id = ANY($2::uuid[])""",
            referral.id,
            [f.id for f in pending],
        )
        if pending and referral.plan is not None:
            version = referral.plan.version
            await self._connection.executemany(
                """INSERT INTO follow_ups (id, referral_id, plan_version, sequence, kind, due_on, due_at)
                   VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING""",
                [
                    (
                        f.id,
                        referral.id,
                        version,
                        f.sequence,
                        f.kind.value,
                        f.due_on,
                        datetime.combine(f.due_on, time(0), tzinfo=self._zone),
                    )
                    for f in pending
                ],
            )

    async def possible_duplicates(
        self, scope: CaseloadScope, nhs_number: str, family_name: str, date_of_birth: date, postcode: str | None
    ) -> list[tuple[Referral, str]]:
        """Open referrals in scope for the same NHS number; failing that, close matches on the same date of
        birth with the same family name or postcode. Each with how it matched."""
        conditions: list[str] = ["r.state <> ALL($1::text[])"]
        arguments: list[object] = [list(CLOSED_STATES)]

        def argument(value: object) -> str:
            arguments.append(value)
            return f"${len(arguments)}"

        conditions.extend(_in_scope(scope, argument))
        person = "r.document->'person'"
        same_number = f"{person}->>'nhs_number' = {argument(nhs_number)}"
        close = (
            f"{person}->>'date_of_birth' = {argument(date_of_birth.isoformat())} AND "
            f"(lower({person}->>'family_name') = lower({argument(family_name)})"
            + (
                f" OR upper(replace({person}->>'postcode', ' ', '')) = {argument(_postcode_key(postcode))})"
                if postcode
                else ")"
            )
        )
        rows = await self._connection.fetch(
            f"""SELECT r.document, {same_number} AS same_number FROM referrals r
                WHERE {" AND ".join(conditions)} AND (({same_number}) OR ({close}))
                ORDER BY r.created_at DESC LIMIT 10""",
            *arguments,
        )
        found = [
            (from_document(row["document"]), "same-nhs-number" if row["same_number"] else "close-match") for row in rows
        ]
        if any(how == "same-nhs-number" for _, how in found):
            return [(referral, how) for referral, how in found if how == "same-nhs-number"]
        return found

    async def workload(self, pcn: str) -> list[Workload]:
        """Per link worker of `pcn` with any referral: open caseload, first contacts, overdue follow-ups."""
        rows = await self._connection.fetch(
            """SELECT r.link_worker,
                      count(*) FILTER (WHERE r.state = ANY($2::text[])) AS open,
                      count(*) FILTER (WHERE r.state = ANY($2::text[])
                                       AND r.document->>'first_contact_at' IS NULL) AS awaiting_first_contact,
                      coalesce(sum(o.overdue) FILTER (WHERE r.state = ANY($2::text[])), 0) AS overdue_follow_ups,
                      percentile_cont(0.5) WITHIN GROUP (
                          ORDER BY extract(epoch FROM (r.document->>'first_contact_at')::timestamptz - r.created_at)
                      ) FILTER (WHERE r.document->>'first_contact_at' IS NOT NULL) / 86400 AS median_days
               FROM referrals r
               LEFT JOIN LATERAL (SELECT count(*) AS overdue FROM follow_ups f
                                  WHERE f.referral_id = r.id AND f.state IN ('pending', 'due')
                                    AND f.due_at <= now()) o ON true
               WHERE r.pcn = $1 AND r.link_worker IS NOT NULL
               GROUP BY r.link_worker
               ORDER BY open DESC, r.link_worker""",
            pcn,
            OPEN_STATES,
        )
        return [
            Workload(
                row["link_worker"],
                row["open"],
                row["awaiting_first_contact"],
                int(row["overdue_follow_ups"]),
                None if row["median_days"] is None else round(float(row["median_days"]), 1),
            )
            for row in rows
        ]

    async def open_referrals_of(self, pcn: str, link_worker: str) -> list[UUID]:
        """The ids of a link worker's open referrals, oldest first (what moves when they leave)."""
        rows = await self._connection.fetch(
            "SELECT id FROM referrals WHERE pcn = $1 AND link_worker = $2 AND state = ANY($3::text[]) "
            "ORDER BY created_at, id",
            pcn,
            link_worker,
            OPEN_STATES,
        )
        return [row["id"] for row in rows]

    async def caseload(
        self,
        scope: CaseloadScope,
        where: CaseloadFilter,
        *,
        limit: int,
        cursor: CaseloadCursor | None,
        sort: CaseloadSort = CaseloadSort.NEWEST,
    ) -> Page:
        conditions, arguments = ["true"], []

        def argument(value: object) -> str:
            arguments.append(value)
            return f"${len(arguments)}"

        conditions.extend(_in_scope(scope, argument))
        if where.states:
            conditions.append(f"r.state = ANY({argument([s.value for s in where.states])}::text[])")
        if where.link_worker is not None:
            conditions.append(f"r.link_worker = {argument(where.link_worker)}")
        if where.overdue is not None:
            exists = (
                "EXISTS (SELECT 1 FROM follow_ups f WHERE f.referral_id = r.id "
                "AND f.state IN ('pending', 'due') AND f.due_at <= now())"
            )
            conditions.append(exists if where.overdue else f"NOT {exists}")
        if where.urgency is not None:
            conditions.append(f"r.urgency = {argument(where.urgency)}")
        if where.safeguarding is not None:
            conditions.append(f"r.safeguarding_concern = {argument(where.safeguarding)}")
        if where.nhs_number is not None:
            conditions.append(f"r.document->'person'->>'nhs_number' = {argument(where.nhs_number)}")
        if where.date_of_birth is not None:
            conditions.append(f"r.document->'person'->>'date_of_birth' = {argument(where.date_of_birth.isoformat())}")
        if where.name is not None:
            pattern = argument("%" + where.name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
            person = "r.document->'person'"
            conditions.append(f"(({person}->>'given_name') || ' ' || ({person}->>'family_name')) ILIKE {pattern}")
        keys = _SORT_KEYS[sort]
        if cursor is not None:
            # Every key of a sort runs the same way, so one row comparison is the keyset condition.
            after = ">" if keys[0][1] == "ASC" else "<"
            values = _decode_key(sort, cursor.key)
            conditions.append(f"({', '.join(k for k, _ in keys)}) {after} ({', '.join(argument(v) for v in values)})")
        rows = await self._connection.fetch(
            f"""SELECT r.id, r.created_at, r.document, n.next_due,
                       {", ".join(f"{k} AS key_{i}" for i, (k, _) in enumerate(keys))}
                FROM referrals r
                LEFT JOIN LATERAL (SELECT min(f.due_at) AS next_due FROM follow_ups f
                                   WHERE f.referral_id = r.id AND f.state IN ('pending', 'due')) n ON true
                WHERE {" AND ".join(conditions)}
                ORDER BY {", ".join(f"{k} {direction}" for k, direction in keys)} LIMIT {argument(limit + 1)}""",
            *arguments,
        )
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = None
        if more:
            last = rows[-1]
            next_cursor = Cursor(sort, tuple(_key_text(last[f"key_{i}"]) for i in range(len(keys)))).encode()
        due = {row["id"]: row["next_due"] for row in rows if row["next_due"] is not None}
        return Page([from_document(row["document"]) for row in rows], next_cursor, due)
