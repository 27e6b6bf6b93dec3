"""The rebuild use case against in-memory ports: stale projections emptied, history replayed, all projected."""

from __future__ import annotations

import pytest
from linkwork_outcomes.domain.facts import FactBatch, ReferralFacts
from linkwork_outcomes.domain.referral_summary import summarise
from linkwork_outcomes.service_layer import projection
from linkwork_outcomes.service_layer.ports import Replayed, Share
from linkwork_outcomes.service_layer.rebuild import rebuild
from linkwork_outcomes.service_layer.replay import deal, replay_share
from outcomes_fakes import T0, FakeHistory, FakeProjectionStore, FakeRebuildStore, referral_facts

pytestmark = pytest.mark.unit


def _batch(facts: ReferralFacts) -> FactBatch:
    """The facts as the events that carried them arrive: each with its event's time."""
    return FactBatch(versions=[(v, T0) for v in facts.versions], closures=[(c, T0) for c in facts.closures])


def test_partitions_are_dealt_by_number_so_one_referral_stays_in_one_share() -> None:
    ends = {
        ("referral-created", 0): 5,
        ("referral-closed", 0): 2,
        ("referral-created", 1): 3,
        ("referral-closed", 3): 1,
    }
    assert deal(ends, 2) == [
        (("referral-closed", 0, 2), ("referral-created", 0, 5)),
        (("referral-closed", 3, 1), ("referral-created", 1, 3)),
    ]
    assert deal(ends, 8) == [
        (("referral-closed", 0, 2), ("referral-created", 0, 5)),
        (("referral-created", 1, 3),),
        (("referral-closed", 3, 1),),
    ]


async def test_a_rebuild_replays_the_history_into_a_fresh_projection_equal_to_the_live_one() -> None:
    referrals = [referral_facts(n, closed=n % 2 == 0, needs=("housing", "bereavement")[: 1 + n % 2]) for n in range(7)]
    # Creation and closure of one referral on the same partition number of two topics.
    history = FakeHistory(
        {
            ("referral-created", 0): [_batch(ReferralFacts(r.referral_id, versions=r.versions)) for r in referrals[:4]],
            ("referral-created", 1): [_batch(ReferralFacts(r.referral_id, versions=r.versions)) for r in referrals[4:]],
            ("referral-closed", 0): [_batch(ReferralFacts(r.referral_id, closures=r.closures)) for r in referrals[:4]],
            ("referral-closed", 1): [_batch(ReferralFacts(r.referral_id, closures=r.closures)) for r in referrals[4:]],
        }
    )
    store = FakeRebuildStore()
    stale = referral_facts(99)  # projected before, but no longer in the history
    store.stored[stale.referral_id] = stale
    store.summaries[stale.referral_id] = summarise(stale)
    replayed_shares: list[Share] = []

    async def replay(shares: list[Share]) -> list[Replayed]:
        assert store.locked  # the tables are emptied and locked before the end offsets are read
        replayed_shares.extend(shares)
        return [await replay_share(history.share(share), store) for share in shares]

    result = await rebuild(store, history, replay, workers=2)

    live = FakeProjectionStore()
    for referral in referrals:
        live.add(referral)
    await projection.project_all(live)
    assert len(replayed_shares) == 2
    assert (result.records, result.events, result.skipped, result.referrals) == (14, 14, 0, 7)
    assert set(result.seconds) == {"replay", "projection"}
    assert store.summaries == live.summaries == {r.referral_id: summarise(r) for r in referrals}
    assert store.cells.without_zeros() == live.aggregates()
    assert store.areas == {("U12345", "*", "LS6"), ("U12345", "B86001", "LS6")}
    assert not store.locked


async def test_a_rebuild_of_an_empty_history_leaves_empty_projections() -> None:
    store = FakeRebuildStore()
    stale = referral_facts(1)
    store.stored[stale.referral_id] = stale
    store.summaries[stale.referral_id] = summarise(stale)

    async def replay(shares: list[Share]) -> list[Replayed]:
        assert shares == []
        return []

    result = await rebuild(store, FakeHistory(), replay, workers=4)
    assert (result.records, result.referrals) == (0, 0)
    assert store.stored == {} and store.summaries == {} and store.cells.without_zeros() == FakeRebuildStore().cells
