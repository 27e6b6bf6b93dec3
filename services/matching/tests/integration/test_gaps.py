"""A need with nothing within reach yields one aggregated provision-gap, not one per referral."""

import random
import string
from datetime import UTC, datetime, timedelta

import pytest
from linkwork_contracts import topics
from linkwork_contracts.codes import DeliveryMode, NeedCategory
from linkwork_contracts.events import PostcodeArea
from linkwork_matching.adapters import referral_store
from linkwork_matching.adapters.match_store import PostgresGapReports
from linkwork_matching.app import build_app
from linkwork_matching.domain.gaps import GapPolicy
from linkwork_matching.service_layer.report_gaps import GapReporter
from linkwork_matching.settings import Settings
from linkwork_runtime.testing import running_app

from .builders import referral, snapshot
from .conftest import FAST_RETRY, Send
from .kafka_support import eventually, tail

pytestmark = pytest.mark.integration


async def test_three_unmet_referrals_in_one_area_make_one_report(
    settings: Settings, kafka_bootstrap: str, send: Send
) -> None:
    # A district no other test uses, since provision-gap is a shared topic.
    district = (
        "Q" + random.choice(string.ascii_uppercase) + str(random.randint(0, 9)) + random.choice(string.ascii_uppercase)
    )
    await send(
        topics.SERVICE_CHANGED,
        [
            snapshot(),  # physical activity, near: that need is met
            snapshot(name="Housing advice", needs=(NeedCategory.HOUSING,), km_north=30.0),
        ],
    )
    people = [
        referral(needs=(NeedCategory.PHYSICAL_ACTIVITY, NeedCategory.HOUSING), district=district) for _ in range(3)
    ]
    housing, walking = f"{district}:housing", f"{district}:physical-activity"
    app = build_app(settings, retry=FAST_RETRY)
    async with tail(kafka_bootstrap, topics.PROVISION_GAP) as gaps, running_app(app):
        pool = app.state.context.pool
        await send(topics.REFERRAL_CREATED, people)

        async def all_matched() -> bool:
            counts = [await referral_store.count_suggestion_sets(pool, p.referral_id) for p in people]
            return counts == [1, 1, 1]

        await eventually(all_matched, within=30, what="three suggestion sets")

        now = datetime.now(UTC)
        reporter = GapReporter(
            PostgresGapReports(pool, settings.event_source), GapPolicy(timedelta(hours=24)), clock=lambda: now
        )
        assert await reporter.report_once() == 1
        (report,) = await gaps.arrived(housing, within=30)  # a second copy fails the unpacking, without a wait
        assert report.data["referrals_unmet"] == 3 and report.data["referrals_with_need"] == 3
        assert report.data["nearest_option_km"] == pytest.approx(30.0, abs=0.1)
        assert report.data["need"] == "housing" and report.data["postcode_district"] == district

        # Nothing new: nothing to say. A new unmet referral waits for the next period.
        assert await reporter.report_once() == 0
        late = referral(needs=(NeedCategory.HOUSING,), district=district)
        await send(topics.REFERRAL_CREATED, [late])
        await eventually(
            lambda: referral_store.count_suggestion_sets(pool, late.referral_id),
            within=30,
            what="the late referral's set",
        )
        now += timedelta(hours=1)
        assert await reporter.report_once() == 0
        now += timedelta(hours=24)
        assert await reporter.report_once() == 1
        _, second = await gaps.arrived(housing, count=2, within=30)
        assert second.data["referrals_unmet"] == 1
        assert gaps.keyed(walking) == []


async def test_a_gap_counts_only_eligible_services_and_says_which_rule_excluded_the_near_ones(
    settings: Settings, kafka_bootstrap: str, send: Send
) -> None:
    """Issue 21 through Kafka: Leeds-only housing advice next door is not offered to people from another
    area; their referrals are a gap whose report names the rule and the nearest *eligible* option."""
    district = "Q" + random.choice(string.ascii_uppercase) + str(random.randint(0, 9))
    leeds = (PostcodeArea(prefix="LS", name="Leeds"),)
    await send(
        topics.SERVICE_CHANGED,
        [
            snapshot(name="Housing advice (Holbeck Methodist)", needs=(NeedCategory.HOUSING,), service_areas=leeds),
            snapshot(
                name="Leeds housing line",
                needs=(NeedCategory.HOUSING,),
                modes=(DeliveryMode.TELEPHONE,),
                service_areas=leeds,
                eligibility=("residents",),
            ),
            snapshot(name="Housing drop-in far away", needs=(NeedCategory.HOUSING,), km_north=30.0),
        ],
    )
    people = [referral(needs=(NeedCategory.HOUSING,), district=district) for _ in range(2)]
    app = build_app(settings, retry=FAST_RETRY)
    async with (
        tail(kafka_bootstrap, topics.PROVISION_GAP) as gaps,
        tail(kafka_bootstrap, topics.MATCHES_SUGGESTED) as suggested,
        running_app(app),
    ):
        pool = app.state.context.pool
        await send(topics.REFERRAL_CREATED, people)
        for person in people:
            (message,) = await suggested.arrived(str(person.referral_id), within=30)
            (need,) = message.data["needs"]
            assert need["options"] == []  # nothing Leeds-only, and the far one is out of reach
        now = datetime.now(UTC)
        reporter = GapReporter(
            PostgresGapReports(pool, settings.event_source), GapPolicy(timedelta(hours=24)), clock=lambda: now
        )
        assert await reporter.report_once() == 1
        key = f"{district}:housing"
        (report,) = await gaps.arrived(key, within=30)
        assert report.data["referrals_unmet"] == 2
        assert report.data["nearest_option_km"] == pytest.approx(30.0, abs=0.1)  # the eligible one
        assert report.data["excluded_by"] == (
            "2 housing services within 2 km, none for this area (for Leeds residents only)"
        )
