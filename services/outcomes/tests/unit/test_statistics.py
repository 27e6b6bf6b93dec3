"""Paired change and quantiles from additive sums, checked against the standard library."""

from __future__ import annotations

import random
import statistics

import pytest
from linkwork_outcomes.domain.statistics import (
    ChangeSums,
    histogram_mean,
    histogram_quantile,
    paired_change,
    to_hundredths,
)
from linkwork_outcomes.domain.student_t import t_quantile

pytestmark = pytest.mark.unit


def _sums(changes: list[float]) -> ChangeSums:
    total = ChangeSums()
    for change in changes:
        total = total + ChangeSums.of(to_hundredths(change), improved=change >= 3)
    return total


def test_paired_change_matches_mean_and_sample_sd() -> None:
    changes = [2.41, -0.75, 3.0, 5.62, 0.0, 1.86, 4.09, -1.5]
    result = paired_change(_sums(changes))
    assert result is not None
    mean, sd = statistics.fmean(changes), statistics.stdev(changes)
    half = t_quantile(0.975, len(changes) - 1) * sd / len(changes) ** 0.5
    assert result.pairs == 8
    assert result.mean == pytest.approx(mean, abs=1e-12)
    assert result.standard_deviation == pytest.approx(sd, abs=1e-12)
    assert result.lower == pytest.approx(mean - half, abs=1e-12)
    assert result.upper == pytest.approx(mean + half, abs=1e-12)


def test_one_pair_has_a_mean_but_no_interval_and_none_has_nothing() -> None:
    one = paired_change(_sums([2.5]))
    assert one is not None and one.mean == 2.5 and one.lower is None and one.upper is None
    assert paired_change(ChangeSums()) is None


def test_sums_subtract_back_to_zero() -> None:
    a, b = _sums([1.0, 2.0]), _sums([3.0])
    assert ((a + b) - b) == a
    assert (a - a).is_zero


@pytest.mark.parametrize("decile", [1, 5, 9])
def test_histogram_quantile_is_the_inclusive_linear_quantile(decile: int) -> None:
    rng = random.Random(7)
    for size in (2, 5, 10, 11, 37):
        values = [rng.randrange(0, 40) for _ in range(size)]
        histogram: dict[int, int] = {}
        for value in values:
            histogram[value] = histogram.get(value, 0) + 1
        # The standard library's "inclusive" method is the same type 7 definition.
        expected = statistics.quantiles(values, n=10, method="inclusive")[decile - 1]
        assert histogram_quantile(histogram, decile / 10) == pytest.approx(expected, abs=1e-12)
        assert histogram_quantile(histogram, 0.0) == min(values)
        assert histogram_quantile(histogram, 1.0) == max(values)


def test_median_of_even_count_is_the_midpoint_and_empty_is_none() -> None:
    assert histogram_quantile({3: 1, 8: 1}, 0.5) == 5.5
    assert histogram_quantile({}, 0.5) is None
    assert histogram_quantile({4: 0}, 0.5) is None
    assert histogram_mean({1: 2, 4: 1}) == 2.0
    assert histogram_mean({}) is None
