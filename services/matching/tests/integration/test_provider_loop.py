"""Issue 17 over the real broker: waits from service-changed v3 rank and read out; attendance a provider
confirmed outweighs attendance only self-reported."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest
from linkwork_contracts import examples, topics
from linkwork_contracts.codes import ConfirmedBy, NeedCategory, SessionAttendance
from linkwork_contracts.events import ServiceChangedV3, WaitingList
from linkwork_matching.app import build_app
from linkwork_matching.settings import Settings
from linkwork_runtime.testing import running_app

from .builders import PCN, snapshot
from .conftest import FAST_RETRY, Send, Token
from .kafka_support import eventually
from .test_learning import outcome

pytestmark = pytest.mark.integration
NEED = NeedCategory.PHYSICAL_ACTIVITY
ASK = {"needs": [NEED.value], "location": {"latitude": 53.82, "longitude": -1.58}, "travel_mode": "walk"}


def queuing(name: str, weeks: int | None, waiting: int) -> ServiceChangedV3:
    base = snapshot(uuid4(), name=name)
    capacity = WaitingList(
        places_per_week=4,
        places_remaining=0,
        waiting_list=True,
        waiting=waiting,
        estimated_wait_weeks=weeks,
        wait_basis=None if weeks is None else "observed",
        starts_per_week=None if weeks is None else 2.0,
    )
    return ServiceChangedV3(**{**base.model_dump(), "capacity": capacity})


async def test_waits_rank_and_are_read_out(settings: Settings, send: Send, token: Token) -> None:
    long, short = queuing("Walk with a long wait", 10, 19), queuing("Walk with a short wait", 3, 5)
    await send(topics.SERVICE_CHANGED, [long, short])
    async with running_app(build_app(settings, retry=FAST_RETRY)) as http:
        ranked = (await http.post("/match", json=ASK, headers=token(pcn=PCN))).json()["ranked"]
        assert [o["service_name"] for o in ranked] == [short.name, long.name]
        capacity = [[r["text"] for r in o["reasons"] if r["kind"] == "capacity"] for o in ranked]
        assert capacity == [["waiting list: about 3 weeks' wait"], ["waiting list: about 10 weeks' wait"]]


def confirmed(service_id: UUID, *, by: ConfirmedBy) -> object:
    return examples.ATTENDANCE_CONFIRMED.model_copy(
        update={
            "attendance_id": uuid4(),
            "referral_id": uuid4(),
            "activity_referral_id": uuid4(),
            "service_id": service_id,
            "need": NEED,
            "confirmed_by": by,
            "attendance": SessionAttendance.ATTENDED,
            "sessions_attended": 1,
        }
    )


async def test_provider_confirmed_attendance_outweighs_self_reports(
    settings: Settings, send: Send, token: Token
) -> None:
    a, b = snapshot(uuid4(), name="Walk A"), snapshot(uuid4(), name="Walk B")
    await send(topics.SERVICE_CHANGED, [a, b])
    async with running_app(build_app(settings, retry=FAST_RETRY)) as http:

        async def ranked() -> list[dict[str, object]]:
            answer: list[dict[str, object]] = (await http.post("/match", json=ASK, headers=token(pcn=PCN))).json()[
                "ranked"
            ]
            return answer

        # 4 of 4 confirmed by the provider against 5 of 5 only self-reported: counted alike, the five would
        # win ((5 + 4.8) / 13 > (4 + 4.8) / 12 under the 0.6 x 8 prior); weighted, the confirmed four do
        # ((2.5 + 4.8) / 10.5 < 8.8 / 12).
        await send(
            topics.ATTENDANCE_CONFIRMED,
            [confirmed(a.service_id, by=ConfirmedBy.PROVIDER) for _ in range(4)],  # type: ignore[misc]
        )
        self_reported = [outcome(b.service_id, attended=True)[1] for _ in range(5)]
        await send(topics.FOLLOW_UP_RECORDED, self_reported)

        async def learned() -> bool:
            evidence = {
                o["service_name"]: [r["text"] for r in o["reasons"] if r["kind"] == "evidence"]  # type: ignore[attr-defined, index]
                for o in await ranked()
            }
            return evidence == {
                "Walk A": ["4 of 4 people referred took part"],
                "Walk B": ["5 of 5 people referred took part"],
            }

        await eventually(learned, within=30, what="all nine attendances to be learned")
        assert [o["service_name"] for o in await ranked()] == ["Walk A", "Walk B"]
