"""Issue 19: the notifications service's narrow contact-route endpoint: its own credential, every fetch
audited, only the preferred channel's address, nothing for telephone or closed referrals."""

from __future__ import annotations

import asyncpg
import httpx
import pytest
from linkwork_referral.adapters.samples import referral_body, synthetic_nhs_number
from linkwork_referral.app import build_app
from linkwork_referral.settings import Settings
from linkwork_runtime.testing import running_app
from pydantic import SecretStr

from .conftest import FAST_RETRY, Token

pytestmark = pytest.mark.integration

ROUTE_TOKEN = "contact-route-token-for-tests-at-least-32-bytes"


async def test_contact_route_for_the_notifications_service_only(settings: Settings, token: Token) -> None:
    settings = settings.model_copy(update={"contact_route_token": SecretStr(ROUTE_TOKEN)})
    async with running_app(build_app(settings, retry=FAST_RETRY)) as client:
        await _check(client, token, settings)


async def _create(client: httpx.AsyncClient, token: Token, preferred: str) -> str:
    body = referral_body(
        synthetic_nhs_number(), person={**referral_body("x")["person"], "preferred_contact": preferred}
    )
    body["person"]["nhs_number"] = synthetic_nhs_number()
    response = await client.post("/referrals", json=body, headers=token())
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _check(client: httpx.AsyncClient, token: Token, settings: Settings) -> None:
    by_sms = await _create(client, token, "text-message")
    by_phone = await _create(client, token, "telephone")
    by_email = await _create(client, token, "email")
    ok = {"Authorization": f"Bearer {ROUTE_TOKEN}"}

    route = (await client.get(f"/internal/contact-routes/{by_sms}", headers=ok)).json()
    assert route == {
        "accepted": False,  # still waiting for triage
        "preferred_channel": "sms",
        "consented_channels": ["sms"],
        "phone": "0113 496 0000",
    }
    assert (await client.post(f"/referrals/{by_sms}/accept", json={}, headers=token())).status_code == 200
    assert (await client.get(f"/internal/contact-routes/{by_sms}", headers=ok)).json()["accepted"] is True
    route = (await client.get(f"/internal/contact-routes/{by_email}", headers=ok)).json()
    assert route == {
        "accepted": False,
        "preferred_channel": "email",
        "consented_channels": ["email"],
        "email": "ada@example.org",
    }
    route = (await client.get(f"/internal/contact-routes/{by_phone}", headers=ok)).json()
    assert route == {"accepted": False, "consented_channels": []}  # the link worker calls

    # A person's token, even a PCN admin's, is not the notifications service's credential.
    refused = await client.get(f"/internal/contact-routes/{by_sms}", headers=token("pcn_admin"))
    assert refused.status_code == 401
    assert "0113" not in refused.text
    assert (await client.get(f"/internal/contact-routes/{by_sms}")).status_code == 401

    connection = await asyncpg.connect(settings.database_url)
    try:
        rows = await connection.fetch(
            "SELECT subject, role, outcome, referral_id::text FROM audit_log WHERE action = 'read-contact-route' "
            "ORDER BY id"
        )
    finally:
        await connection.close()
    assert [tuple(r) for r in rows] == [
        ("notifications", "service", "allowed", by_sms),
        ("notifications", "service", "allowed", by_sms),
        ("notifications", "service", "allowed", by_email),
        ("notifications", "service", "allowed", by_phone),
        ("unknown", "service", "denied", by_sms),
        ("unknown", "service", "denied", by_sms),
    ]


async def test_without_a_configured_token_the_endpoint_refuses_everyone(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/internal/contact-routes/6f1c2a4e-3b7d-4c1e-9a2f-0d5e8b7c6a11", headers={"Authorization": "Bearer "}
    )
    assert response.status_code == 401
