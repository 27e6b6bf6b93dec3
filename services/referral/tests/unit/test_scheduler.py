"""The follow-up scheduler (service_layer/scheduler.py) against the in-memory unit of work: due follow-ups are
emitted once, a poison row is quarantined without blocking the rest, a failed round keeps nothing. The asyncpg
adapter keeps its integration tests against PostgreSQL (integration/test_scheduler.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from linkwork_referral.service_layer.scheduler import FollowUpScheduler
from prometheus_client import CollectorRegistry
from referral_fakes import FakeFollowUps, FollowUpRow

pytestmark = pytest.mark.unit

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _row(due: timedelta, **columns: Any) -> FollowUpRow:
    return FollowUpRow(id=uuid4(), referral_id=uuid4(), sequence=1, due_at=NOW + due, **columns)


def _scheduler(follow_ups: FakeFollowUps, registry: CollectorRegistry, batch_size: int = 10) -> FollowUpScheduler:
    return FollowUpScheduler(
        follow_ups, source="urn:test", batch_size=batch_size, max_per_second=100, registry=registry
    )


async def test_due_follow_ups_are_emitted_once_and_timelined() -> None:
    follow_ups, registry = FakeFollowUps(NOW), CollectorRegistry()
    due, later = _row(-timedelta(hours=1)), _row(timedelta(hours=1))
    held = _row(-timedelta(days=2), on_hold=True)
    for row in (due, later, held):
        follow_ups.add(row)
    scheduler = _scheduler(follow_ups, registry)
    assert await scheduler.run_once() == 1
    assert await scheduler.run_once() == 0  # emitted once only
    [(event, source)] = follow_ups.stored.outbox
    assert (event.follow_up_id, event.referral_id, event.due_on, source) == (
        due.id,
        due.referral_id,
        due.due_at.date(),
        "urn:test",
    )
    assert follow_ups.states() == {
        due.id: ("due", None),
        later.id: ("pending", None),  # not due yet
        held.id: ("pending", None),  # on hold: emitted once resumed
    }
    [entry] = follow_ups.stored.timeline
    assert (entry.referral_id, entry.at, entry.actor, entry.actor_role) == (due.referral_id, NOW, None, "scheduler")
    assert entry.entry.kind == "follow-up-due"
    assert entry.entry.summary == "Follow-up 1 (follow-up) is due"
    assert registry.get_sample_value("referral_follow_ups_due_emitted_total") == 1.0


async def test_a_poison_row_is_quarantined_and_every_other_due_follow_up_is_emitted() -> None:
    follow_ups, registry = FakeFollowUps(NOW), CollectorRegistry()
    # The oldest due row breaks the event's contract (an email as link worker id); it is claimed first.
    poison = _row(-timedelta(days=1), link_worker="ada@example.org")
    good = [_row(-timedelta(hours=hours)) for hours in (3, 2, 1)]
    for row in (poison, *good):
        follow_ups.add(row)
    scheduler = _scheduler(follow_ups, registry)
    assert await scheduler.run_once() == 4
    states = follow_ups.states()
    # Field and rule only: the email stays out of the reason.
    assert states[poison.id] == ("quarantined", "link_worker_id: string_pattern_mismatch")
    assert [states[row.id] for row in good] == [("due", None)] * 3
    assert sorted(event.follow_up_id for event, _ in follow_ups.stored.outbox) == sorted(row.id for row in good)
    assert registry.get_sample_value("linkwork_referral_follow_ups_quarantined_total") == 1.0
    assert registry.get_sample_value("referral_follow_ups_due_emitted_total") == 3.0
    assert await scheduler.run_once() == 0  # the quarantined row is not claimed again


async def test_a_round_that_fails_keeps_nothing_and_the_rows_stay_pending() -> None:
    follow_ups, registry = FakeFollowUps(NOW), CollectorRegistry()
    row = _row(-timedelta(hours=1))
    follow_ups.add(row)
    follow_ups.fail_on_emit = True
    scheduler = _scheduler(follow_ups, registry)
    with pytest.raises(ConnectionError):
        await scheduler.run_once()
    assert follow_ups.states() == {row.id: ("pending", None)}
    assert follow_ups.stored.outbox == [] and follow_ups.stored.timeline == []
    follow_ups.fail_on_emit = False
    assert await scheduler.run_once() == 1  # the next round emits it


async def test_a_full_batch_carries_on_at_the_rate_limit_and_a_short_one_waits_the_interval() -> None:
    follow_ups, registry = FakeFollowUps(NOW), CollectorRegistry()
    for minutes in range(3):
        follow_ups.add(_row(-timedelta(minutes=minutes + 1)))
    scheduler = _scheduler(follow_ups, registry, batch_size=2)
    assert await scheduler.next_round() == 2 / 100  # two claimed of two: more may be due
    assert await scheduler.next_round() is None  # one of two: the backlog is done
    assert {state for state, _ in follow_ups.states().values()} == {"due"}
