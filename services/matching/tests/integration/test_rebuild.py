"""The read model rebuilt from the compacted topic gives exactly the suggestions it gave before."""

import random
from uuid import UUID

import pytest
from linkwork_contracts import topics
from linkwork_contracts.codes import DeliveryMode, NeedCategory, ServiceStatus
from linkwork_contracts.events import ServiceChangedV1
from linkwork_matching.adapters import read_model
from linkwork_matching.app import build_app
from linkwork_matching.settings import Settings
from linkwork_runtime.testing import running_app

from .builders import PCN, referral, snapshot
from .conftest import FAST_RETRY, Send, Token, settings_for
from .kafka_support import tail

pytestmark = pytest.mark.integration
NEEDS = (NeedCategory.PHYSICAL_ACTIVITY, NeedCategory.LONELINESS_ISOLATION, NeedCategory.ARTS_CREATIVITY_CULTURE)


def history(rng: random.Random) -> list[ServiceChangedV1]:
    """Sixty services with several revisions each, some withdrawn along the way."""
    events = []
    for number in range(60):
        service_id = UUID(int=rng.getrandbits(128))
        for revision in range(1, rng.randint(1, 4) + 1):
            withdrawn = revision > 1 and rng.random() < 0.15
            events.append(
                snapshot(
                    service_id,
                    name=f"Activity {number} r{revision}",
                    revision=revision,
                    km_north=rng.uniform(0.1, 3.0),
                    needs=(rng.choice(NEEDS),),
                    modes=rng.choice([(DeliveryMode.IN_PERSON,), (DeliveryMode.ONLINE,)]),
                    status=ServiceStatus.WITHDRAWN if withdrawn else ServiceStatus.ACTIVE,
                )
            )
    return events


async def test_a_fresh_database_replays_the_topic_and_suggests_identically(
    settings: Settings, kafka_bootstrap: str, send: Send, second_database_url: str, token: Token
) -> None:
    await send(topics.SERVICE_CHANGED, history(random.Random(5)))
    person = referral(needs=NEEDS, interests=("walking",))
    key = str(person.referral_id)
    ask = {
        "needs": list(NEEDS),
        "location": {"latitude": 53.82, "longitude": -1.58},
        "travel_mode": "car",
        "limit": 20,
        "options_per_need": 5,
    }
    async with tail(kafka_bootstrap, topics.MATCHES_SUGGESTED) as suggested:
        async with running_app(build_app(settings, retry=FAST_RETRY)) as http:
            await send(topics.REFERRAL_CREATED, [person])
            # Waits for the first copy; the unpacking fails at once on a second one.
            [first] = await suggested.arrived(key, within=30)
            before = (await http.post("/match", json=ask, headers=token(pcn=PCN))).json()

        # A second replica's worth of state: a new database, nothing but the topics to go on.
        rebuilt = settings_for(second_database_url, kafka_bootstrap, settings.topic_prefix)
        async with running_app(build_app(rebuilt, retry=FAST_RETRY)) as http:
            # Its own consumer group re-reads referral-created too, and suggests again.
            _, second = await suggested.arrived(key, count=2, within=30)
            after = (await http.post("/match", json=ask, headers=token(pcn=PCN))).json()

    assert first.data["needs"] == second.data["needs"]
    assert sum(len(n["options"]) for n in first.data["needs"]) >= 6  # a real comparison, not of empties
    assert before == after


async def test_resetting_the_read_model_replays_it_in_the_same_database(
    settings: Settings, send: Send, token: Token
) -> None:
    await send(topics.SERVICE_CHANGED, history(random.Random(9)))
    ask = {"needs": list(NEEDS), "location": {"latitude": 53.82, "longitude": -1.58}, "travel_mode": "car", "limit": 20}
    app = build_app(settings, retry=FAST_RETRY)
    async with running_app(app) as http:
        before = (await http.post("/match", json=ask, headers=token(pcn=PCN))).json()
        old_generation = await read_model.generation(app.state.context.pool)
        async with app.state.context.pool.acquire() as connection:
            await read_model.reset(connection)
    assert before["ranked"]
    app = build_app(settings, retry=FAST_RETRY)
    async with running_app(app) as http:
        assert await read_model.generation(app.state.context.pool) != old_generation
        after = (await http.post("/match", json=ask, headers=token(pcn=PCN))).json()
    assert before == after
