"""The projection use case against an in-memory store: summaries, aggregate deltas, set-aside failures, the lock."""

from __future__ import annotations

import pytest
from linkwork_outcomes.domain.contribution import Contribution
from linkwork_outcomes.domain.facts import ReferralFacts
from linkwork_outcomes.domain.referral_summary import ReferralSummary, summarise
from linkwork_outcomes.service_layer import projection
from outcomes_fakes import FakeProjectionStore, referral_facts

pytestmark = pytest.mark.unit


def _expected(*facts: ReferralFacts) -> Contribution:
    cells = Contribution()
    for referral in facts:
        cells.include(summarise(referral))
    return cells.without_zeros()


async def test_queued_referrals_are_summarised_and_counted_once() -> None:
    store = FakeProjectionStore()
    referrals = [referral_facts(n) for n in range(3)]
    for referral in referrals:
        store.add(referral)
    store.add(referrals[0])  # queued twice: one summary, counted once

    assert await projection.project_pending(store) == 4
    assert store.pending == []
    assert store.summaries == {r.referral_id: summarise(r) for r in referrals}
    assert store.aggregates() == _expected(*referrals)


async def test_new_facts_move_the_aggregates_by_the_difference() -> None:
    store = FakeProjectionStore()
    store.add(referral_facts(1))
    await projection.project_all(store)
    revised = referral_facts(1, needs=("housing", "bereavement"), closed=True)
    store.add(revised)
    await projection.project_all(store)
    assert store.aggregates() == _expected(revised)  # the old contribution is gone, not added to


async def test_an_unchanged_summary_writes_nothing() -> None:
    store = FakeProjectionStore()
    store.add(referral_facts(1))
    await projection.project_all(store)
    store.add(referral_facts(1))  # the same facts delivered again
    assert await projection.project_pending(store) == 1
    assert store.saved[-1] == [] and store.aggregates() == _expected(referral_facts(1))


async def test_a_failing_summary_is_set_aside_and_the_rest_projected(monkeypatch: pytest.MonkeyPatch) -> None:
    store = FakeProjectionStore()
    good, bad = referral_facts(1), referral_facts(2)
    store.add(good)
    store.add(bad)

    def fragile(facts: ReferralFacts) -> ReferralSummary:
        if facts.referral_id == bad.referral_id:
            raise ValueError("a summary bug meets postcode 'LS6 1AA'")
        return summarise(facts)

    monkeypatch.setattr(projection, "summarise", fragile)
    told: list[tuple[str, str]] = []
    await projection.project_pending(store, on_failure=lambda rid, reason: told.append((rid, reason)))
    assert list(store.summaries) == [good.referral_id] and store.pending == []
    assert list(store.failures) == [bad.referral_id] and told == [(bad.referral_id, store.failures[bad.referral_id])]
    assert store.failures[bad.referral_id].startswith("ValueError") and "LS6 1AA" not in told[0][1]

    monkeypatch.setattr(projection, "summarise", summarise)  # fixed: queued again, it is projected
    store.add(bad)
    await projection.project_pending(store)
    assert store.failures == {} and set(store.summaries) == {good.referral_id, bad.referral_id}


async def test_another_projector_holding_the_lock_leaves_the_queue_alone() -> None:
    store = FakeProjectionStore(locked=True)
    store.add(referral_facts(1))
    assert await projection.project_pending(store) == 0
    assert store.pending == [referral_facts(1).referral_id] and store.summaries == {}


async def test_batches_are_bounded_and_project_all_drains_the_queue() -> None:
    store = FakeProjectionStore()
    for n in range(5):
        store.add(referral_facts(n))
    assert await projection.project_pending(store, batch_size=2) == 2
    assert len(store.pending) == 3
    assert await projection.project_all(store, batch_size=2) == 3
    assert len(store.summaries) == 5 and store.aggregates() == _expected(*(referral_facts(n) for n in range(5)))
