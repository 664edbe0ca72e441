"""The statistics the survey analysis needs, in plain Python: Student's t and Benjamini-Hochberg.

numpy has no t distribution and the project does not carry scipy for two functions.
`t_cdf` evaluates the regularized incomplete beta function by its continued fraction
(Lentz's method, as in Numerical Recipes, `betacf`), accurate to about 1e-14;
`t_quantile` inverts it by Newton's method inside a bisection bracket, to 1e-12. Both
take any real degrees of freedom > 0 (a weighted cell has a non-integer effective n).
The tests check them against closed forms (1, 2 and 4 degrees of freedom) and
published table values.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

_EPS = 1e-16
_TINY = 1e-300


def _beta_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, 10_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        step = d * c
        h *= step
        if abs(step - 1.0) < _EPS:
            break
    return h


def incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b), for a, b > 0 and 0 <= x <= 1."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_fraction(a, b, x) / a
    return 1.0 - front * _beta_fraction(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with `df` > 0 degrees of freedom."""
    if df <= 0:
        raise ValueError("degrees of freedom must be positive")
    if math.isinf(t):
        return 1.0 if t > 0 else 0.0
    tail = 0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t > 0 else tail


def _t_density(t: float, df: float) -> float:
    log = (
        math.lgamma((df + 1.0) / 2.0)
        - math.lgamma(df / 2.0)
        - 0.5 * math.log(df * math.pi)
        - (df + 1.0) / 2.0 * math.log1p(t * t / df)
    )
    return math.exp(log)


@functools.lru_cache(maxsize=4096)
def t_quantile(p: float, df: float) -> float:
    """The t such that P(T <= t) = p, for 0 < p < 1 and `df` > 0 degrees of freedom."""
    if not 0.0 < p < 1.0:
        raise ValueError("p must be between 0 and 1")
    if df <= 0:
        raise ValueError("degrees of freedom must be positive")
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    if p == 0.5:
        return 0.0
    low, high = 0.0, 2.0
    while t_cdf(high, df) < p:
        low, high = high, high * 2.0
    t = (low + high) / 2.0
    for _ in range(200):
        error = t_cdf(t, df) - p
        if error == 0.0:
            break
        if error > 0:
            high = t
        else:
            low = t
        density = _t_density(t, df)
        candidate = t - error / density if density > 0 else (low + high) / 2.0
        if abs(candidate - t) <= 1e-13 * max(1.0, t):
            t = candidate
            break
        t = candidate if low < candidate < high else (low + high) / 2.0
        if high - low <= 1e-14 * max(1.0, t):
            break
    return t


def welch(
    mean1: float, var1: float, n1: float, mean2: float, var2: float, n2: float
) -> tuple[float, float] | None:
    """Welch's t-test of mean2 - mean1: (t, two-sided p), or None when it cannot be computed.

    `n` is the number of observations (the effective number for weighted means), `var`
    the sample variance. Degrees of freedom by the Welch-Satterthwaite equation, rounded
    down to a whole number (see `whole_df`; it makes p a little larger, never smaller).
    """
    if n1 <= 1 or n2 <= 1:
        return None
    a, b = var1 / n1, var2 / n2
    se2 = a + b
    if se2 <= 0:
        return None
    t = (mean2 - mean1) / math.sqrt(se2)
    df = max(whole_df(se2 * se2 / (a * a / (n1 - 1) + b * b / (n2 - 1))), 1)
    p = 2.0 * t_cdf(-abs(t), df)
    return t, min(1.0, max(0.0, p))


def whole_df(df: float) -> int:
    """Degrees of freedom rounded down to a whole number, as spreadsheets' T.INV and T.DIST.2T do.

    (A hair is added first, so that 7.999999999999 from floating-point sums counts as 8.)
    """
    return math.floor(df + 1e-9)


def benjamini_hochberg(p: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (q), in the order of `p`.

    With the m p-values ranked 1..m from the smallest, q(i) = min over j >= i of
    p(j) * m / j, and never above 1.
    """
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    q = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p[i] * m / rank)
        q[i] = running
    return q
