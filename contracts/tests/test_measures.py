"""Outcome measures: item counts and ranges, scoring, the SWEMWBS table, meaningful change."""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from linkwork_contracts.measures import (
    OUTCOME_SCORES,
    SWEMWBS_METRIC,
    MeasureResult,
    Ons4Band,
    Ons4Item,
    Ons4Result,
    SwemwbsResult,
    Timepoint,
    Ucla3Result,
    improvements,
    is_lonely,
    meaningful_improvement,
    ons4_band,
    ons4_band_rank,
    outcome_scores,
    swemwbs_metric_score,
    swemwbs_raw_score,
    ucla3_total,
)
from pydantic import TypeAdapter, ValidationError

pytestmark = pytest.mark.unit

SWEMWBS_TABLE = Path(__file__).resolve().parents[1] / "reference" / "swemwbs-raw-to-metric.csv"
WHEN = datetime(2025, 3, 10, 10, tzinfo=UTC)
ADAPTER: TypeAdapter[Any] = TypeAdapter(MeasureResult)


def record(measure: str, items: list[Any], **scores: Any) -> dict[str, Any]:
    return {
        "measure": measure,
        "items": items,
        "recorded_at": "2025-03-10T10:00:00Z",
        "timepoint": "baseline",
        **scores,
    }


def rejected(data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        ADAPTER.validate_python(data)
    return str(caught.value)


# --- SWEMWBS -------------------------------------------------------------------------------


def test_conversion_table_is_the_published_one() -> None:
    with SWEMWBS_TABLE.open(encoding="utf-8", newline="") as file:
        published = {int(row["raw_score"]): float(row["metric_score"]) for row in csv.DictReader(file)}
    assert published == SWEMWBS_METRIC
    assert list(SWEMWBS_METRIC) == list(range(7, 36))
    metrics = list(SWEMWBS_METRIC.values())
    assert metrics == sorted(metrics) and len(set(metrics)) == len(metrics)


def test_swemwbs_scoring() -> None:
    result = SwemwbsResult.from_items([2, 3, 2, 3, 3, 2, 4], recorded_at=WHEN, timepoint=Timepoint.BASELINE)
    assert (result.raw_score, result.metric_score) == (19, 17.98)
    assert swemwbs_raw_score([5] * 7) == 35 and swemwbs_metric_score(35) == 35.0
    assert swemwbs_metric_score(7) == 7.0
    with pytest.raises(ValueError, match="raw scores run 7-35, got 36"):
        swemwbs_metric_score(36)


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([3] * 6, "SWEMWBS needs exactly 7 items (optimistic about the future, "),
        ([3] * 8, "got 8"),
        ([3, 3, 0, 3, 3, 3, 3], "SWEMWBS item 3 (feeling relaxed) is 0; each item is scored 1-5"),
        ([3, 3, 3, 3, 3, 3, 6], "item 7 (able to make up own mind) is 6"),
    ],
)
def test_swemwbs_item_errors(items: list[int], message: str) -> None:
    assert message in rejected(record("swemwbs", items, raw_score=21, metric_score=19.25))
    with pytest.raises(ValueError, match=re.escape(message)):
        swemwbs_raw_score(items)


def test_swemwbs_scores_must_agree_with_items() -> None:
    assert "raw_score 20 != sum of items 21" in rejected(record("swemwbs", [3] * 7, raw_score=20, metric_score=18.59))
    assert "metric_score 21.0 != 19.25" in rejected(record("swemwbs", [3] * 7, raw_score=21, metric_score=21.0))


# --- ONS4 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([5, 5, 5], "ONS4 needs exactly 4 items (life satisfaction, "),
        ([5, 5, 5, 11], "ONS4 item 4 (anxiety yesterday) is 11; each item is scored 0-10"),
        ([-1, 5, 5, 5], "ONS4 item 1 (life satisfaction) is -1"),
        ([5, 5, "x", 5], "items.2"),
        ([5, 5, True, 5], "items.2"),
    ],
)
def test_ons4_item_errors(items: list[Any], message: str) -> None:
    assert message in rejected(record("ons4", items))


@pytest.mark.parametrize(
    ("score", "band", "anxiety_band"),
    [
        (0, Ons4Band.LOW, Ons4Band.VERY_LOW),
        (1, Ons4Band.LOW, Ons4Band.VERY_LOW),
        (2, Ons4Band.LOW, Ons4Band.LOW),
        (3, Ons4Band.LOW, Ons4Band.LOW),
        (4, Ons4Band.LOW, Ons4Band.MEDIUM),
        (5, Ons4Band.MEDIUM, Ons4Band.MEDIUM),
        (6, Ons4Band.MEDIUM, Ons4Band.HIGH),
        (7, Ons4Band.HIGH, Ons4Band.HIGH),
        (8, Ons4Band.HIGH, Ons4Band.HIGH),
        (9, Ons4Band.VERY_HIGH, Ons4Band.HIGH),
        (10, Ons4Band.VERY_HIGH, Ons4Band.HIGH),
    ],
)
def test_ons4_bands_are_the_ons_thresholds(score: int, band: Ons4Band, anxiety_band: Ons4Band) -> None:
    for item in (Ons4Item.LIFE_SATISFACTION, Ons4Item.WORTHWHILE, Ons4Item.HAPPINESS):
        assert ons4_band(item, score) is band
    assert ons4_band(Ons4Item.ANXIETY, score) is anxiety_band


def test_ons4_band_rank_points_the_right_way() -> None:
    assert ons4_band_rank(Ons4Item.HAPPINESS, 10) == 3
    assert ons4_band_rank(Ons4Item.ANXIETY, 0) == 3
    assert ons4_band_rank(Ons4Item.ANXIETY, 10) == 0
    with pytest.raises(ValueError, match="0-10, got 11"):
        ons4_band(Ons4Item.ANXIETY, 11)


def test_ons4_is_reported_per_item() -> None:
    result = Ons4Result.from_items((6, 7, 5, 8), recorded_at=WHEN, timepoint=Timepoint.BASELINE)
    assert result.score(Ons4Item.ANXIETY) == 8
    assert result.bands()[Ons4Item.WORTHWHILE] is Ons4Band.HIGH
    assert outcome_scores(result) == {
        "ons4-life-satisfaction": 6.0,
        "ons4-worthwhile": 7.0,
        "ons4-happiness": 5.0,
        "ons4-anxiety": 8.0,
    }


# --- UCLA-3 --------------------------------------------------------------------------------


def test_ucla3_scoring_and_loneliness() -> None:
    result = Ucla3Result.from_items([2, 2, 2], recorded_at=WHEN, timepoint=Timepoint.BASELINE)
    assert result.total == 6 and result.lonely
    assert ucla3_total([1, 2, 2]) == 5 and not is_lonely(5)
    with pytest.raises(ValueError, match="totals run 3-9, got 10"):
        is_lonely(10)


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([1, 1], "UCLA-3 needs exactly 3 items (lack companionship, feel left out, "),
        ([1, 4, 1], "UCLA-3 item 2 (feel left out) is 4; each item is scored 1-3"),
        ([0, 1, 1], "UCLA-3 item 1 (lack companionship) is 0"),
    ],
)
def test_ucla3_item_errors(items: list[int], message: str) -> None:
    assert message in rejected(record("ucla3", items, total=3))


def test_ucla3_total_must_agree() -> None:
    assert "UCLA-3 total 5 != sum of items 6" in rejected(record("ucla3", [2, 2, 2], total=5))


def test_unknown_measure_and_timepoint() -> None:
    assert "does not match any of the expected tags" in rejected(record("phq9", [1] * 9))
    data = record("ucla3", [1, 1, 1], total=3)
    data["timepoint"] = "halfway"
    assert "timepoint" in rejected(data)


def test_results_round_trip_as_json() -> None:
    result = SwemwbsResult.from_items([4] * 7, recorded_at=WHEN, timepoint=Timepoint.CLOSURE)
    assert ADAPTER.validate_json(result.model_dump_json(), strict=True) == result


# --- meaningful improvement ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "baseline", "latest", "improved"),
    [
        ("swemwbs-metric", 17.98, 20.98, True),  # exactly +3
        ("swemwbs-metric", 17.98, 20.73, False),  # +2.75
        ("swemwbs-metric", 23.21, 20.21, False),  # worse
        ("ons4-life-satisfaction", 4, 6, True),
        ("ons4-life-satisfaction", 6, 7, False),  # one point is day-to-day noise
        ("ons4-anxiety", 8, 6, True),  # anxiety: lower is better
        ("ons4-anxiety", 6, 8, False),
        ("ucla3-total", 8, 6, True),
        ("ucla3-total", 7, 6, False),
        ("ucla3-total", 6, 8, False),
    ],
)
def test_meaningful_improvement(key: str, baseline: float, latest: float, improved: bool) -> None:
    assert meaningful_improvement(key, baseline, latest) is improved


def test_every_score_has_a_rule_and_unknown_keys_fail() -> None:
    assert set(OUTCOME_SCORES) == {
        "ons4-life-satisfaction",
        "ons4-worthwhile",
        "ons4-happiness",
        "ons4-anxiety",
        "swemwbs-metric",
        "ucla3-total",
    }
    assert OUTCOME_SCORES["ucla3-total"].rule == "UCLA-3 total: down by at least 2"
    with pytest.raises(KeyError, match="unknown outcome score 'phq9'"):
        meaningful_improvement("phq9", 1, 2)


def test_improvements_compare_two_results_of_one_measure() -> None:
    before = Ons4Result.from_items((3, 5, 5, 7), recorded_at=WHEN, timepoint=Timepoint.BASELINE)
    after = Ons4Result.from_items((6, 6, 5, 4), recorded_at=WHEN, timepoint=Timepoint.FOLLOW_UP)
    assert improvements(before, after) == {
        "ons4-life-satisfaction": True,
        "ons4-worthwhile": False,
        "ons4-happiness": False,
        "ons4-anxiety": True,
    }
    other = Ucla3Result.from_items((1, 1, 1), recorded_at=WHEN, timepoint=Timepoint.FOLLOW_UP)
    with pytest.raises(ValueError, match="cannot compare ons4 with ucla3"):
        improvements(before, other)
