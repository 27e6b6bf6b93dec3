"""service-changed through the outbox to the compacted topic; plan-agreed uptake and places remaining."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from linkwork_contracts.codes import CapacityStatus, NeedCategory, ServiceStatus
from linkwork_contracts.events import PlanAgreedV1, PlannedActivity, ServiceChangedV1
from linkwork_directory.adapters.service_events import snapshot
from linkwork_directory.adapters.service_reader import load_services
from linkwork_directory.adapters.topics import CompactedTopic, cleanup_policy
from linkwork_directory.domain.capacity import week_starting

from .api_support import eventually, headers, north_of, service
from .conftest import RunningDirectory, fresh_database, running_directory

pytestmark = pytest.mark.integration
N = NeedCategory


async def _venue(directory: RunningDirectory, metres: float) -> tuple[float, float]:
    row = await directory.pool.fetchrow("SELECT latitude, longitude FROM postcode ORDER BY postcode LIMIT 1")
    return north_of(row["latitude"], row["longitude"], metres)


async def test_reading_the_topic_from_the_start_rebuilds_the_directory(directory: RunningDirectory) -> None:
    client = directory.client
    walk = service("Walk", need=N.PHYSICAL_ACTIVITY, venue=await _venue(directory, 200), days="TU", places_per_week=10)
    calls = service("Calls", need=N.LONELINESS_ISOLATION, area="LS")
    choir = service("Choir", need=N.ARTS_CREATIVITY_CULTURE, venue=await _venue(directory, 900), days="WE")
    for body in (walk, calls, choir):
        assert (await client.post("/services", json=body, headers=headers())).status_code == 201
    walk["name"] = "Walk and Talk"
    walk["social_prescribing"]["places_per_week"] = 12
    # A change to an existing service names the version it was made to (If-Match, issue 18).
    version = {"If-Match": (await client.get(f"/services/{walk['id']}")).headers["ETag"]}
    changed = await client.put(f"/services/{walk['id']}", json=walk, headers={**headers(), **version})
    assert changed.status_code == 200
    await client.post(f"/services/{choir['id']}/withdraw", json={"reason": "disbanded"}, headers=headers())
    await client.post(f"/services/{calls['id']}/verify", headers=headers())
    # The same document again changes nothing and publishes nothing.
    version = {"If-Match": changed.headers["ETag"]}
    assert (await client.put(f"/services/{walk['id']}", json=walk, headers={**headers(), **version})).status_code == 200

    await eventually(directory.outbox_drained, what="the relay to publish the outbox")
    rebuilt = await directory.published_services()

    async with directory.pool.acquire() as conn:
        ids = [r["id"] for r in await conn.fetch("SELECT id FROM service")]
        stored = await load_services(conn, ids, week=week_starting(directory.clock.now()))
    assert set(rebuilt) == {str(i) for i in ids}
    for service_id, loaded in stored.items():
        expected = snapshot(loaded, changed_at=directory.clock.now(), centroids={})
        assert isinstance(expected, ServiceChangedV1)
        assert rebuilt[str(service_id)] == expected
    assert rebuilt[walk["id"]].name == "Walk and Talk"
    assert rebuilt[walk["id"]].capacity.places_per_week == 12
    assert rebuilt[walk["id"]].revision == 2
    assert rebuilt[choir["id"]].status is ServiceStatus.WITHDRAWN
    assert rebuilt[calls["id"]].last_verified_on == directory.clock.now().date()


async def test_the_topic_is_created_compacted(kafka_bootstrap: str) -> None:
    topic = f"test-service-changed-{uuid.uuid4().hex[:8]}"
    await CompactedTopic(kafka_bootstrap, topic=topic, partitions=2).start()
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        assert await cleanup_policy(admin, topic) == "compact"
    finally:
        await admin.delete_topics([topic])
        await admin.close()


def _plan(referral: uuid.UUID, version: int, services: list[str], agreed: datetime) -> PlanAgreedV1:
    return PlanAgreedV1(
        referral_id=referral,
        person_ref="a" * 64,
        plan_version=version,
        referral_version=1,
        agreed_at=agreed,
        first_contact_at=None,
        needs_addressed=(N.PHYSICAL_ACTIVITY,),
        activities=tuple(PlannedActivity(service_id=uuid.UUID(s), need=N.PHYSICAL_ACTIVITY) for s in services),
    )


async def test_agreed_plans_take_places_and_revisions_give_them_back(directory: RunningDirectory) -> None:
    client = directory.client
    group = service(
        "Gardening", need=N.PHYSICAL_ACTIVITY, venue=await _venue(directory, 300), days="MO", places_per_week=2
    )
    other = service("Pottery", need=N.PHYSICAL_ACTIVITY, venue=await _venue(directory, 600), days="FR")
    for body in (group, other):
        await client.post("/services", json=body, headers=headers())
    agreed = directory.clock.now()
    first, second, third = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    async def extension() -> dict[str, Any]:
        body: dict[str, Any] = (await client.get(f"/services/{group['id']}")).json()["social_prescribing"]
        return body

    async def settled(expected_plans: int) -> bool:
        count = await directory.pool.fetchval(
            "SELECT count(*) FROM plan_version WHERE referral_id = ANY($1)", [first, second, third]
        )
        return bool(count == expected_plans)

    await directory.deliver(_plan(first, 1, [group["id"], other["id"]], agreed))
    await eventually(lambda: settled(1), what="the first plan to be counted")
    assert (await extension())["places_remaining"] == 1

    # Version 2 drops the group: its place comes back. A late copy of version 1 changes nothing.
    await directory.deliver(
        _plan(first, 2, [other["id"]], agreed),
        _plan(first, 1, [group["id"]], agreed),
        _plan(second, 1, [group["id"]], agreed),
        _plan(third, 1, [group["id"]], agreed),
    )
    await eventually(lambda: settled(3), what="all plans to be counted")
    await eventually(directory.outbox_drained, what="the relay to publish the outbox")
    state = await extension()
    assert (state["places_remaining"], state["taken_this_week"], state["uptake_total"]) == (0, 2, 2)
    assert state["capacity_status"] == CapacityStatus.NO_CAPACITY.value
    assert (await client.get(f"/services/{other['id']}")).json()["social_prescribing"]["uptake_total"] == 1

    rebuilt = await directory.published_services()
    assert rebuilt[group["id"]].capacity.places_remaining == 0
    assert rebuilt[other["id"]].capacity.places_remaining is None  # no weekly limit set

    # A new week starts with all places free again, and that is announced once.
    directory.clock.set(datetime(2025, 6, 9, 9, 0, tzinfo=UTC))
    assert (await extension())["places_remaining"] == 2
    rollover = directory.app.state.directory.week_rollover
    assert await rollover.run_once() == 1
    assert await rollover.run_once() == 0
    await eventually(directory.outbox_drained, what="the relay to publish the outbox")
    assert (await directory.published_services())[group["id"]].capacity.places_remaining == 2


async def test_two_directories_on_one_broker_each_count_only_the_plans_sent_to_them(
    directory: RunningDirectory, postgres_url: str, kafka_bootstrap: str
) -> None:
    """Two test sessions on the shared broker, each with its directory running: a plan is counted by the
    directory it was sent to, and only by that one.

    When every directory read the contract's plan-agreed, the other session's directory counted this session's
    plans too, in its own database (and announced the capacity of any of its services they named)."""
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    agreed = directory.clock.now()

    async def counted(running: RunningDirectory) -> list[uuid.UUID]:
        referrals = await running.pool.fetchval("SELECT array_agg(referral_id) FROM plan_version")
        return list(referrals or [])

    async with (
        fresh_database(postgres_url) as other_database,
        running_directory(other_database, kafka_bootstrap, directory.clock) as other,
    ):
        await directory.deliver(_plan(mine, 1, [str(uuid.uuid4())], agreed))
        await other.deliver(_plan(theirs, 1, [str(uuid.uuid4())], agreed))

        async def each_counted_a_plan() -> bool:
            return bool(await counted(directory)) and bool(await counted(other))

        await eventually(each_counted_a_plan, within=60, what="each directory to count the plan sent to it")
        assert await counted(directory) == [mine]
        assert await counted(other) == [theirs]
