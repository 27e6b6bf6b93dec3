"""Statistics computed from additive aggregates: paired change with its t interval, quantiles.

Aggregates are kept as sums that can be added across months and areas (count, sum, sum of
squares; histograms of whole days), so every figure here is derived from them exactly rather
than estimated. Changes are held in hundredths (SWEMWBS metric scores have two decimals), so the
sums are integers and the mean and variance are computed with exact fractions before the single
rounding to float at the end.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from linkwork_outcomes.domain.student_t import t_quantile

CONFIDENCE = 0.95
SCALE = 100  # changes are stored in hundredths of a scale point


def to_hundredths(value: float) -> int:
    """A score or change as whole hundredths (scores have at most two decimals)."""
    return round(value * SCALE)


@dataclass(frozen=True, slots=True)
class ChangeSums:
    """Additive sums over paired changes (latest - baseline), in hundredths."""

    pairs: int = 0
    total: int = 0
    total_squares: int = 0
    improved: int = 0

    def __add__(self, other: ChangeSums) -> ChangeSums:
        return ChangeSums(
            self.pairs + other.pairs,
            self.total + other.total,
            self.total_squares + other.total_squares,
            self.improved + other.improved,
        )

    def __sub__(self, other: ChangeSums) -> ChangeSums:
        return ChangeSums(
            self.pairs - other.pairs,
            self.total - other.total,
            self.total_squares - other.total_squares,
            self.improved - other.improved,
        )

    @classmethod
    def of(cls, change_hundredths: int, improved: bool) -> ChangeSums:
        return cls(1, change_hundredths, change_hundredths * change_hundredths, int(improved))

    @property
    def is_zero(self) -> bool:
        return self == ChangeSums()


@dataclass(frozen=True, slots=True)
class PairedChange:
    """Mean change with a t-based confidence interval. Interval bounds are None below 2 pairs."""

    pairs: int
    mean: float
    standard_deviation: float | None
    lower: float | None
    upper: float | None


def paired_change(sums: ChangeSums) -> PairedChange | None:
    """Mean change and its 95% interval from the sums; None when there are no pairs."""
    n = sums.pairs
    if n <= 0:
        return None
    mean = Fraction(sums.total, n * SCALE)
    if n == 1:
        return PairedChange(n, float(mean), None, None, None)
    # Sample variance: (sum x^2 - (sum x)^2 / n) / (n - 1), exact in hundredths squared.
    variance = Fraction(sums.total_squares * n - sums.total * sums.total, n * (n - 1) * SCALE * SCALE)
    sd = math.sqrt(variance)
    half_width = t_quantile(1 - (1 - CONFIDENCE) / 2, n - 1) * sd / math.sqrt(n)
    return PairedChange(n, float(mean), sd, float(mean) - half_width, float(mean) + half_width)


def histogram_quantile(histogram: Mapping[int, int], q: float) -> float | None:
    """The q-quantile of whole-number values given as {value: count}.

    Linear interpolation between order statistics (Hyndman and Fan type 7: the default of R,
    numpy and spreadsheet PERCENTILE.INC), so the median of an even count is the midpoint.
    """
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"q must be within [0, 1], got {q}")
    values = sorted((value, count) for value, count in histogram.items() if count > 0)
    n = sum(count for _, count in values)
    if n == 0:
        return None
    # The decimal q as written (0.9 is 9/10, not the binary double nearest to it).
    position = Fraction(repr(q)) * (n - 1)  # zero-based rank
    below = math.floor(position)
    fraction = position - below

    def order_statistic(rank: int) -> int:
        seen = 0
        for value, count in values:
            seen += count
            if rank < seen:
                return value
        return values[-1][0]

    low = order_statistic(below)
    if fraction == 0:
        return float(low)
    high = order_statistic(below + 1)
    return float(low + fraction * (high - low))


def histogram_mean(histogram: Mapping[int, int]) -> float | None:
    n = sum(histogram.values())
    if n == 0:
        return None
    return float(Fraction(sum(value * count for value, count in histogram.items()), n))


def ratio(numerator: int, denominator: int) -> float | None:
    """numerator / denominator, or None when the denominator is zero."""
    return numerator / denominator if denominator else None
