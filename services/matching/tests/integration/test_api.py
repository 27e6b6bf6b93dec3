"""POST /match: a link worker's own filters, starting from a referral or from scratch."""

from datetime import time
from uuid import uuid4

import pytest
from linkwork_contracts import topics
from linkwork_contracts.codes import DayOfWeek, DeliveryMode, NeedCategory
from linkwork_contracts.events import Schedule
from linkwork_matching.app import build_app
from linkwork_matching.settings import Settings
from linkwork_runtime.testing import running_app

from .builders import PCN, referral, snapshot
from .conftest import FAST_RETRY, Send, Token, refer_and_wait_for_matches

pytestmark = pytest.mark.integration
HOME = {"latitude": 53.82, "longitude": -1.58}


async def test_filters_narrow_the_options_and_every_option_is_explained(
    settings: Settings, send: Send, token: Token
) -> None:
    thursday = (Schedule(byday=(DayOfWeek.TH,), opens_at=time(18, 30), closes_at=time(20, 0)),)
    near, far, evening = uuid4(), uuid4(), uuid4()
    await send(
        topics.SERVICE_CHANGED,
        [
            snapshot(near, name="Morning walk", km_north=0.5),
            snapshot(far, name="Country walk", km_north=6.0),
            snapshot(evening, name="Evening walk", km_north=1.0, schedules=thursday),
            snapshot(name="Online yoga", modes=(DeliveryMode.ONLINE,)),
        ],
    )
    async with running_app(build_app(settings, retry=FAST_RETRY)) as http:

        async def names(**ask: object) -> list[str]:
            body = {"needs": ["physical-activity"], "location": HOME, **ask}
            answer = await http.post("/match", json=body, headers=token(pcn=PCN))
            assert answer.status_code == 200, answer.text
            options = answer.json()["ranked"]
            assert all(o["reasons"] and o["summary"].startswith(o["service_name"]) for o in options)
            return sorted(o["service_name"] for o in options)

        assert await names(travel_mode="car") == ["Country walk", "Evening walk", "Morning walk", "Online yoga"]
        assert await names(travel_mode="car", max_distance_km=2) == ["Evening walk", "Morning walk", "Online yoga"]
        assert await names(travel_mode="car", delivery_modes=["in-person"]) == [
            "Country walk",
            "Evening walk",
            "Morning walk",
        ]
        assert await names(sessions_in=[{"day": "TH", "part_of_day": "evening"}]) == ["Evening walk"]


async def test_a_referral_is_the_starting_point_and_its_pcn_is_enforced(
    settings: Settings, send: Send, token: Token
) -> None:
    await send(
        topics.SERVICE_CHANGED,
        [snapshot(name="Walk"), snapshot(name="Choir", needs=(NeedCategory.ARTS_CREATIVITY_CULTURE,))],
    )
    person = referral(needs=(NeedCategory.PHYSICAL_ACTIVITY,))
    app = build_app(settings, retry=FAST_RETRY)
    async with running_app(app) as http:
        await refer_and_wait_for_matches(app, send, person)
        own = {"referral_id": str(person.referral_id)}
        answer = (await http.post("/match", json=own, headers=token(pcn=PCN))).json()
        assert [o["service_name"] for o in answer["ranked"]] == ["Walk"]
        # Replacing the needs keeps the rest of the person (location, travel) from the referral.
        arts = {**own, "needs": ["arts-creativity-culture"]}
        answer = (await http.post("/match", json=arts, headers=token(pcn=PCN))).json()
        assert [o["service_name"] for o in answer["ranked"]] == ["Choir"]
        assert (await http.post("/match", json=own, headers=token(pcn="U00002"))).status_code == 404
        assert (await http.post("/match", json={"location": HOME}, headers=token(pcn=PCN))).status_code == 422
        assert (await http.post("/match", json=arts, headers=token(role="referrer", pcn=PCN))).status_code == 403
