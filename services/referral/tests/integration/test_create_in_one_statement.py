"""Issue 20: POST /referrals without an Idempotency-Key is one statement (adapters/unit_of_work.py). It must
store exactly what the transaction path stores: the referral, its timeline entry, its outbox event and the
audit record; and with a key the referral is stored once however often it is sent."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
from linkwork_contracts import topics
from linkwork_referral.adapters.samples import referral_body, synthetic_nhs_number
from linkwork_referral.app import build_app
from linkwork_referral.domain.referral import NewReferral
from linkwork_referral.service_layer.ports import IdempotencyKey
from linkwork_referral.settings import Settings
from linkwork_runtime.database import create_pool
from linkwork_runtime.principal import Principal, Role

from .conftest import OneConnection, Token
from .kafka_support import tail

pytestmark = pytest.mark.integration


async def _stored(database_url: str, referral_id: UUID) -> dict[str, Any]:
    connection = await asyncpg.connect(database_url)
    try:
        return {
            "referrals": await connection.fetchval("SELECT count(*) FROM referrals WHERE id = $1", referral_id),
            "timeline": [
                (row["kind"], row["actor"], row["actor_role"])
                for row in await connection.fetch("SELECT * FROM timeline WHERE referral_id = $1", referral_id)
            ],
            "audit": [
                (row["action"], row["outcome"], row["subject"])
                for row in await connection.fetch("SELECT * FROM audit_log WHERE referral_id = $1", referral_id)
            ],
        }
    finally:
        await connection.close()


async def test_a_referral_without_a_key_stores_referral_timeline_audit_and_event(
    client: httpx.AsyncClient, token: Token, settings: Settings
) -> None:
    body = referral_body(synthetic_nhs_number(random.Random()))
    async with tail(settings.kafka_bootstrap_servers, topics.REFERRAL_CREATED) as kafka:
        response = await client.post("/referrals", json=body, headers=token("referrer", subject="gp-1"))
        assert response.status_code == 201, response.text
        referral_id = response.json()["id"]
        assert len(await kafka.arrived(referral_id, within=60)) == 1
    stored = await _stored(settings.database_url, UUID(referral_id))
    assert stored["referrals"] == 1
    assert stored["timeline"] == [("referral-created", "gp-1", "referrer")]
    assert stored["audit"] == [("create", "allowed", "gp-1")]


async def test_a_referral_with_a_key_is_stored_once_and_replayed(
    client: httpx.AsyncClient, token: Token, settings: Settings
) -> None:
    body = referral_body(synthetic_nhs_number(random.Random()))
    headers = {**token("referrer", subject="gp-2"), "Idempotency-Key": "issue-20-key"}
    first = await client.post("/referrals", json=body, headers=headers)
    again = await client.post("/referrals", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"]
    stored = await _stored(settings.database_url, UUID(first.json()["id"]))
    assert stored["referrals"] == 1
    assert stored["timeline"] == [("referral-created", "gp-2", "referrer")]
    assert [action for action, _, _ in stored["audit"]] == ["create", "create-replayed"]


async def test_the_create_without_a_key_really_is_one_statement(
    client: httpx.AsyncClient, settings: Settings, new_referral: NewReferral
) -> None:
    """The tests above pass on the transaction path too: this one fails if a create falls back to it (the
    adapter's `_in_one_statement` saying no), which would cost the round trips issue 20 measured."""
    # The client fixture has migrated the database; the pool sets the connection up as the service's pool does.
    pool = await create_pool(settings.database_url, min_size=1, max_size=1)
    sent: list[str] = []
    async with pool.acquire() as connection:
        connection.add_query_logger(lambda record: sent.append(record.query))
        service = build_app(settings).state.referral_service(type("Context", (), {"pool": OneConnection(connection)}))
        referrer = Principal("gp-3", Role.REFERRER, "U00001")

        def build(now: datetime) -> NewReferral:
            return replace(new_referral, id=uuid4(), created_at=now, consent_recorded_at=now)

        await service.create(referrer, build, None)  # asyncpg introspects the statement's types on first use
        sent.clear()
        made, replayed = await service.create(referrer, build, None)
        assert not replayed
        assert len(sent) == 1 and sent[0].lstrip().startswith("WITH referral AS"), sent
        stored = await _stored(settings.database_url, made.id)
        assert stored["timeline"] == [("referral-created", "gp-3", "referrer")]
        assert stored["audit"] == [("create", "allowed", "gp-3")]

        sent.clear()  # with a key the referral, key and audit record go through one transaction instead
        await service.create(referrer, build, IdempotencyKey(f"key-{uuid4().hex[:8]}", "a" * 64))
        assert len(sent) > 1 and sent[0].strip().upper().startswith("BEGIN"), sent
    await pool.close()
