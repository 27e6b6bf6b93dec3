"""The audit log: who read or changed which referral, with which role, when; and who was refused."""

from __future__ import annotations

from uuid import UUID

import asyncpg
from linkwork_runtime.principal import Principal

from linkwork_referral.domain.audit import AuditRecord


async def record(connection: asyncpg.Connection, principal: Principal, entry: AuditRecord) -> None:
    await record_as(connection, principal.subject, principal.role.value, principal.pcn, entry)


COLUMNS = "subject, role, actor_pcn, action, outcome, referral_id, referral_pcn, referral_ids, detail"


def values(subject: str, role: str, pcn: str, entry: AuditRecord) -> tuple[object, ...]:
    """The row for COLUMNS."""
    return (
        subject,
        role,
        pcn,
        entry.action,
        entry.outcome,
        entry.referral_id,
        entry.referral_pcn,
        list(entry.referral_ids),
        entry.detail,
    )


async def record_as(connection: asyncpg.Connection, subject: str, role: str, pcn: str, entry: AuditRecord) -> None:
    """For actors that are not signed-in people, e.g. an existing system whose event made a referral."""
    await connection.execute(
        f"INSERT INTO audit_log ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        *values(subject, role, pcn, entry),
    )


async def listing(
    connection: asyncpg.Connection,
    pcn: str,
    *,
    referral_id: UUID | None,
    subject: str | None,
    before_id: int | None,
    limit: int,
) -> list[asyncpg.Record]:
    """A PCN's audit records (its staff's actions and anyone's on its referrals), newest first."""
    rows: list[asyncpg.Record] = await connection.fetch(
        """SELECT id, at, subject, role, actor_pcn, action, outcome, referral_id, referral_pcn,
                  referral_ids, detail
           FROM audit_log
           WHERE (actor_pcn = $1 OR referral_pcn = $1)
             AND ($2::uuid IS NULL OR referral_id = $2 OR $2 = ANY(referral_ids))
             AND ($3::text IS NULL OR subject = $3)
             AND ($4::bigint IS NULL OR id < $4)
           ORDER BY id DESC LIMIT $5""",
        pcn,
        referral_id,
        subject,
        before_id,
        limit,
    )
    return rows
