"""Issue 15 [medium]: the audit log cannot be rewritten, the service can run without owner rights, and what
was missed before (refused creates, refused audit reads, probes of missing ids, referrals from events) is on record."""

from __future__ import annotations

import random
from pathlib import Path
from uuid import uuid4

import asyncpg
import httpx
import pytest
from linkwork_contracts.envelope import wrap
from linkwork_referral.adapters.reference_tables import PracticeDirectory
from linkwork_referral.adapters.samples import referral_body, synthetic_nhs_number
from linkwork_referral.app import build_app
from linkwork_referral.handlers.referral_requested import ReferralRequestedHandler
from linkwork_referral.service_layer.requests import referral_id_for
from linkwork_referral.settings import Settings
from linkwork_runtime.database import create_pool
from linkwork_runtime.testing import running_app

from .conftest import PCN, Token
from .test_inbound import request

pytestmark = pytest.mark.integration
GRANTS = Path(__file__).parents[4] / "deploy/postgres/referral-service-role.sql"


async def _audit(database_url: str) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(database_url)
    try:
        return list(await connection.fetch("SELECT * FROM audit_log ORDER BY id"))
    finally:
        await connection.close()


async def test_the_audit_log_refuses_update_delete_and_truncate_even_to_its_owner(
    client: httpx.AsyncClient, token: Token, settings: Settings
) -> None:
    assert (await client.get("/audit", headers=token("pcn_admin"))).status_code == 200  # one record to protect
    connection = await asyncpg.connect(settings.database_url)  # the owner (postgres)
    try:
        for statement in (
            "UPDATE audit_log SET subject = 'someone-else'",
            "DELETE FROM audit_log",
            "TRUNCATE audit_log",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
                await connection.execute(statement)
        assert await connection.fetchval("SELECT count(*) FROM audit_log") >= 1
    finally:
        await connection.close()


async def test_the_service_runs_as_a_least_privilege_role_and_migrates_as_the_owner(
    settings: Settings, token: Token
) -> None:
    role = f"referral_service_{uuid4().hex[:8]}"
    owner = await asyncpg.connect(settings.database_url)
    try:
        await owner.execute(f'CREATE ROLE "{role}" LOGIN')
        async with running_app(build_app(settings)):
            pass  # migrations applied by the owner
        await owner.execute(GRANTS.read_text().replace(':"service_role"', f'"{role}"'))
        as_service = settings.model_copy(
            update={
                "database_url": settings.database_url.replace("postgres@", f"{role}@", 1),
                "database_migration_url": settings.database_url,
            }
        )
        async with running_app(build_app(as_service)) as client:
            created = await client.post(
                "/referrals", json=referral_body(synthetic_nhs_number(random.Random())), headers=token("referrer")
            )
            assert created.status_code == 201, created.text
            assert (await client.get("/audit", headers=token("pcn_admin"))).status_code == 200
        service = await asyncpg.connect(as_service.database_url)
        try:
            assert await service.fetchval("SELECT count(*) FROM audit_log") >= 2
            for statement in ("UPDATE audit_log SET subject = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"):
                with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
                    await service.execute(statement)
        finally:
            await service.close()
    finally:
        await owner.execute(f'DROP OWNED BY "{role}"')
        await owner.execute(f'DROP ROLE "{role}"')
        await owner.close()


async def test_refusals_probes_and_event_created_referrals_are_audited(
    client: httpx.AsyncClient, token: Token, settings: Settings
) -> None:
    body = referral_body(synthetic_nhs_number(random.Random()))
    assert (await client.post("/referrals", json=body, headers=token("commissioner"))).status_code == 403
    assert (await client.get("/audit", headers=token("link_worker"))).status_code == 403
    missing = uuid4()
    assert (await client.get(f"/referrals/{missing}", headers=token("link_worker"))).status_code == 404

    # A referral made from an existing system's event, through the handler the consumer calls.
    app_service = build_app(settings).state.referral_service
    event = request(f"req-{uuid4().hex[:8]}")
    envelope = wrap(event, source="urn:test:gp-system")
    pool = await create_pool(settings.database_url, min_size=1, max_size=2)
    try:
        service = app_service(type("Context", (), {"pool": pool})())
        practices = PracticeDirectory.load(settings.practice_pcn_table, settings.default_pcn)
        async with pool.acquire() as connection, connection.transaction():
            await ReferralRequestedHandler(service, service.unit_of_work, practices)(event, envelope, connection)
    finally:
        await pool.close()

    records = {(r["action"], r["outcome"], r["role"]): r for r in await _audit(settings.database_url)}
    assert ("create", "denied", "commissioner") in records
    assert ("read-audit", "denied", "link_worker") in records
    assert records[("read", "not-found", "link_worker")]["referral_id"] == missing
    from_event = records[("create-from-event", "allowed", "existing-system")]
    assert from_event["subject"] == "urn:test:gp-system"
    assert from_event["referral_id"] == referral_id_for(event.request_id, "urn:test:gp-system")
    assert from_event["referral_pcn"] == PCN


async def test_a_request_id_is_unique_per_sending_system_not_across_them(settings: Settings) -> None:
    """Issue 15 [medium]: `request_id` is unique per sending system; another system's "1" is another referral."""
    pool = await create_pool(settings.database_url, min_size=1, max_size=2)
    async with running_app(build_app(settings)) as _:
        pass  # migrations
    try:
        service = build_app(settings).state.referral_service(type("Context", (), {"pool": pool})())
        handler = ReferralRequestedHandler(
            service, service.unit_of_work, PracticeDirectory.load(settings.practice_pcn_table, None)
        )
        request_id = f"req-{uuid4().hex[:8]}"
        for source in ("urn:test:system-a", "urn:test:system-b", "urn:test:system-a"):
            event = request(request_id)
            async with pool.acquire() as connection, connection.transaction():
                await handler(event, wrap(event, source=source), connection)
        rows = await pool.fetch("SELECT id, request_source FROM referrals WHERE request_id = $1", request_id)
    finally:
        await pool.close()
    assert {(r["id"], r["request_source"]) for r in rows} == {
        (referral_id_for(request_id, "urn:test:system-a"), "urn:test:system-a"),
        (referral_id_for(request_id, "urn:test:system-b"), "urn:test:system-b"),
    }
