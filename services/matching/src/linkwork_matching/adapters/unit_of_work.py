"""The service layer's unit of work (service_layer/ports.py `MatchingUnitOfWork`) over one PostgreSQL connection.

Each record port is a thin face on the table modules (referral_store and gap_store through
`PostgresMatchingStore`, learning_store, read_model); the SQL stays in those modules.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from linkwork_contracts.codes import NeedCategory
from linkwork_contracts.events import ServiceChangedV1

from linkwork_matching.adapters import learning_store, read_model
from linkwork_matching.adapters.match_store import PostgresMatchingStore
from linkwork_matching.domain.attendance import Attendance


class PostgresLearningRecords:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def save_baseline(self, referral_id: UUID, plan_version: int, swemwbs_metric: float | None) -> bool:
        return await learning_store.save_baseline(self._connection, referral_id, plan_version, swemwbs_metric)

    async def save_follow_up_wellbeing(self, referral_id: UUID, swemwbs_metric: float, measured_at: datetime) -> bool:
        return await learning_store.save_follow_up_wellbeing(self._connection, referral_id, swemwbs_metric, measured_at)

    async def save_attendance(self, attendance: Attendance) -> bool:
        return await learning_store.save_attendance(self._connection, attendance)

    async def observed_activities(self, referral_id: UUID) -> list[tuple[UUID, NeedCategory]]:
        return await learning_store.observed_activities(self._connection, referral_id)

    async def refresh_tally(self, service_id: UUID, need: NeedCategory) -> None:
        await learning_store.refresh_tally(self._connection, service_id, need)


class PostgresServiceSnapshots:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def save(self, event: ServiceChangedV1, data: dict[str, Any] | None = None) -> bool:
        return await read_model.save_snapshot(self._connection, event, data)


class PostgresMatchingSession:
    """Matching's records on one connection, inside a transaction its caller holds."""

    def __init__(self, connection: asyncpg.Connection, source: str) -> None:
        self.referrals = PostgresMatchingStore(connection, source)
        self.learning = PostgresLearningRecords(connection)
        self.snapshots = PostgresServiceSnapshots(connection)


class PostgresMatchingUnitOfWork:
    """`source` is the CloudEvents source of what the joined records publish."""

    def __init__(self, source: str) -> None:
        self._source = source

    def joining(self, transaction: asyncpg.Connection) -> PostgresMatchingSession:
        # Every statement runs on the caller's connection, so it commits or rolls back with the caller.
        return PostgresMatchingSession(transaction, self._source)
