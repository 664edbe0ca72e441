"""The catalogue's statistics, in Python, on the small aggregated tables the engine returns.

For each indicator row: a p-value from the indicator's test, an effect size, a status
(calculated, insufficient support, not applicable), Benjamini-Hochberg q-values within
indicator x entity kind x period over the calculated rows, and a flag that needs enough
support, a material effect, q ≤ alpha and persistence over consecutive months.

A flag is a risk signal for review, never a verdict; the composite score per entity is
only ever returned with its breakdown.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from arusha.analytics.engine.catalogue.context import OUTPUT
from arusha.analytics.engine.catalogue.definitions import IndicatorDefinition, definitions

CALCULATED = "calculated"
INSUFFICIENT = "insufficient"
NOT_APPLICABLE = "not_applicable"

COLUMNS = (
    "indicator",
    "version",
    "entity_kind",
    "entity",
    "office_code",
    "period",
    "numerator",
    "denominator",
    "baseline",
    "effect",
    "p",
    "q",
    "flag",
    "status",
    "persistence",
    "details",
)

# Benford's first-digit shares: log10(1 + 1/d), d = 1 … 9.
BENFORD_SHARES = np.log10(1.0 + 1.0 / np.arange(1, 10))
# Scales the median absolute deviation to a standard deviation under normality.
MAD_TO_SD = 1.4826
# The least flows in a month for a robust z across them to mean anything.
MIN_FLOWS = 8
# -log10 q is capped at this in the composite score, so one indicator cannot dominate it.
EVIDENCE_CAP = 10.0

FloatArray = np.ndarray[Any, np.dtype[np.float64]]


# Tail probabilities -----------------------------------------------------------------------


def poisson_upper(observed: Any, expected: Any) -> FloatArray:
    """P(X ≥ observed) for X ~ Poisson(expected)."""
    k = np.asarray(observed, dtype=float)
    return np.asarray(sps.poisson.sf(k - 1, np.asarray(expected, dtype=float)), dtype=float)


def binomial_upper(successes: Any, trials: Any, share: Any) -> FloatArray:
    """P(X ≥ successes) for X ~ Binomial(trials, share)."""
    k = np.asarray(successes, dtype=float)
    return np.asarray(sps.binom.sf(k - 1, np.asarray(trials, dtype=float), np.asarray(share, dtype=float)))


def binomial_lower(successes: Any, trials: Any, share: Any) -> FloatArray:
    """P(X ≤ successes) for X ~ Binomial(trials, share)."""
    k = np.asarray(successes, dtype=float)
    return np.asarray(sps.binom.cdf(k, np.asarray(trials, dtype=float), np.asarray(share, dtype=float)))


def z_lower(z: Any) -> FloatArray:
    return np.asarray(sps.norm.cdf(np.asarray(z, dtype=float)), dtype=float)


def z_upper(z: Any) -> FloatArray:
    return np.asarray(sps.norm.sf(np.asarray(z, dtype=float)), dtype=float)


def chi2_upper(statistic: Any, df: Any) -> FloatArray:
    return np.asarray(sps.chi2.sf(np.asarray(statistic, dtype=float), np.asarray(df, dtype=float)))


def benjamini_hochberg(p: Any) -> FloatArray:
    """Benjamini-Hochberg q-values (step-up, monotone); NaN p-values stay NaN, uncounted."""
    values = np.asarray(p, dtype=float)
    q = np.full(values.shape, np.nan)
    valid = np.flatnonzero(~np.isnan(values))
    m = valid.size
    if m == 0:
        return q
    order = valid[np.argsort(values[valid], kind="stable")]
    ranked = values[order] * m / np.arange(1, m + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    q[order] = np.minimum(ranked, 1.0)
    return q


def benford(counts: Any) -> tuple[FloatArray, FloatArray]:
    """Chi-square statistic (8 df) and mean absolute deviation of first-digit counts.

    `counts` has one row per series and nine columns (digits 1 … 9).
    """
    c = np.atleast_2d(np.asarray(counts, dtype=float))
    n = c.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = n[:, None] * BENFORD_SHARES[None, :]
        statistic = ((c - expected) ** 2 / expected).sum(axis=1)
        mad = np.abs(c / n[:, None] - BENFORD_SHARES[None, :]).mean(axis=1)
    return np.asarray(statistic, dtype=float), np.asarray(mad, dtype=float)


def robust_z(values: Any) -> tuple[FloatArray, float, float]:
    """(value - median) / (1.4826 x MAD), with the median and the scaled MAD."""
    x = np.asarray(values, dtype=float)
    median = float(np.median(x))
    spread = float(np.median(np.abs(x - median))) * MAD_TO_SD
    if spread <= 0:
        return np.full(x.shape, np.nan), median, spread
    return (x - median) / spread, median, spread


def month_number(period: pd.Series) -> pd.Series:
    """ "YYYY-MM" → months since year 0, to find consecutive months (few distinct periods)."""
    numbers = {p: int(p[:4]) * 12 + int(p[5:7]) - 1 for p in pd.unique(period)}
    return period.map(numbers).astype("int64")


def persistence(frame: pd.DataFrame, meets: pd.Series) -> pd.Series:
    """Consecutive months, ending with each row's, in which the entity meets every test.

    `frame` has entity_kind, entity and period; rows of months the entity is missing from
    break a run like months where it does not meet the tests.
    """
    if frame.empty:
        return pd.Series(np.zeros(0, dtype="int64"), index=frame.index)
    work = pd.DataFrame(
        {
            "kind": frame["entity_kind"].to_numpy(),
            "entity": frame["entity"].to_numpy(),
            "month": month_number(frame["period"]).to_numpy(),
            "meets": meets.to_numpy(dtype=bool),
        },
        index=frame.index,
    ).sort_values(["kind", "entity", "month"], kind="stable")
    same = (work["kind"].eq(work["kind"].shift())) & (work["entity"].eq(work["entity"].shift()))
    follows = same & work["month"].eq(work["month"].shift() + 1) & work["meets"].shift(fill_value=False)
    run = (~follows).cumsum()
    length = work.groupby(run).cumcount() + 1
    result = length.where(work["meets"], 0).astype("int64")
    return result.reindex(frame.index)


# Evaluation of one indicator ---------------------------------------------------------------


def settle(values: Any, digits: int = 12) -> FloatArray:
    """Round to `digits` significant digits.

    Sums of doubles differ in their last bits with the order of addition, which differs
    between engines and runs; settling them first means that "observed equals expected"
    gives an effect of exactly zero on DuckDB and on Spark alike.
    """
    x = np.asarray(values, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        magnitude = np.floor(np.log10(np.abs(x)))
        exponent = np.clip(np.where(np.isfinite(magnitude), digits - 1 - magnitude, 0.0), -300, 300)
        scale = 10.0**exponent
        return np.where(np.isfinite(x) & (x != 0), np.round(x * scale) / scale, x)


def _ratio(a: FloatArray, b: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1.0), np.nan)


def evaluate(definition: IndicatorDefinition, raw: pd.DataFrame) -> pd.DataFrame:
    """The catalogue's rows of one indicator from the engine's aggregated rows."""
    frame = raw.reset_index(drop=True)
    n_rows = len(frame)
    num = settle(frame["numerator"].to_numpy(dtype=float, na_value=np.nan))
    den = settle(frame["denominator"].to_numpy(dtype=float, na_value=np.nan))
    exp = settle(frame["expected"].to_numpy(dtype=float, na_value=np.nan))
    support = frame["support"].to_numpy(dtype=float, na_value=0.0)
    p = np.full(n_rows, np.nan)
    effect = np.full(n_rows, np.nan)
    baseline = np.full(n_rows, np.nan)
    extra: dict[str, FloatArray] = {}
    enough = support >= definition.min_support
    applicable = np.ones(n_rows, dtype=bool)
    test = definition.test

    if test in {"poisson_upper", "binomial_upper", "binomial_lower"}:
        applicable = (exp > 0) & (den > 0) & (exp < den if test != "poisson_upper" else True)
        share = _ratio(exp, den)
        baseline = share
        ok = enough & applicable
        if test == "poisson_upper":
            p[ok] = poisson_upper(num[ok], exp[ok])
        elif test == "binomial_upper":
            p[ok] = binomial_upper(num[ok], den[ok], share[ok])
        else:
            p[ok] = binomial_lower(num[ok], den[ok], share[ok])
    elif test == "z_lower":
        variance = settle(frame["variance"].to_numpy(dtype=float, na_value=np.nan))
        applicable = (exp > 0) & (variance > 0) & (den > 0)
        baseline = _ratio(exp, den)
        ok = enough & applicable
        z = np.full(n_rows, np.nan)
        z[ok] = (num[ok] - exp[ok]) / np.sqrt(variance[ok])
        p[ok] = z_lower(z[ok])
        extra["z"] = z
    elif test == "chi2_upper":
        applicable = exp > 0
        baseline = exp
        ok = enough & applicable
        p[ok] = chi2_upper(num[ok], exp[ok])
    elif test == "benford_chi2":
        counts = frame[[f"d{d}" for d in range(1, 10)]].to_numpy(dtype=float)
        statistic, mad = benford(counts)
        num = statistic
        baseline = np.full(n_rows, 8.0)
        applicable = den > 0
        ok = enough & applicable
        p[ok] = chi2_upper(statistic[ok], 8)
        extra["mad"] = mad
    elif test == "robust_z_upper":
        applicable = (den > 0) & (num > 0)
        ok = enough & applicable
        log_gap = np.full(n_rows, np.nan)
        log_gap[ok] = np.log(num[ok] / den[ok])
        z = np.full(n_rows, np.nan)
        periods = frame["period"].to_numpy()
        for period in pd.unique(periods[ok]):
            members = ok & (periods == period)
            if members.sum() < MIN_FLOWS:
                applicable = applicable & ~members
                continue
            z_period, median, spread = robust_z(log_gap[members])
            if spread <= 0:
                applicable = applicable & ~members
                continue
            z[members] = z_period
            baseline[members] = math.exp(median)
        ok = enough & applicable
        p[ok] = z_upper(z[ok])
        extra["z"] = z
        extra["log_gap"] = log_gap
    elif test == "rule":
        baseline = exp

    effect = _effect(definition, num, den, exp, baseline, extra)
    status = np.where(~enough, INSUFFICIENT, np.where(applicable, CALCULATED, NOT_APPLICABLE))
    if test == "rule":
        status = np.where(den > 0, CALCULATED, NOT_APPLICABLE)
    calculated = status == CALCULATED
    p = np.where(calculated, p, np.nan)

    out = pd.DataFrame(
        {
            "indicator": definition.code,
            "version": definition.version,
            "entity_kind": frame["entity_kind"].astype(str),
            "entity": frame["entity"].astype(str),
            "office_code": frame["office_code"].fillna("").astype(str),
            "period": frame["period"].astype(str),
            "numerator": num,
            "denominator": den,
            "baseline": baseline,
            "effect": np.where(np.isfinite(effect), effect, np.nan),
            "p": p,
            "q": np.nan,
            "flag": False,
            "status": status,
            "persistence": 0,
        }
    )
    if test != "rule":
        for _, index in out[calculated].groupby(["entity_kind", "period"]).groups.items():
            out.loc[index, "q"] = benjamini_hochberg(out.loc[index, "p"].to_numpy(dtype=float))
        meets = (
            calculated
            & (out["effect"].to_numpy(dtype=float, na_value=np.nan) >= definition.min_effect)
            & (out["q"].to_numpy(dtype=float, na_value=np.nan) <= definition.alpha)
        )
    else:
        meets = calculated & (out["effect"].to_numpy(dtype=float, na_value=np.nan) > definition.min_effect)
    run = persistence(out, pd.Series(meets, index=out.index))
    out["persistence"] = run.astype("int64")
    out["flag"] = (run >= definition.persistence).to_numpy()
    out["details"] = _details(definition, frame, exp, extra)
    return out.loc[:, list(COLUMNS)]


def _effect(
    definition: IndicatorDefinition,
    num: FloatArray,
    den: FloatArray,
    exp: FloatArray,
    baseline: FloatArray,
    extra: dict[str, FloatArray],
) -> FloatArray:
    kind = definition.effect
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "ratio":
            return _ratio(num, exp)
        if kind == "excess_share":
            # Of the declarations the rule would have sent elsewhere, the share that came
            # here anyway: (O - E) / (N - E). Unlike O / E it does not shrink where the
            # rule itself gives a large share (a section of two inspectors).
            return _ratio(num - exp, den - exp)
        if kind == "inverse_ratio":
            # An officer who found nothing counts as having found half a case: the ratio
            # stays finite and still grows with the expectation.
            return _ratio(exp, np.maximum(num, 0.5))
        if kind == "shortfall":
            return _ratio(exp - num, exp)
        if kind == "statistic_over_df":
            return _ratio(num, exp)
        if kind == "mad":
            return extra["mad"]
        if kind == "gap":
            # How many times the month's typical export/declared ratio this flow's is.
            return _ratio(_ratio(num, den), baseline)
        # rule_ratio
        return _ratio(num, den)


def _details(
    definition: IndicatorDefinition, frame: pd.DataFrame, expected: FloatArray, extra: dict[str, FloatArray]
) -> list[str]:
    """The JSON details of each row: the test, the expectation and any extra statistics.

    Written by pandas' JSON writer (missing and infinite numbers become null), which is
    much faster than one json.dumps per row on national volumes.
    """
    columns = [c for c in frame.columns if c not in OUTPUT]
    data = pd.DataFrame({"test": definition.test, "stratum": definition.strata.en}, index=frame.index)
    for name in columns:
        data[name] = frame[name]
    data["expected"] = expected
    data["support"] = frame["support"]
    for name, values in extra.items():
        data[name] = values
    window_months = int(definition.params.get("window_months", 1))
    if window_months > 1:
        data["window_months"] = window_months
    numeric = data.select_dtypes(include="float").columns
    data[numeric] = data[numeric].replace([np.inf, -np.inf], np.nan)
    if data.empty:
        return []
    text = data.to_json(orient="records", lines=True, double_precision=15, force_ascii=False)
    return text.rstrip("\n").split("\n")


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def measure_rows(definition: IndicatorDefinition, raw: pd.DataFrame) -> pd.DataFrame:
    """Office-level measure rows (performance contracts): no test, never flagged.

    value = numerator / denominator in the measure's unit (x 100 for %); baseline is the
    national value of the month in the same unit; effect = value / baseline.
    """
    measure = definition.measure
    assert measure is not None
    frame = raw.reset_index(drop=True)
    num = settle(frame["numerator"].to_numpy(dtype=float, na_value=np.nan))
    den = settle(frame["denominator"].to_numpy(dtype=float, na_value=np.nan))
    exp = settle(frame["expected"].to_numpy(dtype=float, na_value=np.nan))
    value = _ratio(num, den) * measure.scale
    national = _ratio(exp, den) * measure.scale
    effect = _ratio(value, national)
    out = pd.DataFrame(
        {
            "indicator": measure.code,
            "version": definition.version,
            "entity_kind": "office",
            "entity": frame["entity"].astype(str),
            "office_code": frame["office_code"].astype(str),
            "period": frame["period"].astype(str),
            "numerator": num,
            "denominator": den,
            "baseline": national,
            "effect": effect,
            "p": np.nan,
            "q": np.nan,
            "flag": False,
            "status": np.where(den > 0, CALCULATED, INSUFFICIENT),
            "persistence": 0,
        }
    )
    out["details"] = [
        json.dumps(
            {
                "measure": measure.code,
                "unit": measure.unit,
                "direction": measure.direction,
                "value": _plain(v),
                "national": _plain(b),
                "support": _plain(s),
            }
        )
        for v, b, s in zip(value.tolist(), national.tolist(), frame["support"].tolist(), strict=True)
    ]
    return out.loc[:, list(COLUMNS)]


def empty_signals() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=_DTYPES[name]) for name in COLUMNS})


_DTYPES = {
    "indicator": "object",
    "version": "int64",
    "entity_kind": "object",
    "entity": "object",
    "office_code": "object",
    "period": "object",
    "numerator": "float64",
    "denominator": "float64",
    "baseline": "float64",
    "effect": "float64",
    "p": "float64",
    "q": "float64",
    "flag": "bool",
    "status": "object",
    "persistence": "int64",
    "details": "object",
}


def normalise(signals: pd.DataFrame) -> pd.DataFrame:
    """Column types of the row shape, rows in a stable order."""
    frame = signals.astype(_DTYPES)
    return frame.sort_values(["indicator", "entity_kind", "period", "entity"], kind="stable").reset_index(
        drop=True
    )


# Composite score per entity -----------------------------------------------------------------


@dataclass(frozen=True)
class CompositePart:
    """One indicator's contribution to an entity's composite score."""

    indicator: str
    via: str  # the entity kind of the signals: the entity's own kind, or "pair"
    periods: tuple[str, ...]  # flagged periods
    q: float | None  # the smallest q over those periods
    effect: float | None  # the largest effect over those periods
    evidence: float  # min(-log10 q, EVIDENCE_CAP); 0 for context indicators
    counts: bool  # False for context indicators (TENURE)


@dataclass(frozen=True)
class CompositeScore:
    """An entity's composite score, never without its breakdown."""

    entity_kind: str
    entity: str
    score: float  # Σ evidence over the indicators that count
    indicators: int  # indicators that flagged the entity and count
    parts: tuple[CompositePart, ...] = field(default_factory=tuple)


COMPOSITE_KINDS = ("officer", "broker", "trader")


def composite(signals: pd.DataFrame, *, period: str | None = None) -> list[CompositeScore]:
    """Composite scores of officers, brokers and traders from their flagged signals.

    Pair signals (broker|officer) count for both the broker and the officer. The score
    adds, over the distinct indicators that flagged the entity, the evidence
    min(-log10 q, 10); context indicators (TENURE) are listed but do not count.
    Entities with no flag get no score. Highest score first.
    """
    counting = {d.code: d.composite for d in definitions()}
    flagged = signals[signals["flag"].astype(bool)]
    if period is not None:
        flagged = flagged[flagged["period"] == period]
    records: list[tuple[str, str, str, str, str, float, float]] = []
    columns = ("entity_kind", "entity", "indicator", "period")
    texts = zip(*(flagged[c].astype(str).tolist() for c in columns), strict=True)
    qs = flagged["q"].to_numpy(dtype=float, na_value=np.nan).tolist()
    effects = flagged["effect"].to_numpy(dtype=float, na_value=np.nan).tolist()
    for (kind, entity, indicator, month), q, effect in zip(texts, qs, effects, strict=True):
        if kind in COMPOSITE_KINDS:
            records.append((kind, entity, indicator, kind, month, q, effect))
        elif kind == "pair" and "|" in entity:
            broker, officer = entity.split("|", 1)
            for own_kind, own in (("broker", broker), ("officer", officer)):
                records.append((own_kind, own, indicator, "pair", month, q, effect))
    if not records:
        return []
    table = pd.DataFrame(records, columns=["kind", "entity", "indicator", "via", "period", "q", "effect"])
    scores: list[CompositeScore] = []
    for keys, own_rows in table.groupby(["kind", "entity"], sort=True):
        kind, entity = (str(k) for k in keys)
        parts = []
        for part_keys, part in own_rows.groupby(["indicator", "via"], sort=True):
            indicator, via = (str(k) for k in part_keys)
            q_min = float(part["q"].min()) if part["q"].notna().any() else None
            effect_max = float(part["effect"].max()) if part["effect"].notna().any() else None
            counts = counting.get(indicator, True)
            evidence = 0.0
            if counts and q_min is not None:
                evidence = EVIDENCE_CAP if q_min <= 0 else min(-math.log10(q_min), EVIDENCE_CAP)
            parts.append(
                CompositePart(
                    indicator=indicator,
                    via=via,
                    periods=tuple(sorted(set(part["period"]))),
                    q=q_min,
                    effect=effect_max,
                    evidence=evidence,
                    counts=counts,
                )
            )
        # One indicator seen directly and through a pair counts once, at its strongest.
        best: dict[str, float] = {}
        for part_ in parts:
            if part_.counts:
                best[part_.indicator] = max(best.get(part_.indicator, 0.0), part_.evidence)
        scores.append(
            CompositeScore(
                entity_kind=kind,
                entity=entity,
                score=round(sum(best.values()), 6),
                indicators=len(best),
                parts=tuple(parts),
            )
        )
    scores.sort(key=lambda s: (-s.score, -s.indicators, s.entity_kind, s.entity))
    return scores
