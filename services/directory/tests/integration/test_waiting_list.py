"""Providers' capacity and waiting lists (issue 17): own services only, queue positions, the estimated wait."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from linkwork_contracts import examples
from linkwork_contracts.codes import ActivityReferralDecision, DeclineReason, NeedCategory, SessionAttendance
from linkwork_contracts.events import Event, ServiceChangedV3
from linkwork_directory.adapters.unit_of_work import PostgresUnitOfWork
from linkwork_directory.domain.waiting_list import EntrySource
from linkwork_directory.service_layer import waiting_list
from linkwork_directory.service_layer.ports import Acting
from linkwork_runtime.auth import Role, issue_token

from .api_support import SECRET, eventually, headers, service
from .conftest import RecordingSink, RunningDirectory

pytestmark = pytest.mark.integration


async def _announced(directory: RunningDirectory, service_id: str) -> ServiceChangedV3:
    """The service's latest snapshot on the topic, once the relay has published everything."""
    await eventually(directory.outbox_drained, what="the relay to publish the outbox")
    return (await directory.published_services())[service_id]


def provider(organisation: str) -> dict[str, str]:
    token = issue_token(SECRET, subject="provider-1", role=Role.PROVIDER, pcn="", organisation=organisation)
    return {"Authorization": f"Bearer {token}"}


async def _create(directory: RunningDirectory, name: str, **social: object) -> dict[str, str]:
    body = service(name, need=NeedCategory.PHYSICAL_ACTIVITY, **social)
    response = await directory.client.post("/services", json=body, headers=headers())
    assert response.status_code == 201, response.text
    return {"id": body["id"], "org": body["organization"]["id"]}


async def test_a_provider_manages_only_its_own_services(directory: RunningDirectory) -> None:
    client = directory.client
    walk = await _create(directory, "Walk and Talk", places_per_week=2)
    other = await _create(directory, "Somebody Else's Choir")
    mine = provider(walk["org"])

    listed = await client.get("/provider/services", headers=mine)
    assert [s["id"] for s in listed.json()] == [walk["id"]]

    # Another organisation's service is not there at all (404 rather than 403: no hint that it exists).
    for method, path, body in (
        ("GET", f"/services/{other['id']}/waiting-list", None),
        ("PUT", f"/services/{other['id']}/capacity", {"places_per_week": 1, "waiting_list": True}),
        ("POST", f"/services/{other['id']}/waiting-list", None),
    ):
        response = await client.request(method, path, json=body, headers=mine)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["detail"].startswith("service_id:")
    # A link worker may not change capacity; a provider without an organisation may do nothing.
    refused = await client.put(
        f"/services/{walk['id']}/capacity",
        json={"places_per_week": 1, "waiting_list": True},
        headers=headers(Role.LINK_WORKER),
    )
    assert refused.status_code == 403
    anonymous = await client.get(f"/services/{walk['id']}/waiting-list", headers=provider(""))
    assert anonymous.status_code == 403
    assert "org" in anonymous.json()["detail"]


async def test_bad_capacity_names_the_field_and_rule(directory: RunningDirectory) -> None:
    walk = await _create(directory, "Walk and Talk")
    response = await directory.client.put(
        f"/services/{walk['id']}/capacity",
        json={"places_per_week": -3, "waiting_list": True},
        headers=provider(walk["org"]),
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["field"], error["rule"]) == ("places_per_week", "greater_than_equal")
    assert "-3" not in response.json()["detail"]


async def test_queue_positions_and_the_estimated_wait(directory: RunningDirectory) -> None:
    client = directory.client
    walk = await _create(directory, "Walk and Talk", places_per_week=5, waiting_list=False)
    mine = provider(walk["org"])
    path = f"/services/{walk['id']}"

    # Places free and nobody waiting: no wait.
    view = (await client.get(f"{path}/waiting-list", headers=mine)).json()
    assert (view["waiting"], view["estimated_wait_weeks"], view["wait_basis"]) == (0, 0, "places-free")

    # The provider says it takes 2 a week and keeps a waiting list.
    view = (
        await client.put(f"{path}/capacity", json={"places_per_week": 2, "waiting_list": True}, headers=mine)
    ).json()
    assert (view["places_per_week"], view["waiting_list"]) == (2, True)

    # Three people come through linkwork (as activity referrals), one more from another route.
    referrals = [uuid.uuid4() for _ in range(3)]
    async with directory.pool.acquire() as conn:
        for n, referral in enumerate(referrals):
            joined = directory.clock.now() + timedelta(minutes=n)
            await waiting_list.join(
                PostgresUnitOfWork(conn),
                uuid.UUID(walk["id"]),
                Acting(joined, RecordingSink()),
                source=EntrySource.ACTIVITY_REFERRAL,
                joined_at=joined,
                entry_id=referral,
            )
        # Joining again (a redelivered event) keeps the first place.
        await waiting_list.join(
            PostgresUnitOfWork(conn),
            uuid.UUID(walk["id"]),
            Acting(directory.clock.now(), RecordingSink()),
            source=EntrySource.ACTIVITY_REFERRAL,
            joined_at=directory.clock.now() + timedelta(days=3),
            entry_id=referrals[0],
        )
    directory.clock.set(directory.clock.now() + timedelta(hours=1))
    response = await client.post(f"{path}/waiting-list", headers=mine)
    assert response.status_code == 201
    view = response.json()
    assert [e["id"] for e in view["entries"][:3]] == [str(r) for r in referrals]
    assert [e["position"] for e in view["entries"]] == [1, 2, 3, 4]
    assert view["entries"][3]["source"] == "provider"
    # 4 ahead + the newcomer at the 2 places a week the provider declared: 3 weeks.
    assert (view["waiting"], view["estimated_wait_weeks"], view["wait_basis"]) == (4, 3, "declared")
    assert view["capacity_status"] == "waitlist"

    # The link worker can see where their person stands.
    seen = (await client.get(f"/waiting-list/{referrals[1]}", headers=headers(Role.LINK_WORKER))).json()
    assert (seen["status"], seen["position"]) == ("waiting", 2)

    # The first starts, the second leaves: the third moves up to first.
    started = await client.post(f"{path}/waiting-list/{referrals[0]}/start", headers=mine)
    assert started.status_code == 200
    left = await client.post(
        f"{path}/waiting-list/{referrals[1]}/remove", json={"reason": "no-longer-wanted"}, headers=mine
    )
    assert left.json()["entries"][0]["id"] == str(referrals[2])
    seen = (await client.get(f"/waiting-list/{referrals[0]}", headers=headers(Role.LINK_WORKER))).json()
    assert (seen["status"], seen["position"]) == ("started", None)
    # Starting again changes nothing; an entry of another service is not found here.
    assert (await client.post(f"{path}/waiting-list/{referrals[0]}/start", headers=mine)).status_code == 200
    unknown = await client.post(f"{path}/waiting-list/{uuid.uuid4()}/start", headers=mine)
    assert unknown.status_code == 404

    # Matching hears of it on service-changed v3: two still queue, the provider's 2 a week -> 2 weeks.
    capacity = (await _announced(directory, walk["id"])).capacity
    assert (capacity.places_per_week, capacity.waiting_list, capacity.waiting) == (2, True, 2)
    assert (capacity.estimated_wait_weeks, capacity.wait_basis) == (2, "declared")


async def test_observed_throughput_replaces_declared_places(directory: RunningDirectory) -> None:
    walk = await _create(directory, "Walk and Talk", places_per_week=10, waiting_list=True)
    service_id = uuid.UUID(walk["id"])
    monday = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
    sink = RecordingSink()
    async with directory.pool.acquire() as conn:
        # 8 people started over the 8 weeks before this one: 1 a week, whatever the provider says.
        for week in range(1, 9):
            entry = await waiting_list.join(
                PostgresUnitOfWork(conn),
                service_id,
                Acting(monday, sink),
                source=EntrySource.PROVIDER,
                joined_at=monday - timedelta(weeks=week, days=7),
            )
            await waiting_list.start(
                PostgresUnitOfWork(conn), entry, Acting(monday, sink), at=monday - timedelta(weeks=week)
            )
        for n in range(3):
            await waiting_list.join(
                PostgresUnitOfWork(conn),
                service_id,
                Acting(monday, sink),
                source=EntrySource.PROVIDER,
                joined_at=monday + timedelta(minutes=n),
            )
    view = (await directory.client.get(f"/services/{service_id}/waiting-list", headers=provider(walk["org"]))).json()
    # 3 ahead + the newcomer at 1 a week: 4 weeks.
    assert (view["estimated_wait_weeks"], view["wait_basis"], view["starts_per_week"]) == (4, "observed", 1.0)
    assert (await directory.client.get(f"/services/{service_id}")).json()["social_prescribing"]["waiting"] == 3

    # A week later the window has slid past one start: 7 in 8 weeks, 4 / 0.875 -> 5 weeks. The service is
    # announced again for the new week (once), so matching hears the new estimate without any other change.
    directory.clock.set(monday + timedelta(weeks=1))
    rollover = directory.app.state.directory.week_rollover
    assert await rollover.run_once() == 1
    assert await rollover.run_once() == 0
    view = (await directory.client.get(f"/services/{service_id}/waiting-list", headers=provider(walk["org"]))).json()
    assert (view["estimated_wait_weeks"], view["starts_per_week"]) == (5, 0.88)


def _answer(activity_referral: uuid.UUID, service_id: str, referred: datetime, **changes: Any) -> Event:
    return examples.ACTIVITY_REFERRAL_RESPONDED.model_copy(
        update={
            "activity_referral_id": activity_referral,
            # One referral per activity referral: its events share a key, so they arrive in order.
            "referral_id": uuid.uuid5(uuid.NAMESPACE_URL, f"referral:{activity_referral}"),
            "service_id": uuid.UUID(service_id),
            "referred_at": referred,
            "responded_at": referred + timedelta(days=2),
            **changes,
        }
    )


async def test_answers_and_attendance_keep_the_queue_live(directory: RunningDirectory) -> None:
    walk = await _create(directory, "Walk and Talk", places_per_week=1, waiting_list=True)
    mine, path = provider(walk["org"]), f"/services/{walk['id']}/waiting-list"
    first, second, declined, unknown = (uuid.uuid4() for _ in range(4))
    monday = directory.clock.now()
    accepted, no_response = ActivityReferralDecision.ACCEPTED, ActivityReferralDecision.DECLINED
    await directory.deliver(
        # Accepted second but referred first: the queue goes by referral time.
        _answer(second, walk["id"], monday - timedelta(days=5), decision=accepted),
        _answer(first, walk["id"], monday - timedelta(days=9), decision=accepted),
        _answer(first, walk["id"], monday - timedelta(days=9), decision=accepted, revision=2),  # a start date set
        _answer(declined, walk["id"], monday - timedelta(days=20), decision=accepted),
        _answer(
            declined,
            walk["id"],
            monday - timedelta(days=20),
            decision=no_response,
            decline_reason=DeclineReason.NO_RESPONSE,
            starts_on=None,
            revision=2,
        ),
        _answer(unknown, str(uuid.uuid4()), monday, decision=accepted),  # a service this directory lacks
    )

    async def queued(expected: list[uuid.UUID]) -> bool:
        view = (await directory.client.get(path, headers=mine)).json()
        return bool([e["id"] for e in view["entries"]] == [str(e) for e in expected])

    await eventually(lambda: queued([first, second]), what="both accepted referrals to queue in referral order")
    # A missed session leaves the person waiting; the first attended session starts them.
    session = examples.ATTENDANCE_CONFIRMED.model_copy(
        update={
            "activity_referral_id": first,
            "referral_id": uuid.uuid5(uuid.NAMESPACE_URL, f"referral:{first}"),
            "service_id": uuid.UUID(walk["id"]),
            "session_on": monday.date(),
        }
    )
    missed = session.model_copy(update={"attendance_id": uuid.uuid4(), "attendance": SessionAttendance.DID_NOT_ATTEND})
    await directory.deliver(missed)
    await directory.deliver(session, session)
    await eventually(lambda: queued([second]), what="the first to start")
    started = await directory.pool.fetchval("SELECT started_at FROM waiting_entry WHERE id = $1", first)
    assert started == datetime.combine(monday.date(), datetime.min.time(), UTC)
