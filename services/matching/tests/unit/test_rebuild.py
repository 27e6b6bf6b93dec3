"""An index built by replaying history suggests exactly what one built from the final state does."""

import random
from dataclasses import replace

import pytest
from linkwork_contracts.codes import ServiceStatus
from linkwork_matching.adapters import synthetic
from linkwork_matching.domain import index as index_module
from linkwork_matching.domain.index import ServiceIndex
from linkwork_matching.domain.ranker import Ranker, Suggestions
from linkwork_matching.domain.service import Service

pytestmark = pytest.mark.unit


def fingerprint(suggestions: Suggestions) -> list[tuple[str, str, float, float | None, str]]:
    return [
        (o.need.value, o.service.service_id, o.score, o.distance_km, o.summary)
        for n in suggestions.needs
        for o in n.options
    ]


def history(seed: int) -> list[Service]:
    """Snapshots as the compacted topic might hold them before compaction: many versions each."""
    rng = random.Random(seed)
    centre = synthetic.CENTRE
    events = synthetic.directory(300, seed=seed)
    for version in range(2, 6):
        for number in rng.sample(range(300), 120):
            snapshot = synthetic.service(rng, number, centre, 12.0)
            status = ServiceStatus.WITHDRAWN if rng.random() < 0.1 else ServiceStatus.ACTIVE
            events.append(_with(snapshot, version, status))
    return events


def _with(service: Service, version: int, status: ServiceStatus) -> Service:
    return replace(service, version=version, status=status)


def test_replayed_and_fresh_indexes_suggest_identically(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_module, "MIN_DEAD_BEFORE_REBUILD", 50)  # force compactions
    events = history(seed=21)
    replayed = ServiceIndex()
    for snapshot in events:
        replayed.upsert(snapshot)
    latest: dict[str, Service] = {}
    for snapshot in events:
        latest[snapshot.service_id] = snapshot
    fresh = ServiceIndex()
    for snapshot in reversed(list(latest.values())):
        fresh.upsert(snapshot)
    assert {s.service_id for s in replayed.services()} == {
        s.service_id for s in latest.values() if s.status is ServiceStatus.ACTIVE
    }
    rng = random.Random(4)
    people = [synthetic.person(rng) for _ in range(40)]
    compared = 0
    for person in people:
        a, b = Ranker(replayed).suggest(person), Ranker(fresh).suggest(person)
        assert fingerprint(a) == fingerprint(b)
        compared += len(fingerprint(a))
    assert compared > 50


def test_compaction_keeps_memory_proportional_to_live_services(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_module, "MIN_DEAD_BEFORE_REBUILD", 10)
    index = ServiceIndex()
    services = synthetic.directory(20, seed=2)
    for round_number in range(1, 30):
        for s in services:
            index.upsert(_with(s, round_number, ServiceStatus.ACTIVE))
    assert len(index) == 20
    assert len(index._services) <= 20 + max(10, 20) + 1
