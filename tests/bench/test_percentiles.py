"""The benchmarks' one percentile definition (bench/percentiles.py, described in bench/README.md).

Linear interpolation between the closest ranks: numpy's default, the standard library's
`statistics.quantiles(method="inclusive")`, and `statistics.median` at the 50th. The summaries that used to
pick a sample by rank (matching's latency, referral's) report it too.
"""

from __future__ import annotations

import importlib
import random
import statistics

import pytest

pytestmark = pytest.mark.unit


@pytest.mark.usefixtures("bench")
def test_percentile_is_the_inclusive_quantile_and_the_median() -> None:
    percentile = importlib.import_module("bench.percentiles").percentile
    rng = random.Random(7)
    for count in (2, 3, 10, 101, 1000):
        values = [rng.expovariate(1 / 20) for _ in range(count)]
        cuts = statistics.quantiles(values, n=100, method="inclusive")
        assert [percentile(values, q) for q in range(1, 100)] == pytest.approx(cuts)
        assert percentile(values, 50) == pytest.approx(statistics.median(values))
    assert percentile([15, 20, 35, 40, 50], 40) == pytest.approx(29)  # 20 + 0.6 x (35 - 20)
    assert percentile([3.5], 99) == 3.5
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)


@pytest.mark.usefixtures("bench")
def test_matching_latency_reports_interpolated_percentiles() -> None:
    summary = importlib.import_module("bench.matching.latency").percentiles([float(ms) for ms in range(1, 101)])
    # A pick by rank int(q x n) gave 96 and 100.
    assert (summary["median_ms"], summary["p95_ms"], summary["p99_ms"]) == (50.5, 95.05, 99.01)


@pytest.mark.usefixtures("bench")
def test_referral_benchmark_reports_interpolated_percentiles() -> None:
    referral = importlib.import_module("bench.referral.bench_referral")
    summary = referral.summary("intake", [ms / 1000 for ms in range(1, 11)])
    # Nearest rank round(q x (n - 1)) gave 10.0 for both.
    assert (summary["median_ms"], summary["p95_ms"], summary["p99_ms"]) == (5.5, 9.6, 9.9)
