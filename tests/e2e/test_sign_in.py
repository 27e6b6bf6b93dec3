"""Real sign-in across the four services: Keycloak's RS256 tokens are accepted, anything else is refused.

The services run as in production (`LINKWORK_JWKS_URL`, issuer and audience of the Keycloak realm); the tokens
come from Keycloak itself for the demo users, through the password grant of the development client.
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Callable

import httpx
import jwt
import pytest
from linkwork_stack.keycloak import KeycloakRealm
from linkwork_stack.people import Person
from linkwork_stack.system import JWT_SECRET, SystemUnderTest, eventually

pytestmark = pytest.mark.e2e


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _unsigned_copy(token: str, **changes: object) -> str:
    """The same claims with `alg: none` and no signature, changed as an attacker would like."""
    claims = jwt.decode(token, options={"verify_signature": False})
    claims.update(changes)
    return jwt.encode(claims, None, algorithm="none")


def _tampered(token: str, **changes: object) -> str:
    """Keycloak's header and signature around a payload changed after signing."""
    header, _, signature = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False}) | changes
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{payload}.{signature}"


async def test_keycloak_tokens_are_accepted_and_every_forgery_refused(
    system: SystemUnderTest, keycloak: KeycloakRealm, keycloak_token: Callable[..., str]
) -> None:
    rng = random.Random(14)
    async with httpx.AsyncClient(timeout=30) as client:
        referral_url = system.url("referral")
        # A referrer signs in and refers; the link worker of the same PCN sees the referral.
        person = Person.random(rng)
        created = await client.post(
            f"{referral_url}/referrals", json=person.referral_body(), headers=_bearer(keycloak_token("referrer"))
        )
        assert created.status_code == 201, created.text
        rid = created.json()["id"]
        referrer_sub = jwt.decode(keycloak_token("referrer"), options={"verify_signature": False})["sub"]
        assert created.json()["referrer"]["subject"] == referrer_sub
        worker = _bearer(keycloak_token("link-worker"))
        assert (await client.get(f"{referral_url}/referrals/{rid}", headers=worker)).status_code == 200
        # A link worker of another PCN does not.
        elsewhere = _bearer(keycloak_token("link-worker-other-pcn"))
        other = await client.get(f"{referral_url}/referrals/{rid}", headers=elsewhere)
        assert other.status_code in (403, 404), other.text

        # Each of the four services accepts a Keycloak token for a call its role may make.
        async def matched() -> bool:
            answer = await client.get(f"{system.url('matching')}/referrals/{rid}/matches", headers=worker)
            return answer.status_code == 200

        await eventually(matched, within=90, what="matching to answer the link worker with suggestions")
        calls = {
            "referral": ("link-worker", f"{referral_url}/referrals"),
            "directory": ("curator", f"{system.url('directory')}/review-queue"),
            "matching": ("link-worker", f"{system.url('matching')}/referrals/{rid}/matches"),
            "outcomes": ("commissioner", f"{system.url('outcomes')}/reports/summary"),
        }
        for service, (username, url) in calls.items():
            token = keycloak_token(username)
            accepted = await client.get(url, headers=_bearer(token))
            assert accepted.status_code == 200, f"{service}: {accepted.status_code} {accepted.text}"
            claims = jwt.decode(token, options={"verify_signature": False})
            hs256 = jwt.encode(claims, JWT_SECRET, algorithm="HS256")
            forgeries = {
                # Signed by Keycloak, for the same user, but not for the services' audience.
                "wrong audience": keycloak_token(username, audience=False),
                # Signed with the HS256 secret the services are also given: worthless once JWKS is configured.
                "HS256": hs256,
                "alg none": _unsigned_copy(token),
                "payload changed after signing": _tampered(token, pcn="U00002"),
            }
            for what, forged in forgeries.items():
                refused = await client.get(url, headers=_bearer(forged))
                assert refused.status_code == 401, f"{service}, {what}: {refused.status_code} {refused.text}"
                assert refused.headers["content-type"].startswith("application/problem+json")
