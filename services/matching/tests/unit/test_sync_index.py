"""Following the read model into the in-memory index (service_layer/sync_index.py) against the in-memory fake."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import pytest
from linkwork_contracts.codes import NeedCategory
from linkwork_matching.adapters.metrics import MatchingMetrics
from linkwork_matching.domain.effectiveness import OutcomeTally, estimate
from linkwork_matching.domain.index import ServiceIndex
from linkwork_matching.domain.ranker import Ranker
from linkwork_matching.domain.service import Service
from linkwork_matching.service_layer.sync_index import IndexSync
from matching_fakes import FakeReadModelChanges
from prometheus_client import CollectorRegistry

pytestmark = pytest.mark.unit

NEED = NeedCategory.PHYSICAL_ACTIVITY
GOOD = OutcomeTally(outcomes=12, attended=10, measured=8, wellbeing_change=20.0)


async def test_every_committed_change_is_applied_once_in_batches(service: Callable[..., Service]) -> None:
    changes, ranker, registry = FakeReadModelChanges(batch=2), Ranker(ServiceIndex()), CollectorRegistry()
    for name in ("a", "b", "c"):
        changes.change_service(service(name))
    changes.change_tally("b", NEED, GOOD)
    sync = IndexSync(changes, ranker, metrics=MatchingMetrics(registry))

    assert await sync.catch_up() == 4  # three services over two batches, then the tally

    assert {s.service_id for s in ranker.index.services()} == {"a", "b", "c"}
    assert ranker.index.effect("b", NEED) == estimate(GOOD).score
    assert registry.get_sample_value("linkwork_matching_index_services") == 3
    assert await sync.catch_up() == 0  # nothing new
    changes.change_service(service("d"))
    assert await sync.next_round() is None  # the next round after the interval
    assert len(ranker.index) == 4


async def test_no_round_runs_while_paused(service: Callable[..., Service]) -> None:
    changes, ranker = FakeReadModelChanges(), Ranker(ServiceIndex())
    sync = IndexSync(changes, ranker)
    changes.change_service(service("a"))

    async with sync.paused():
        round_ = asyncio.create_task(sync.next_round())
        for _ in range(5):
            await asyncio.sleep(0)
        assert not round_.done() and len(ranker.index) == 0
    await round_
    assert len(ranker.index) == 1


async def test_loading_says_how_much_was_loaded(
    service: Callable[..., Service], caplog: pytest.LogCaptureFixture
) -> None:
    changes = FakeReadModelChanges()
    changes.change_service(service("a"))
    changes.change_tally("a", NEED, GOOD)

    with caplog.at_level(logging.INFO, logger="linkwork_matching.service_layer.sync_index"):
        assert await IndexSync(changes, Ranker(ServiceIndex())).load() == 2

    assert [(r.getMessage(), getattr(r, "changes", None), getattr(r, "services", None)) for r in caplog.records] == [
        ("index loaded", 2, 1)
    ]
