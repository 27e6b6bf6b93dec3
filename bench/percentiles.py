"""The one way the benchmarks compute a percentile (bench/README.md says why, and which committed results
were measured with an earlier definition)."""

from __future__ import annotations

from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (q from 0 to 100), interpolating linearly between the two closest ranks.

    numpy's default method (type 7 of Hyndman and Fan); at q=50 it is `statistics.median`, which the
    benchmarks keep using for medians.
    """
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
