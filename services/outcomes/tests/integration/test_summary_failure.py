"""Issue 15 [medium]: a referral whose outcomes summary fails must not freeze reporting. It is set aside with
its reason and the rest of its batch is projected; new facts give it another try."""

from __future__ import annotations

import asyncpg
import pytest
from linkwork_outcomes.adapters import fact_store
from linkwork_outcomes.adapters.event_facts import facts_of
from linkwork_outcomes.adapters.projection_store import PostgresProjectionStore
from linkwork_outcomes.adapters.synthetic.history import generate
from linkwork_outcomes.app import COMPONENT_MIGRATIONS
from linkwork_outcomes.domain.facts import FactBatch, ReferralFacts
from linkwork_outcomes.domain.referral_summary import ReferralSummary, summarise
from linkwork_outcomes.service_layer import projection
from linkwork_runtime.database import open_database

pytestmark = pytest.mark.integration


async def test_one_failing_summary_is_set_aside_and_the_others_are_projected(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pool = await open_database(database_url, COMPONENT_MIGRATIONS)
    await pool.close()
    connection = await asyncpg.connect(database_url)
    try:
        batch = FactBatch()
        for event, envelope in generate(3, referrals=40).events:
            facts_of(event, envelope.time, batch)
        async with connection.transaction():
            await fact_store.store(connection, batch)
        queued = await connection.fetchval("SELECT count(DISTINCT referral_id) FROM pending_referral")
        bad = str(await connection.fetchval("SELECT referral_id FROM pending_referral ORDER BY seq LIMIT 1"))

        def fragile(facts: ReferralFacts) -> ReferralSummary:
            if facts.referral_id == bad:
                raise ValueError("a summary bug meets postcode 'LS6 1AA'")
            return summarise(facts)

        monkeypatch.setattr(projection, "summarise", fragile)
        told: list[tuple[str, str]] = []
        store = PostgresProjectionStore(connection)
        await projection.project_pending(store, 10_000, lambda rid, reason: told.append((rid, reason)))
        summaries = await connection.fetchval("SELECT count(*) FROM referral_summary")
        failure = await connection.fetchrow("SELECT referral_id, reason FROM summary_failure")
        assert summaries == queued - 1  # everyone else is reported on
        assert failure["referral_id"] == bad and failure["reason"].startswith("ValueError")
        assert "LS6 1AA" not in failure["reason"] and told == [(bad, failure["reason"])]
        assert await connection.fetchval("SELECT count(*) FROM pending_referral") == 0  # nothing stuck

        # Fixed (or new facts): the next time it is queued, it is summarised and leaves summary_failure.
        monkeypatch.setattr(projection, "summarise", summarise)
        await connection.execute("INSERT INTO pending_referral (referral_id) VALUES ($1)", bad)
        await projection.project_pending(store)
        assert await connection.fetchval("SELECT count(*) FROM referral_summary") == queued
        assert await connection.fetchval("SELECT count(*) FROM summary_failure") == 0
    finally:
        await connection.close()
