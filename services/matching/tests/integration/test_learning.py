"""Follow-ups teach the ranker: outcomes favouring one of two equal services put it first."""

from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from linkwork_contracts import examples, topics
from linkwork_contracts.codes import (
    AttendanceStatus,
    ConfirmedBy,
    ContactKind,
    ContactOutcome,
    DeliveryMode,
    NeedCategory,
)
from linkwork_contracts.events import (
    ActivityAttendance,
    FollowUpRecordedV1,
    PlanAgreedV1,
    PlannedActivity,
)
from linkwork_contracts.measures import SwemwbsResult, Timepoint
from linkwork_matching.app import build_app
from linkwork_matching.settings import Settings
from linkwork_runtime.testing import running_app

from .builders import AT, PCN, snapshot
from .conftest import FAST_RETRY, Send, Token
from .kafka_support import eventually

pytestmark = pytest.mark.integration
NEED = NeedCategory.PHYSICAL_ACTIVITY
ASK = {"needs": [NEED.value], "location": {"latitude": 53.82, "longitude": -1.58}, "travel_mode": "walk"}


def wellbeing(items: int, timepoint: Timepoint, days: int) -> SwemwbsResult:
    return SwemwbsResult.from_items([items] * 7, recorded_at=AT + timedelta(days=days), timepoint=timepoint)


def outcome(service_id: UUID, *, attended: bool) -> tuple[PlanAgreedV1, FollowUpRecordedV1]:
    """One person's plan (baseline 3s) and 6-week follow-up (4s if they went, 3s if not)."""
    referral_id = uuid4()
    plan = PlanAgreedV1(
        referral_id=referral_id,
        person_ref=examples.PERSON_REF,
        plan_version=1,
        referral_version=1,
        agreed_at=AT,
        first_contact_at=AT,
        needs_addressed=(NEED,),
        activities=(PlannedActivity(service_id=service_id, need=NEED),),
        baseline_measures=(wellbeing(3, Timepoint.BASELINE, 0),),
    )
    follow_up = FollowUpRecordedV1(
        referral_id=referral_id,
        person_ref=examples.PERSON_REF,
        contact_id=uuid4(),
        follow_up_id=None,
        contact_at=AT + timedelta(days=42),
        kind=ContactKind.FOLLOW_UP,
        mode=DeliveryMode.TELEPHONE,
        outcome=ContactOutcome.CONTACT_MADE,
        contacts_to_date=3,
        attendance=(
            ActivityAttendance(
                service_id=service_id,
                need=NEED,
                confirmed_by=ConfirmedBy.PERSON,
                status=AttendanceStatus.ATTENDING if attended else AttendanceStatus.DID_NOT_ATTEND,
            ),
        ),
        measures=(wellbeing(4 if attended else 3, Timepoint.FOLLOW_UP, 42),),
    )
    return plan, follow_up


async def test_outcomes_favouring_one_of_two_equal_services_rank_it_first(
    settings: Settings, send: Send, token: Token
) -> None:
    await send(topics.SERVICE_CHANGED, [snapshot(uuid4(), name="Walk A"), snapshot(uuid4(), name="Walk B")])
    async with running_app(build_app(settings, retry=FAST_RETRY)) as http:

        async def order() -> list[str]:
            answer = await http.post("/match", json=ASK, headers=token(pcn=PCN))
            return [o["service_name"] for o in answer.json()["ranked"]]

        ranked = (await http.post("/match", json=ASK, headers=token(pcn=PCN))).json()["ranked"]
        other, favoured = ranked  # favour the one the tie-break put second
        first, second = other["service_name"], favoured["service_name"]
        events = [outcome(UUID(favoured["service_id"]), attended=True) for _ in range(10)]
        events += [outcome(UUID(other["service_id"]), attended=False) for _ in range(10)]
        # Follow-ups before plans for half of them: baselines that arrive late still count.
        await send(topics.FOLLOW_UP_RECORDED, [f for _, f in events])
        await send(topics.PLAN_AGREED, [p for p, _ in events])

        async def evidence() -> list[str]:
            ranked = (await http.post("/match", json=ASK, headers=token(pcn=PCN))).json()["ranked"]
            top = next(o for o in ranked if o["service_name"] == second)
            return [r["text"] for r in top["reasons"] if r["kind"] == "evidence"]

        # Baseline 3s is raw 21 (metric 19.25); follow-up 4s is raw 28 (metric 25.03): +5.78.
        learned = ["10 of 10 people referred took part", "wellbeing up 5.8 points on average for 10 people"]

        async def all_learned() -> bool:
            return await evidence() == learned

        await eventually(all_learned, within=30, what="all twenty outcomes to be learned")
        assert await order() == [second, first]
