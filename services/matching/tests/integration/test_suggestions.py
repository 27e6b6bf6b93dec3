"""From service-changed and referral-created on the real broker to matches-suggested and the API."""

from uuid import uuid4

import pytest
from linkwork_contracts import topics
from linkwork_contracts.codes import DeliveryMode, NeedCategory, ServiceStatus
from linkwork_contracts.envelope import wrap
from linkwork_matching.adapters import referral_store
from linkwork_matching.app import build_app
from linkwork_matching.settings import Settings
from linkwork_runtime.testing import running_app

from .builders import PCN, referral, snapshot
from .conftest import FAST_RETRY, Send, Token
from .kafka_support import SOURCE, eventually, tail

pytestmark = pytest.mark.integration


async def test_a_referral_gets_one_explained_suggestion_set_from_the_live_directory(
    settings: Settings, kafka_bootstrap: str, send: Send, token: Token
) -> None:
    walk, gone, calls = uuid4(), uuid4(), uuid4()
    await send(
        topics.SERVICE_CHANGED,
        [
            snapshot(walk, name="Health walks", km_north=1.2),
            snapshot(walk, name="Health walks (new start time)", km_north=1.2, revision=2),
            snapshot(gone, name="Closed walking club", km_north=0.3),
            snapshot(gone, name="Closed walking club", km_north=0.3, revision=2, status=ServiceStatus.WITHDRAWN),
            snapshot(
                calls,
                name="Befriending calls",
                needs=(NeedCategory.LONELINESS_ISOLATION,),
                modes=(DeliveryMode.TELEPHONE,),
            ),
        ],
    )
    person = referral(needs=(NeedCategory.PHYSICAL_ACTIVITY, NeedCategory.LONELINESS_ISOLATION))
    key = str(person.referral_id)
    async with (
        tail(kafka_bootstrap, topics.MATCHES_SUGGESTED) as suggested,
        running_app(build_app(settings, retry=FAST_RETRY)) as http,
    ):
        await send(topics.REFERRAL_CREATED, [person])
        (message,) = await suggested.arrived(key, within=30)  # a second copy fails the unpacking, without a wait
        walking, lonely = message.data["needs"]
        assert [o["service_id"] for o in walking["options"]] == [str(walk)]
        (option,) = walking["options"]
        assert option["service_name"] == "Health walks (new start time)"
        assert option["reasons"] == [
            "helps with physical activity",
            "1.2 km away",
            "free",
            "Tuesdays 10:00 fits mornings",
        ]
        assert option["distance_km"] == pytest.approx(1.2, abs=0.01)
        assert [o["service_id"] for o in lonely["options"]] == [str(calls)]
        assert lonely["options"][0]["reasons"][1] == "by telephone"
        assert str(gone) not in str(message.data)

        answer = await http.get(f"/referrals/{key}/matches", headers=token(pcn=PCN))
        assert answer.status_code == 200
        assert answer.json()["needs"] == message.data["needs"]
        assert (await http.get(f"/referrals/{key}/matches", headers=token(pcn="U00002"))).status_code == 404
        assert (await http.get(f"/referrals/{key}/matches")).status_code == 401
        assert (
            await http.get(f"/referrals/{key}/matches", headers=token(role="commissioner", pcn=PCN))
        ).status_code == 403
        metrics = (await http.get("/metrics")).text
        assert "linkwork_matching_suggestion_sets_total 1.0" in metrics
        assert 'linkwork_matching_rank_seconds_count{path="event"} 1.0' in metrics
        assert "linkwork_matching_index_services 2.0" in metrics
        # The periodic tasks keep the names alerts and dashboards use (deploy/prometheus/alerts.yml).
        for task in ("index-sync", "gap-reporter"):
            assert f'linkwork_periodic_last_success_timestamp_seconds{{task="{task}"}}' in metrics


async def test_a_redelivered_referral_emits_no_second_set_but_a_new_version_does(
    settings: Settings, kafka_bootstrap: str, send: Send
) -> None:
    await send(topics.SERVICE_CHANGED, [snapshot()])
    first = referral()
    key = str(first.referral_id)
    envelope = wrap(first, source=SOURCE)
    republished = wrap(first, source=SOURCE)  # the same version under a new event id
    second = referral(
        referral_id=first.referral_id, version=2, needs=(NeedCategory.PHYSICAL_ACTIVITY, NeedCategory.HOUSING)
    )
    app = build_app(settings, retry=FAST_RETRY)
    async with tail(kafka_bootstrap, topics.MATCHES_SUGGESTED) as suggested, running_app(app):
        await send(topics.REFERRAL_CREATED, [envelope, envelope, republished, envelope, second])
        await eventually(
            lambda: any(m.data["referral_version"] == 2 for m in suggested.keyed(key)),
            within=30,
            what="the second version's suggestions",
        )
        # Same key, same partition: everything before version 2 has been handled by now.
        versions = [m.data["referral_version"] for m in suggested.keyed(key)]
        assert versions == [1, 2]
        pool = app.state.context.pool
        assert await referral_store.count_suggestion_sets(pool, first.referral_id) == 2
