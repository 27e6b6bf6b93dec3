"""A referral's summary depends on its facts, not on the order or number of deliveries."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from linkwork_outcomes.domain.contribution import ALL, Contribution, change_between, contribution
from linkwork_outcomes.domain.facts import (
    Attendance,
    Closure,
    Contact,
    FollowUpDue,
    Measurement,
    PlannedActivity,
    PlanVersion,
    ReferralFacts,
    ReferralVersion,
)
from linkwork_outcomes.domain.referral_summary import ReferralSummary, summarise

pytestmark = pytest.mark.unit

T0 = datetime(2025, 4, 2, 9, 0, tzinfo=UTC)
RID = "6f0c1b9e-0000-4000-8000-000000000001"


def _version(version: int = 1, needs: tuple[str, ...] = ("housing",), created: datetime = T0) -> ReferralVersion:
    return ReferralVersion(
        RID, version, "a" * 64, created, "gp-practice", "U12345", "B86001", "45-54", "female", "A", "LS6", 3, needs
    )


def _facts() -> list[object]:
    """Every kind of fact for one referral, including a repeated baseline and a plan revision."""
    baseline = Measurement(RID, "swemwbs-metric", "baseline", T0 + timedelta(days=5), 1998)
    return [
        _version(1),
        _version(2, needs=("housing", "loneliness-isolation")),
        PlanVersion(
            RID,
            1,
            T0 + timedelta(days=5),
            T0 + timedelta(days=3),
            (PlannedActivity("s-a", "housing"), PlannedActivity("s-b", "housing")),
        ),
        PlanVersion(
            RID,
            2,
            T0 + timedelta(days=20),
            T0 + timedelta(days=3),
            (PlannedActivity("s-b", "housing"), PlannedActivity("s-c", "loneliness-isolation")),
        ),
        baseline,
        Measurement(RID, "swemwbs-metric", "follow-up", T0 + timedelta(days=40), 2154),
        Measurement(RID, "swemwbs-metric", "follow-up", T0 + timedelta(days=80), 2321),
        Measurement(RID, "ucla3-total", "baseline", T0 + timedelta(days=5), 800),
        Measurement(RID, "ucla3-total", "closure", T0 + timedelta(days=90), 500),
        Contact(
            "c1",
            RID,
            T0 + timedelta(days=40),
            "follow-up",
            "contact-made",
            3,
            (Attendance("s-b", "attending"), Attendance("s-a", "completed")),
        ),
        Contact("c2", RID, T0 + timedelta(days=60), "review", "no-answer", 3, ()),
        FollowUpDue("f1", RID, date(2025, 5, 12), "U12345"),
        Closure(RID, T0 + timedelta(days=90), "completed", "goals-met", T0 + timedelta(days=3), 5),
    ]


def _bundle(facts: list[object]) -> ReferralFacts:
    kinds = {
        ReferralVersion: "versions",
        PlanVersion: "plans",
        Contact: "contacts",
        Measurement: "measurements",
        FollowUpDue: "follow_ups_due",
        Closure: "closures",
    }
    grouped: dict[str, list[object]] = {name: [] for name in kinds.values()}
    for fact in facts:
        grouped[kinds[type(fact)]].append(fact)
    return ReferralFacts(RID, **{name: tuple(values) for name, values in grouped.items()})  # type: ignore[arg-type]


def test_summary_of_a_full_episode() -> None:
    summary = summarise(_bundle(_facts()))
    assert summary.month == date(2025, 4, 1)
    assert summary.needs == ("housing", "loneliness-isolation")  # from the highest version
    assert summary.first_contact_days == 3
    assert summary.contacts == 5  # the closure's count is the largest
    assert summary.planned == ("s-b", "s-c")  # the current (highest) plan version only
    assert summary.attended == ("s-b",)  # s-a attended, but it is no longer in the plan
    assert (summary.contacted, summary.plan_agreed, summary.followed_up, summary.closed) == (True,) * 4
    assert summary.status == "completed" and summary.closure_reason == "goals-met"
    changes = {c.score: c for c in summary.changes}
    assert changes["swemwbs-metric"].change == 2321 - 1998  # latest later measurement
    assert changes["swemwbs-metric"].improved  # 3.23 >= 3
    assert changes["ucla3-total"].change == -300 and changes["ucla3-total"].improved


def test_order_and_duplicates_do_not_matter() -> None:
    facts = _facts()
    expected = summarise(_bundle(facts))
    rng = random.Random(11)
    for _ in range(200):
        shuffled = facts + rng.sample(facts, k=5)  # five duplicated deliveries
        rng.shuffle(shuffled)
        assert summarise(_bundle(shuffled)) == expected


def test_month_and_days_use_uk_local_dates() -> None:
    # 23:30 UTC on 31 March 2025 is 00:30 BST on 1 April.
    late = datetime(2025, 3, 31, 23, 30, tzinfo=UTC)
    contact = Contact("c1", RID, datetime(2025, 4, 1, 8, 0, tzinfo=UTC), "first-contact", "contact-made", 1)
    summary = summarise(_bundle([_version(created=late), contact]))
    assert summary.month == date(2025, 4, 1)
    assert summary.first_contact_days == 0
    assert summary.status == "contacted"


def test_unknown_referral_contributes_nothing_until_created_arrives() -> None:
    plan = PlanVersion(RID, 1, T0, T0, (PlannedActivity("s-a", "housing"),))
    early = summarise(_bundle([plan]))
    assert early.month is None and not early.counted
    assert contribution(early).tally == Counter()


def test_entered_in_error_is_left_out() -> None:
    closure = Closure(RID, T0 + timedelta(days=1), "entered-in-error", "other", None, 0)
    assert not summarise(_bundle([_version(), closure])).counted


def test_a_closed_referral_later_marked_entered_in_error_is_left_out() -> None:
    """The referral service allows entered-in-error after a closure: the later referral-closed wins."""
    completed = Closure(RID, T0 + timedelta(days=30), "completed", "goals-met", T0 + timedelta(days=2), 3)
    error = Closure(RID, T0 + timedelta(days=40), "entered-in-error", "other", T0 + timedelta(days=2), 3)
    summary = summarise(_bundle([_version(), error, completed]))
    assert summary.entered_in_error and not summary.counted


def test_baseline_without_a_later_measurement_makes_no_pair() -> None:
    only_baseline = Measurement(RID, "ons4-anxiety", "baseline", T0, 700)
    earlier_follow_up = Measurement(RID, "ons4-anxiety", "follow-up", T0 - timedelta(days=1), 300)
    assert summarise(_bundle([_version(), only_baseline, earlier_follow_up])).changes == ()


def test_open_statuses_follow_the_workflow() -> None:
    plan = PlanVersion(RID, 1, T0, None, (PlannedActivity("s-a", "housing"),))
    follow_up = Contact("c9", RID, T0 + timedelta(days=9), "follow-up", "contact-made", 2)
    assert summarise(_bundle([_version()])).status == "referred"
    assert summarise(_bundle([_version(), plan])).status == "plan-agreed"
    planned = summarise(_bundle([_version(), plan]))
    assert planned.contacted and planned.first_contact_days is None  # a plan implies contact
    assert summarise(_bundle([_version(), plan, follow_up])).status == "following-up"


def test_deltas_telescope_to_the_final_contribution_in_any_order() -> None:
    facts = _facts()
    final = contribution(summarise(_bundle(facts)))
    for order in itertools.islice(itertools.permutations(range(len(facts))), 0, 5000, 97):
        applied = Contribution()
        seen: list[object] = []
        previous: ReferralSummary | None = None
        for index in order:
            seen.append(facts[index])
            current = summarise(_bundle(seen))
            applied.add(change_between(previous, current))
            previous = current
        assert applied.without_zeros().tally == final.tally
        assert applied.without_zeros().outcomes == final.outcomes


def test_contribution_counts_each_cell_once_per_level() -> None:
    cells = contribution(summarise(_bundle(_facts()))).tally
    national = {k[3:]: n for k, n in cells.items() if k[1] == ALL}
    practice = {k[3:]: n for k, n in cells.items() if k[2] == "B86001"}
    assert national == practice
    assert national[("referrals", "", "")] == 1
    assert national[("funnel", "closed", "")] == 1
    assert national[("equity-plan", "imd-decile", "3")] == 1
    assert national[("planned", "s-c", "")] == 1 and ("attended", "s-c", "") not in national
