"""The service layer's ports (service_layer/ports.py) over asyncpg."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
from linkwork_contracts.events import MatchesSuggestedV1, ProvisionGapV1, ReferralCreatedV1
from linkwork_runtime import messaging

from linkwork_matching.adapters import gap_store, referral_store
from linkwork_matching.adapters.contract_events import ContractEvents
from linkwork_matching.domain.gaps import GapObservation, OpenGap


class PostgresMatchingStore(ContractEvents):
    """One consumer transaction's connection; `source` is the CloudEvents source of what it publishes."""

    def __init__(self, connection: asyncpg.Connection, source: str) -> None:
        self._connection, self._source = connection, source

    async def save_referral(self, event: ReferralCreatedV1) -> bool:
        return await referral_store.save_referral(self._connection, event)

    async def has_suggestions(self, referral_id: UUID, version: int) -> bool:
        return await referral_store.has_suggestions(self._connection, referral_id, version)

    async def save_suggestions(self, message: MatchesSuggestedV1) -> bool:
        return await referral_store.save_suggestions(self._connection, message)

    async def publish(self, message: MatchesSuggestedV1) -> None:
        await messaging.add(self._connection, message, source=self._source)

    async def record_gaps(
        self, referral_id: UUID, version: int, observations: list[GapObservation], now: datetime
    ) -> None:
        await gap_store.record(self._connection, referral_id, version, observations, now)


class PostgresReferralReader(ContractEvents):
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def referral(self, referral_id: UUID) -> ReferralCreatedV1 | None:
        return await referral_store.referral(self._pool, referral_id)

    async def latest_suggestions(self, referral_id: UUID) -> tuple[str, dict[str, Any]] | None:
        return await referral_store.latest_suggestions(self._pool, referral_id)


class PostgresGapReportStore(ContractEvents):
    """One reporting transaction's connection; `source` is the CloudEvents source of what it publishes."""

    def __init__(self, connection: asyncpg.Connection, source: str) -> None:
        self._connection, self._source = connection, source

    async def claim_open_gaps(self) -> list[OpenGap]:
        return await gap_store.claim_open_gaps(self._connection)

    async def publish(self, message: ProvisionGapV1) -> None:
        await messaging.add(self._connection, message, source=self._source)

    async def mark_reported(self, gap: OpenGap, now: datetime) -> None:
        await gap_store.mark_reported(self._connection, gap, now)

    async def prune(self, older_than: timedelta, now: datetime) -> int:
        return await gap_store.prune(self._connection, older_than, now)


class PostgresGapReports:
    """Gap-reporting transactions on the pool (service_layer/ports.py's `GapReports`)."""

    def __init__(self, pool: asyncpg.Pool, source: str) -> None:
        self._pool, self._source = pool, source

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresGapReportStore]:
        async with self._pool.acquire() as connection, connection.transaction():
            yield PostgresGapReportStore(connection, self._source)
