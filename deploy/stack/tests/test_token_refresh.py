"""Long journeys outlive one Keycloak access token (the realm's lifespan is 300 s): headers are asked for at each
request and the realm's token cache hands out a fresh token before the old one expires, as a GP system's client
would. A fake clock and a fake token endpoint cross the lifespan at once instead of waiting five minutes."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field

import httpx
import pytest
from linkwork_stack import keycloak, paths
from linkwork_stack.journey import Journey
from linkwork_stack.keycloak import KeycloakRealm
from linkwork_stack.people import Person
from linkwork_stack.resilient import ResilientJourney

pytestmark = pytest.mark.unit

LIFESPAN = json.loads(paths.KEYCLOAK_REALM.read_text())["accessTokenLifespan"]  # 300 s
MARGIN = 30  # what KeycloakRealm.token keeps in hand


@dataclass
class FakeKeycloak:
    """A clock and a token endpoint on it: each token expires LIFESPAN seconds after Keycloak issued it."""

    latency: float = 0.0  # how long the token endpoint takes to answer (a loaded machine)
    now: float = 1000.0
    expires: dict[str, float] = field(default_factory=dict)

    def clock(self) -> float:
        return self.now

    def password_token(self, issuer: str, username: str, **_: object) -> dict[str, object]:
        token = f"{username}-{len(self.expires)}"
        self.expires[token] = self.now + LIFESPAN  # issued as the request arrives; the answer comes later
        self.now += self.latency
        return {"access_token": token, "expires_in": LIFESPAN}

    def remaining(self, headers: dict[str, str]) -> float:
        return self.expires[headers["Authorization"].removeprefix("Bearer ")] - self.now


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeKeycloak:
    fake = FakeKeycloak()
    monkeypatch.setattr(keycloak, "password_token", fake.password_token)
    return fake


def test_a_token_is_reused_then_replaced_before_it_expires_even_when_keycloak_answers_slowly(
    fake: FakeKeycloak,
) -> None:
    fake.latency = 40.0  # longer than the margin: counting the lifespan from the answer would hand out stale ones
    realm = KeycloakRealm("http://keycloak.invalid", clock=fake.clock)
    handed_out = set()
    while fake.now < 2000:
        headers = realm.headers("link_worker")
        assert fake.remaining(headers) >= MARGIN
        handed_out.add(headers["Authorization"])
        fake.now += 7
    assert 1 < len(handed_out) < 10  # reused while good, replaced about every (LIFESPAN - MARGIN - latency) s


async def test_a_journey_longer_than_a_token_lifespan_sends_a_live_token_every_time(fake: FakeKeycloak) -> None:
    realm = KeycloakRealm("http://keycloak.invalid", clock=fake.clock)
    sent: list[float] = []

    def service(request: httpx.Request) -> httpx.Response:
        # What a linkwork service does with an expired token: 401. Every request takes a minute of the clock.
        remaining = fake.remaining({"Authorization": request.headers["authorization"]})
        sent.append(remaining)
        fake.now += 60
        if remaining <= 0:
            return httpx.Response(401, json={"title": "token expired"})
        return httpx.Response(200, json={"id": "r-1", "state": "completed"})

    rng = random.Random(1)
    async with httpx.AsyncClient(transport=httpx.MockTransport(service), base_url="http://referral") as client:
        journey = Journey(client, realm.headers, rng)
        resilient = ResilientJourney(journey)
        await journey.refer(Person.random(rng))
        for _ in range(4):
            await journey.accept("r-1")
            await journey.first_contact("r-1")
            await resilient.state("r-1")
            await journey.close("r-1")
    assert fake.now - 1000 > 2 * LIFESPAN  # the journey outlived two tokens
    assert min(sent) >= MARGIN
