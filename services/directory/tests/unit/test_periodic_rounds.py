"""The rounds the directory's periodic jobs run (workers/): the new week's announcements (service_layer/
week_rollover.py) and the stale-services count (freshness.py), against the in-memory fakes. The same jobs
against PostgreSQL: integration/test_events.py, test_waiting_list.py and test_freshness.py."""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from linkwork_directory.adapters.clock import SettableClock
from linkwork_directory.domain.capacity import week_starting
from linkwork_directory.domain.oruk import Service
from linkwork_directory.service_layer.changes import apply_service
from linkwork_directory.service_layer.freshness import StaleServicesGauge
from linkwork_directory.service_layer.ports import Acting
from linkwork_directory.service_layer.week_rollover import WeekRollover
from linkwork_directory.workers.new_week import week_rollover_worker
from linkwork_directory.workers.stale_services import stale_services_worker
from prometheus_client import CollectorRegistry

from ..directory_fakes import FakeReviewStore, FakeSink, FakeUnitOfWork, ReviewedService

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)  # a Monday
ROLLOVER_LOG = "linkwork_directory.service_layer.week_rollover"


class ShownCount:
    """The `StaleCount` port in memory: what the gauge would show."""

    def __init__(self) -> None:
        self.value: float | None = None

    def set(self, value: float) -> None:
        self.value = value


def group(name: str) -> Service:
    return Service.model_validate({"id": str(uuid4()), "name": name, "status": "active"})


async def _full_last_week(uow: FakeUnitOfWork, *names: str) -> list[Service]:
    """Services announced this week, each with its 2 places taken."""
    services = [group(name) for name in names]
    for one in services:
        await apply_service(uow, one, Acting(NOW, FakeSink()))
        kept = uow.services.kept[one.id]
        kept.places_per_week, kept.taken[week_starting(NOW)] = 2, 2
    return services


async def test_a_round_announces_every_service_the_new_week_frees(caplog: pytest.LogCaptureFixture) -> None:
    uow, sink, clock = FakeUnitOfWork(), FakeSink(), SettableClock(NOW)
    full = await _full_last_week(uow, "Walking group", "Choir", "Lunch club")
    await apply_service(uow, group("Befriending"), Acting(NOW, FakeSink()))  # no weekly limit: nothing to give back
    rollover = WeekRollover(uow.factory(), clock=clock, sink=sink)

    with caplog.at_level(logging.INFO, logger=ROLLOVER_LOG):
        assert await rollover.next_round() is None  # still the same week: nothing announced, nothing logged
        assert sink.snapshots == [] and caplog.records == []

        clock.advance(timedelta(weeks=1))
        assert await rollover.next_round() is None  # the next round after the interval
    assert sorted(sink.announced()) == sorted(one.id for one in full)
    assert all(snapshot.state.places_remaining == 2 for snapshot in sink.snapshots)
    assert [(r.getMessage(), getattr(r, "services", None)) for r in caplog.records] == [
        ("announced the new week's places", 3)
    ]
    assert await rollover.run_once() == 0  # announced for this week now


async def test_the_stale_count_is_recounted_each_round() -> None:
    store = FakeReviewStore(
        ReviewedService("Walking group", NOW - timedelta(days=30)),
        ReviewedService("Lunch club", NOW - timedelta(days=400)),
        ReviewedService("Befriending", None),
        ReviewedService("Closed café", None, withdrawn=True),
    )
    shown, clock = ShownCount(), SettableClock(NOW)
    gauge = StaleServicesGauge(lambda: contextlib.nullcontext(store), shown, clock=clock, months=6)

    assert await gauge.refresh() == 2 and shown.value == 2
    clock.advance(timedelta(days=200))  # the walking group's check is now older than six months
    assert await gauge.next_round() is None  # the next round after the interval
    assert shown.value == 3


async def test_the_workers_keep_the_task_names_and_first_rounds_alerts_rely_on() -> None:
    """Alerts use the task names; the stale count is made while the service starts, before it reports ready."""
    uow, registry = FakeUnitOfWork(), CollectorRegistry()
    rollover = week_rollover_worker(
        WeekRollover(uow.factory(), clock=SettableClock(NOW), sink=FakeSink()), interval=300, registry=registry
    )
    shown = ShownCount()
    counted = StaleServicesGauge(
        lambda: contextlib.nullcontext(FakeReviewStore(ReviewedService("Choir", None))),
        shown,
        clock=SettableClock(NOW),
        months=6,
    )
    stale = stale_services_worker(counted, interval=3600, registry=registry)

    await stale.start()
    try:
        assert shown.value == 1  # counted before start() returned
    finally:
        await stale.stop()
    assert rollover.name == "week-rollover"
    tasks = {sample.labels["task"] for metric in registry.collect() for sample in metric.samples}
    assert tasks == {"week-rollover", "stale-services-gauge"}
