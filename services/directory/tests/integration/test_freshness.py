"""Stale services: flagged after the review period, queued oldest first, counted by a gauge; verifying resets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from linkwork_contracts.codes import NeedCategory
from linkwork_directory.adapters.clock import SettableClock
from linkwork_runtime.auth import Role

from .api_support import headers, service
from .conftest import RunningDirectory, running_directory

pytestmark = pytest.mark.integration
N = NeedCategory


async def _stale_gauge(directory: RunningDirectory) -> float:
    await directory.app.state.directory.stale_gauge.refresh()
    metrics = (await directory.client.get("/metrics")).text
    line = next(line for line in metrics.splitlines() if line.startswith("linkwork_directory_stale_services "))
    return float(line.split()[1])


async def _queue(directory: RunningDirectory) -> list[str]:
    response = await directory.client.get("/review-queue", headers=headers())
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["contents"]]


async def test_review_queue_follows_the_clock_and_verification(directory: RunningDirectory) -> None:
    client, clock = directory.client, directory.clock
    # Three services, verified (through ORUK's assured_date) on different days; one never verified.
    documents = {}
    for name, assured in (
        ("Lunch club", "2025-01-10"),
        ("Walking group", "2025-03-01"),
        ("Choir", "2025-05-20"),
        ("Befriending", None),
    ):
        documents[name] = service(name, need=N.LONELINESS_ISOLATION)
        if assured:
            documents[name]["assured_date"] = assured
        assert (await client.post("/services", json=documents[name], headers=headers())).status_code == 201

    # 2 June 2025: six months back is 2 December 2024, so only the never-verified one is due.
    assert await _queue(directory) == ["Befriending"]
    assert await _stale_gauge(directory) == 1
    document = (await client.get(f"/services/{documents['Lunch club']['id']}")).json()
    assert document["social_prescribing"]["needs_review"] is False
    assert document["social_prescribing"]["last_verified"] == "2025-01-10T00:00:00.000Z"

    clock.advance(timedelta(days=90))  # 31 August: cutoff 28 February
    assert await _queue(directory) == ["Befriending", "Lunch club"]
    assert await _stale_gauge(directory) == 2

    clock.advance(timedelta(days=120))  # 29 December: cutoff 29 June, everything is due, oldest first
    assert await _queue(directory) == ["Befriending", "Lunch club", "Walking group", "Choir"]
    assert (await client.get(f"/services/{documents['Choir']['id']}")).json()["social_prescribing"][
        "needs_review"
    ] is True

    verified = await client.post(f"/services/{documents['Lunch club']['id']}/verify", headers=headers())
    assert verified.status_code == 200
    body = verified.json()
    assert body["assured_date"] == "2025-12-29"
    assert body["social_prescribing"]["needs_review"] is False
    assert await _queue(directory) == ["Befriending", "Walking group", "Choir"]
    assert await _stale_gauge(directory) == 3


async def test_withdrawn_services_are_not_queued_or_counted(directory: RunningDirectory) -> None:
    document = service("Old group", need=N.LONELINESS_ISOLATION)
    await directory.client.post("/services", json=document, headers=headers())
    assert await _queue(directory) == ["Old group"]
    await directory.client.post(f"/services/{document['id']}/withdraw", json={"reason": "closed"}, headers=headers())
    assert await _queue(directory) == []
    assert await _stale_gauge(directory) == 0


async def test_review_period_is_a_setting(database_url: str, kafka_bootstrap: str, clock: SettableClock) -> None:
    async with running_directory(database_url, kafka_bootstrap, clock, review_period_months=1) as directory:
        document = service("Monthly checked", need=N.HOUSING)
        document["assured_date"] = "2025-04-25"
        await directory.client.post("/services", json=document, headers=headers())
        assert await _queue(directory) == ["Monthly checked"]


async def test_curation_needs_the_curator_role(directory: RunningDirectory) -> None:
    document = service("Not allowed", need=N.HOUSING)
    for role in (Role.LINK_WORKER, Role.REFERRER):
        response = await directory.client.post("/services", json=document, headers=headers(role))
        assert response.status_code == 403
    assert (await directory.client.post("/services", json=document)).status_code == 401
    assert (await directory.client.get("/review-queue", headers=headers(Role.LINK_WORKER))).status_code == 403
    assert (await directory.client.get(f"/services/{document['id']}")).status_code == 404


async def test_the_periodic_jobs_keep_the_task_names_alerts_use(directory: RunningDirectory) -> None:
    metrics = (await directory.client.get("/metrics")).text
    for task in ("stale-services-gauge", "week-rollover"):
        assert f'linkwork_periodic_failures_total{{kind="bug",task="{task}"}}' in metrics
