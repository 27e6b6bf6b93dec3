"""Student's t distribution: cumulative probability and quantiles, in plain Python.

The paired confidence interval needs t(0.975, n - 1). Rather than pull in scipy for one number,
the CDF is written through the regularised incomplete beta function,

    P(T <= t) = 1 - I_x(df/2, 1/2) / 2   for t >= 0,   x = df / (df + t^2),

with I_x evaluated by its continued fraction (modified Lentz), and the quantile found by Newton's
method on that monotone CDF, safeguarded by bisection so that it cannot diverge.
"""

from __future__ import annotations

import math
import sys
from functools import lru_cache

_EPSILON = 1e-16
_TINY = 1e-300
_MAX_TERMS = 10_000


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of I_x(a, b) (without its prefactor), by the modified Lentz method."""
    c = 1.0
    d = 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    result = d
    for m in range(1, _MAX_TERMS):
        # Even step: d_{2m} = m (b - m) x / ((a + 2m - 1)(a + 2m)).
        numerator = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        d = 1.0 + numerator * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + numerator / c
        c = c if abs(c) > _TINY else _TINY
        result *= d * c
        # Odd step: d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)).
        numerator = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
        d = 1.0 + numerator * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + numerator / c
        c = c if abs(c) > _TINY else _TINY
        step = d * c
        result *= step
        if abs(step - 1.0) < _EPSILON:
            return result
    raise ArithmeticError(f"incomplete beta continued fraction did not converge (a={a}, b={b}, x={x})")


def regularised_incomplete_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b) for a, b > 0 and 0 <= x <= 1."""
    if not 0.0 <= x <= 1.0:
        raise ValueError(f"x must be within [0, 1], got {x}")
    if x in (0.0, 1.0):
        return x
    log_prefactor = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    prefactor = math.exp(log_prefactor)
    # The fraction converges quickly only below the mean of the beta distribution; above it,
    # use the symmetry I_x(a, b) = 1 - I_{1-x}(b, a).
    if x < (a + 1.0) / (a + b + 2.0):
        return prefactor * _beta_continued_fraction(a, b, x) / a
    return 1.0 - prefactor * _beta_continued_fraction(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with `df` degrees of freedom."""
    if df <= 0:
        raise ValueError(f"degrees of freedom must be positive, got {df}")
    tail = 0.5 * regularised_incomplete_beta(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


@lru_cache(maxsize=1024)
def t_quantile(p: float, df: float) -> float:
    """The t such that P(T <= t) = p, for 0 < p < 1."""
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be strictly between 0 and 1, got {p}")
    if df <= 0:
        raise ValueError(f"degrees of freedom must be positive, got {df}")
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        low, high = high, high * 2.0
    # Newton's method on the monotone CDF, kept inside the bracket [low, high]: a step that would
    # leave it bisects instead, so it cannot diverge, and it converges in a handful of steps.
    t = (low + high) / 2.0
    for _ in range(200):
        error = t_cdf(t, df) - p
        if error < 0:
            low = t
        else:
            high = t
        step = error / t_density(t, df)
        candidate = t - step
        if not low < candidate < high:
            candidate = (low + high) / 2.0
        if abs(candidate - t) <= 4 * sys.float_info.epsilon * max(1.0, abs(t)) or high - low <= 1e-15 * high:
            return candidate
        t = candidate
    return t


def t_density(t: float, df: float) -> float:
    """The density of Student's t with `df` degrees of freedom at t."""
    log_norm = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    return math.exp(log_norm - (df + 1) / 2 * math.log1p(t * t / df))
