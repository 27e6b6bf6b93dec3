"""Report assembly on small hand-made aggregates, where every suppression decision is worked out here."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from linkwork_outcomes.domain.aggregates import Aggregates, GapCounts
from linkwork_outcomes.domain.facts import ServiceLabel
from linkwork_outcomes.domain.report import Period, Scope, SummaryReport
from linkwork_outcomes.domain.report_assembly import assemble
from linkwork_outcomes.domain.statistics import ChangeSums

pytestmark = pytest.mark.unit

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def _report(tally: dict[tuple[str, str, str], int], **extra: object) -> SummaryReport:
    return assemble(
        Aggregates(tally=tally, **extra),  # type: ignore[arg-type]
        Period(start="2025-01", end="2025-03"),
        Scope(pcn="U10001", practice=None),
        NOW,
    )


def _base(total: int = 40) -> dict[tuple[str, str, str], int]:
    """40 referrals, all still "referred", all female, decile 5, age 45-54, White British."""
    return {
        ("referrals", "", ""): total,
        ("funnel", "referred", ""): total,
        ("status", "referred", ""): total,
        ("source", "gp-practice", ""): total,
        ("equity", "imd-decile", "5"): total,
        ("equity", "age-band", "45-54"): total,
        ("equity", "sex", "female"): total,
        ("equity", "ethnic-category", "A"): total,
    }


def _by_key(rows: list) -> dict[str, object]:  # type: ignore[type-arg]
    return {row.key: row.count for row in rows}


def test_a_small_source_and_its_smallest_complement_are_suppressed() -> None:
    tally = _base() | {
        ("source", "gp-practice", ""): 28,
        ("source", "self-referral", ""): 3,
        ("source", "housing", ""): 9,
    }
    report = _report(tally)
    sources = _by_key(report.by_source)
    assert sources["self-referral"].suppressed  # type: ignore[attr-defined]
    assert sources["housing"].suppressed  # type: ignore[attr-defined]  # smallest non-zero other
    assert sources["gp-practice"].value == 28  # type: ignore[attr-defined]
    assert sources["police"].value == 0  # type: ignore[attr-defined]  # zero is shown
    assert report.referrals.value == 40
    shares = {row.key: row.share for row in report.by_source}
    assert shares["housing"].suppressed and shares["gp-practice"].value == pytest.approx(0.7)


def test_a_small_drop_between_funnel_stages_hides_a_stage_and_its_rates() -> None:
    # 40 referred, 37 contacted: the 3 not contacted could be worked out from the two counts.
    tally = _base() | {
        ("funnel", "contacted", ""): 37,
        ("funnel", "plan-agreed", ""): 30,
        ("status", "referred", ""): 3,
        ("status", "contacted", ""): 7,
        ("status", "plan-agreed", ""): 30,
    }
    tally |= {("equity-plan", dimension, value): 30 for (section, dimension, value) in _base() if section == "equity"}
    report = _report(tally)
    stages = {stage.stage: stage for stage in report.funnel}
    assert report.referrals.value == 40
    assert stages["contacted"].count.suppressed
    assert stages["contacted"].conversion_from_previous.suppressed
    assert stages["contacted"].conversion_from_referred.suppressed
    # contacted's own margin (37 = 30 plan + 7 no plan) is closed by the implied 7, not by hiding 30.
    assert stages["plan-agreed"].count.value == 30
    assert stages["plan-agreed"].conversion_from_previous.suppressed  # its denominator is hidden
    assert stages["plan-agreed"].conversion_from_referred.value == pytest.approx(0.75)
    statuses = _by_key(report.by_status)
    assert statuses["referred"].suppressed and statuses["contacted"].suppressed  # type: ignore[attr-defined]


def test_outcome_figures_follow_the_t_interval_and_hide_below_five_pairs() -> None:
    # Changes 1, 2, 3, 4, 5 points (hundredths): mean 3, sd sqrt(2.5), t(0.975, 4) = 2.7764451051977934.
    sums = ChangeSums(pairs=5, total=1500, total_squares=550_000, improved=3)
    few = ChangeSums(pairs=4, total=400, total_squares=40_000, improved=1)
    report = _report(_base(), outcomes={"swemwbs-metric": sums, "ucla3-total": few})
    rows = {row.score: row for row in report.outcomes}
    swemwbs = rows["swemwbs-metric"]
    half = 2.7764451051977934 * (2.5**0.5) / 5**0.5
    assert swemwbs.pairs.value == 5 and swemwbs.mean_change.value == pytest.approx(3.0)
    assert swemwbs.ci_lower.value == pytest.approx(3 - half, abs=1e-12)
    assert swemwbs.ci_upper.value == pytest.approx(3 + half, abs=1e-12)
    assert swemwbs.improved.suppressed  # 3 improved: small
    assert swemwbs.improved_share.suppressed
    ucla = rows["ucla3-total"]
    assert ucla.pairs.suppressed and ucla.mean_change.suppressed and ucla.ci_lower.suppressed
    assert rows["ons4-anxiety"].pairs.value == 0 and rows["ons4-anxiety"].mean_change.value is None


def test_provider_totals_protect_their_activities() -> None:
    labels = {sid: ServiceLabel(sid, 1, f"Activity {sid}", "p1", "Provider One", True, NOW) for sid in ("s1", "s2")}
    tally = _base() | {("planned", "s1", ""): 2, ("planned", "s2", ""): 12, ("attended", "s2", ""): 6}
    report = _report(tally, services=labels)
    activities = {row.service_id: row for row in report.activities}
    providers = {row.provider_id: row for row in report.providers}
    assert activities["s1"].planned.suppressed
    # p1's 14 places = 2 + 12: with s1 hidden, s2 or the total must go too; s2 (12) < 14.
    assert activities["s2"].planned.suppressed
    assert providers["p1"].planned.value == 14
    assert activities["s2"].attendance_rate.suppressed


def test_gaps_keep_two_way_totals_safe() -> None:
    gaps = {
        ("housing", "LS6"): GapCounts(with_need=9, unmet=2),
        ("housing", "LS7"): GapCounts(with_need=20, unmet=11),
        ("bereavement", "LS6"): GapCounts(with_need=15, unmet=8),
        ("bereavement", "LS7"): GapCounts(with_need=30, unmet=25),
    }
    report = _report(_base(), gaps=gaps)
    cells = {(c.need, c.postcode_district): c for c in report.gaps.cells}
    hidden = {key for key, cell in cells.items() if cell.unmet.suppressed}
    assert hidden == set(cells)  # one small cell in a 2 x 2 table with margins takes all four
    assert report.gaps.total_unmet.value == 46
    assert all(row.count.shown for row in report.gaps.by_need + report.gaps.by_area)


def test_rule_and_counts_are_stated() -> None:
    report = _report(_base())
    assert "1 to 4" in report.suppression.rule and report.suppression.smallest_count_shown == 5
    assert report.suppression.suppressed_figures == 0


def test_unlisted_activities_still_protect_a_listed_providers_total() -> None:
    # 200 activities of 10 places are listed; s200 (3 places) is not, but its provider p1 is.
    services = [f"s{i:03d}" for i in range(201)]
    tally = _base() | {("planned", s, ""): 10 for s in services[:200]} | {("planned", "s200", ""): 3}
    provider = {s: ("p1" if s in ("s000", "s200") else f"p-{s}") for s in services}
    labels = {s: ServiceLabel(s, 1, s, provider[s], provider[s], True, NOW) for s in services}
    report = _report(tally, services=labels)
    listed = {row.service_id: row for row in report.activities}
    assert len(listed) == 200 and "s200" not in listed
    providers = {row.provider_id: row for row in report.providers}
    assert providers["p1"].planned.value == 13
    # 13 = 10 (s000, listed) + 3 (unlisted): the 3 is derivable, so s000's 10 is hidden.
    assert listed["s000"].planned.suppressed
    assert listed["s001"].planned.value == 10


def test_only_the_largest_gaps_are_listed_and_the_rest_still_protects_totals() -> None:
    # 150 districts with 10 unmet each for housing, and LS-small with 3 (a small cell, not listed).
    gaps = {("housing", f"D{i:03d}"): GapCounts(with_need=20, unmet=10) for i in range(150)}
    gaps[("housing", "LS-small")] = GapCounts(with_need=3, unmet=3)
    report = _report(_base(), gaps=gaps)
    assert len(report.gaps.cells) == 100 and len(report.gaps.by_area) == 100
    assert report.gaps.total_unmet.value == 1503
    # housing's total (1503) = 100 listed cells + an implied rest of 503: not small, so all shown.
    housing = {row.key: row for row in report.gaps.by_need}["housing"]
    assert housing.count.value == 1503
    assert all(cell.unmet.value == 10 for cell in report.gaps.cells)
    assert "LS-small" not in {row.key for row in report.gaps.by_area}


def test_a_small_unlisted_remainder_hides_a_listed_cell() -> None:
    gaps = {("housing", f"D{i:03d}"): GapCounts(with_need=20, unmet=10) for i in range(100)}
    gaps[("housing", "LS-small")] = GapCounts(with_need=3, unmet=3)  # unlisted: 101st by unmet
    report = _report(_base(), gaps=gaps)
    # housing 1003 = 100 listed tens + 3 unlisted: the 3 is derivable, so one listed 10 goes too.
    assert sum(cell.unmet.suppressed for cell in report.gaps.cells) == 1
    assert {row.key: row for row in report.gaps.by_need}["housing"].count.value == 1003
