"""The t quantile against closed forms and against an independent numerical integration."""

from __future__ import annotations

import math

import pytest
from linkwork_outcomes.domain.student_t import regularised_incomplete_beta, t_cdf, t_quantile

pytestmark = pytest.mark.unit


def _closed_form(p: float, df: int) -> float:
    # Exact inverses exist for 1, 2 and 4 degrees of freedom (Hill 1970; Shaw 2006).
    if df == 1:
        return math.tan(math.pi * (p - 0.5))
    if df == 2:
        return (2 * p - 1) / math.sqrt(2 * p * (1 - p))
    alpha = 4 * p * (1 - p)
    q = math.cos(math.acos(math.sqrt(alpha)) / 3) / math.sqrt(alpha)
    return math.copysign(2 * math.sqrt(q - 1), p - 0.5)


def _pdf(x: float, df: int) -> float:
    log_norm = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    return math.exp(log_norm - (df + 1) / 2 * math.log1p(x * x / df))


def _cdf_by_simpson(t: float, df: int, steps: int = 20_000) -> float:
    """P(T <= t) = 1/2 + the integral of the density from 0 to t (composite Simpson's rule)."""
    h = t / steps
    total = _pdf(0, df) + _pdf(t, df)
    total += sum((4 if i % 2 else 2) * _pdf(i * h, df) for i in range(1, steps))
    return 0.5 + total * h / 3


@pytest.mark.parametrize("df", [1, 2, 4])
@pytest.mark.parametrize("p", [0.975, 0.95, 0.9, 0.6, 0.025])
def test_quantile_matches_the_closed_forms(df: int, p: float) -> None:
    assert t_quantile(p, df) == pytest.approx(_closed_form(p, df), rel=1e-12)


@pytest.mark.parametrize(
    ("df", "published"),
    # Two-sided 95% critical values as printed in standard tables (to 3 decimals).
    [(3, 3.182), (5, 2.571), (9, 2.262), (10, 2.228), (29, 2.045), (30, 2.042), (100, 1.984)],
)
def test_quantile_matches_published_tables(df: int, published: float) -> None:
    assert round(t_quantile(0.975, df), 3) == published


@pytest.mark.parametrize("df", [3, 7, 19, 60])
def test_cdf_at_the_quantile_agrees_with_integrating_the_density(df: int) -> None:
    t = t_quantile(0.975, df)
    assert _cdf_by_simpson(t, df) == pytest.approx(0.975, abs=1e-10)


def test_large_df_approaches_the_normal_quantile() -> None:
    assert t_quantile(0.975, 1_000_000) == pytest.approx(1.959963984540054, abs=1e-5)


def test_cdf_is_symmetric_and_monotone() -> None:
    assert t_cdf(0.0, 5) == pytest.approx(0.5)
    assert t_cdf(-1.3, 7) == pytest.approx(1 - t_cdf(1.3, 7), abs=1e-15)
    values = [t_cdf(x / 10, 4) for x in range(-50, 51)]
    assert values == sorted(values)


def test_incomplete_beta_edges_and_a_known_value() -> None:
    assert regularised_incomplete_beta(2, 3, 0.0) == 0.0
    assert regularised_incomplete_beta(2, 3, 1.0) == 1.0
    # I_x(1, b) = 1 - (1 - x)^b exactly.
    assert regularised_incomplete_beta(1, 3, 0.4) == pytest.approx(1 - 0.6**3, rel=1e-13)


def test_rejects_impossible_arguments() -> None:
    with pytest.raises(ValueError):
        t_quantile(1.0, 3)
    with pytest.raises(ValueError):
        t_quantile(0.5, 0)
    with pytest.raises(ValueError):
        regularised_incomplete_beta(1, 1, 1.5)
