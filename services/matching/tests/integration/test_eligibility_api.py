"""POST /match with providers' own rules (issue 21), the directory's v2 snapshots read from Kafka."""

from uuid import uuid4

import pytest
from linkwork_contracts import topics
from linkwork_contracts.codes import DeliveryMode, NeedCategory, ReferralRoute
from linkwork_contracts.events import PostcodeArea
from linkwork_matching.app import build_app
from linkwork_matching.settings import Settings
from linkwork_runtime.testing import running_app

from .builders import PCN, snapshot
from .conftest import FAST_RETRY, Send, Token

pytestmark = pytest.mark.integration
INVERNESS = {"latitude": 57.5, "longitude": -4.2}
HOUSING = (NeedCategory.HOUSING,)


async def test_inverness_housing_is_not_offered_leeds_only_advice_and_the_gap_is_reported(
    settings: Settings, send: Send, token: Token
) -> None:
    """The issue's case: near Inverness, housing, 5 km; "Housing advice (Holbeck Methodist)" serves LS only."""
    holbeck, leeds_line = uuid4(), uuid4()
    leeds = (PostcodeArea(prefix="LS", name="Leeds"),)
    await send(
        topics.SERVICE_CHANGED,
        [
            snapshot(
                holbeck,
                name="Housing advice (Holbeck Methodist)",
                needs=HOUSING,
                modes=(DeliveryMode.ONLINE,),
                service_areas=(PostcodeArea(prefix="LS"),),
            ),
            snapshot(
                leeds_line,
                name="Leeds housing line",
                needs=HOUSING,
                modes=(DeliveryMode.TELEPHONE, DeliveryMode.ONLINE),
                service_areas=leeds,
                eligibility=("residents",),
                referral_routes=(ReferralRoute.PROFESSIONAL_REFERRAL,),
            ),
        ],
    )
    async with running_app(build_app(settings, retry=FAST_RETRY)) as http:

        async def ask(**given: object) -> dict[str, object]:
            body = {"needs": ["housing"], "max_distance_km": 5, **given}
            answer = await http.post("/match", json=body, headers=token(pcn=PCN))
            assert answer.status_code == 200, answer.text
            result: dict[str, object] = answer.json()
            return result

        inverness = await ask(location=INVERNESS)
        assert inverness["ranked"] == []
        assert inverness["gaps"] == ["housing"]
        (need,) = inverness["needs"]  # type: ignore[misc]
        assert need["eligible_services"] == 0
        assert sorted(c["service_name"] for c in need["check_eligibility"]) == [
            "Housing advice (Holbeck Methodist)",
            "Leeds housing line",
        ]
        assert need["gap_reason"].startswith("2 housing services within 5 km, none for this area")

        # Known to live outside Leeds: excluded for certain, nothing to check.
        (need,) = (await ask(location=INVERNESS, postcode_district="IV2"))["needs"]  # type: ignore[misc]
        assert need["check_eligibility"] == [] and need["barred_services"] == 2

        # In Leeds: offered, and the suggestion says why the person qualifies and how to get in.
        leeds_answer = await ask(postcode_district="LS11")
        offered = {o["service_name"]: [r["text"] for r in o["reasons"]] for o in leeds_answer["ranked"]}  # type: ignore[attr-defined]
        assert set(offered) == {"Housing advice (Holbeck Methodist)", "Leeds housing line"}
        assert "for Leeds residents; the person lives there" in offered["Leeds housing line"]
        assert "needs a professional referral" in offered["Leeds housing line"]
        assert leeds_answer["gaps"] == []

        # Only a location, in Holbeck (LS11): the nearest postcode district stands in.
        located = await ask(location={"latitude": 53.78, "longitude": -1.56})
        assert len(located["ranked"]) == 2  # type: ignore[arg-type]


async def test_eligibility_facts_given_to_match_are_checked_and_validated(
    settings: Settings, send: Send, token: Token
) -> None:
    await send(
        topics.SERVICE_CHANGED,
        [snapshot(name="Carers' café", needs=(NeedCategory.CARERS_SUPPORT,), eligibility=("carers",))],
    )
    async with running_app(build_app(settings, retry=FAST_RETRY)) as http:
        body = {"needs": ["carers-support"], "location": {"latitude": 53.82, "longitude": -1.58}}
        # A referral for carers' support says the person is a carer, unless recorded otherwise.
        answer = await http.post("/match", json=body, headers=token(pcn=PCN))
        assert [o["service_name"] for o in answer.json()["ranked"]] == ["Carers' café"]
        answer = await http.post("/match", json={**body, "carer": False}, headers=token(pcn=PCN))
        assert answer.status_code == 200 and answer.json()["ranked"] == []
        bad = await http.post("/match", json={**body, "local_authority": "Leeds"}, headers=token(pcn=PCN))
        assert bad.status_code in (400, 422)
        assert "local_authority" in bad.text and "Leeds" not in bad.text.replace("local_authority", "")
