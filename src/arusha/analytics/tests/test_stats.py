"""The catalogue's statistics: tails, Benjamini-Hochberg, Benford, persistence, flags, composite."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from arusha.analytics.engine import stats
from arusha.analytics.engine.catalogue import definition


def test_benjamini_hochberg_matches_a_hand_computed_example():
    # Sorted: 0.005 (1), 0.01 (2), 0.03 (3), 0.04 (4); p x m / rank = 0.02, 0.02, 0.04, 0.04.
    q = stats.benjamini_hochberg([0.01, 0.04, 0.03, 0.005])
    assert q.tolist() == pytest.approx([0.02, 0.04, 0.04, 0.02])


def test_benjamini_hochberg_is_monotone_in_p():
    # Raw p x m / rank: 0.04, 0.03, 0.0267, 0.8 → step-up minimum from the top: 0.0267 for the first three.
    q = stats.benjamini_hochberg([0.01, 0.015, 0.02, 0.8])
    assert q.tolist() == pytest.approx([0.08 / 3, 0.08 / 3, 0.08 / 3, 0.8])


def test_benjamini_hochberg_agrees_with_scipy():
    rng = np.random.default_rng(3)
    p = np.concatenate([rng.uniform(size=200), rng.uniform(0, 1e-3, size=20)])
    assert stats.benjamini_hochberg(p) == pytest.approx(sps.false_discovery_control(p, method="bh"))


def test_benjamini_hochberg_leaves_missing_p_values_out_of_the_count():
    q = stats.benjamini_hochberg([0.01, math.nan, 0.04])
    assert math.isnan(q[1])
    assert q[0] == pytest.approx(0.02)  # m = 2, not 3
    assert q[2] == pytest.approx(0.04)


def test_tails_match_hand_computations():
    assert stats.poisson_upper([3], [1.0])[0] == pytest.approx(1 - math.exp(-1) * 2.5)
    assert stats.poisson_upper([0], [2.0])[0] == pytest.approx(1.0)
    assert stats.binomial_upper([2], [2], [0.5])[0] == pytest.approx(0.25)
    assert stats.binomial_lower([0], [10], [0.2])[0] == pytest.approx(0.8**10)
    assert stats.z_lower([-1.959964])[0] == pytest.approx(0.025, rel=1e-5)
    assert stats.chi2_upper([3.841459], [1])[0] == pytest.approx(0.05, rel=1e-5)


def test_benford_statistic_is_zero_on_benford_shares_and_mad_measures_the_stray():
    conforming = np.round(stats.BENFORD_SHARES * 1e6)
    statistic, mad = stats.benford([conforming])
    assert statistic[0] == pytest.approx(0.0, abs=1e-3)
    assert mad[0] == pytest.approx(0.0, abs=1e-6)
    only_ones = [[50, 0, 0, 0, 0, 0, 0, 0, 0]]
    statistic, mad = stats.benford(only_ones)
    expected_mad = (abs(1 - stats.BENFORD_SHARES[0]) + stats.BENFORD_SHARES[1:].sum()) / 9
    assert mad[0] == pytest.approx(expected_mad)
    expected = 50 * stats.BENFORD_SHARES
    counts = np.array(only_ones[0], dtype=float)
    assert statistic[0] == pytest.approx(((counts - expected) ** 2 / expected).sum())


def test_robust_z_uses_median_and_scaled_mad():
    z, median, spread = stats.robust_z([1.0, 2.0, 3.0, 4.0, 100.0])
    assert median == 3.0
    assert spread == pytest.approx(1.4826)
    assert z[-1] == pytest.approx(97 / 1.4826)


def _rows(**columns):
    return pd.DataFrame(columns)


def test_persistence_counts_consecutive_months_and_breaks_on_gaps():
    frame = _rows(
        entity_kind=["officer"] * 6,
        entity=["A", "A", "A", "A", "B", "B"],
        period=["2025-01", "2025-02", "2025-04", "2025-05", "2025-01", "2025-02"],
    )
    meets = pd.Series([True, True, True, True, True, False])
    assert stats.persistence(frame, meets).tolist() == [1, 2, 1, 2, 1, 0]


def _raw(**columns):
    base = {
        "entity_kind": "officer",
        "office_code": "OFA",
    }
    frame = pd.DataFrame(columns)
    for name, value in base.items():
        if name not in frame:
            frame[name] = value
    return frame


def test_evaluate_flags_only_with_support_effect_q_and_persistence():
    item = definition("RELEASE_OUTLIER")  # binomial upper, support 20, effect 2, persistence 2
    raw = _raw(
        entity=["A", "A", "A", "B", "B", "C", "C"],
        period=["2025-01", "2025-02", "2025-03", "2025-01", "2025-02", "2025-01", "2025-02"],
        numerator=[15, 15, 15, 5, 5, 4, 4],
        denominator=[100, 100, 100, 10, 10, 100, 100],
        expected=[2.0, 2.0, 2.0, 0.5, 0.5, 2.0, 2.0],
        support=[100, 100, 100, 10, 10, 100, 100],
    )
    out = stats.evaluate(item, raw)
    a = out[out.entity == "A"]
    assert a.status.tolist() == ["calculated"] * 3
    assert a.persistence.tolist() == [1, 2, 3]
    assert a.flag.tolist() == [False, True, True]  # the first month only starts the run
    assert a.effect.tolist() == pytest.approx([7.5] * 3)
    assert a.baseline.tolist() == pytest.approx([0.02] * 3)
    assert a.p.iloc[0] == pytest.approx(sps.binom.sf(14, 100, 0.02))
    b = out[out.entity == "B"]
    assert b.status.tolist() == ["insufficient"] * 2  # 10 < min_support 20
    assert b.p.isna().all() and not b.flag.any()
    c = out[out.entity == "C"]  # effect 2.0 is material but p is not small
    assert not c.flag.any()
    assert (c.q > 0.05).all()


def test_evaluate_computes_q_within_each_period_over_calculated_rows():
    item = definition("RELEASE_OUTLIER")
    raw = _raw(
        entity=["A", "B", "C"],
        period=["2025-01", "2025-01", "2025-02"],
        numerator=[10, 3, 10],
        denominator=[100, 100, 5],
        expected=[2.0, 2.0, 1.0],
        support=[100, 100, 5],
    )
    out = stats.evaluate(item, raw).set_index("entity")
    p = dict(zip(out.index, out.p.to_numpy(dtype=float), strict=True))
    q = dict(zip(out.index, out.q.to_numpy(dtype=float), strict=True))
    assert q["A"] == pytest.approx(min(p["A"] * 2, p["B"]))
    assert q["B"] == pytest.approx(p["B"])
    assert math.isnan(q["C"])  # insufficient: not in any family


def test_evaluate_says_not_applicable_without_a_baseline():
    item = definition("HIT_RATE")
    raw = _raw(
        entity=["A"], period=["2025-01"], numerator=[0], denominator=[30], expected=[0.0], support=[30]
    )
    out = stats.evaluate(item, raw)
    assert out.status.tolist() == ["not_applicable"]
    assert out.p.isna().all()


def test_hit_rate_effect_is_expected_over_observed_with_half_a_case_for_none():
    item = definition("HIT_RATE")
    raw = _raw(
        entity=["A", "B"],
        period=["2025-01"] * 2,
        numerator=[0, 4],
        denominator=[30, 30],
        expected=[6.0, 6.0],
        support=[30, 30],
    )
    out = stats.evaluate(item, raw).set_index("entity")
    assert out.loc["A", "effect"] == pytest.approx(12.0)
    assert out.loc["B", "effect"] == pytest.approx(1.5)
    assert out.loc["A", "p"] == pytest.approx(0.8**30)


def test_value_uplift_uses_a_z_test_on_the_sum_and_a_shortfall_effect():
    item = definition("VALUE_UPLIFT")
    raw = _raw(
        entity=["A"],
        period=["2025-01"],
        numerator=[1.0],
        denominator=[20],
        expected=[4.0],
        support=[20],
        variance=[1.0],
    )
    out = stats.evaluate(item, raw)
    assert out.p.iloc[0] == pytest.approx(sps.norm.cdf(-3.0))
    assert out.effect.iloc[0] == pytest.approx(0.75)
    assert json.loads(out.details.iloc[0])["z"] == pytest.approx(-3.0)


def test_tenure_flags_beyond_the_rule_without_p_or_q():
    item = definition("TENURE")
    raw = _raw(
        entity=["A", "B"],
        period=["2025-01"] * 2,
        numerator=[1200, 800],
        denominator=[1096, 1096],
        expected=[1096, 1096],
        support=[1, 1],
    )
    out = stats.evaluate(item, raw).set_index("entity")
    assert out.loc["A", "flag"] and not out.loc["B", "flag"]
    assert out.p.isna().all() and out.q.isna().all()
    assert out.loc["A", "status"] == "calculated"


def test_mirror_gap_uses_a_robust_z_across_the_months_flows():
    item = definition("MIRROR_GAP")
    declared = [100.0] * 10
    exported = [100, 105, 95, 110, 90, 100, 102, 98, 101, 1000.0]
    raw = _raw(
        entity_kind="flow",
        entity=[f"01010{i}|CN" for i in range(10)],
        office_code="",
        period=["2025-01"] * 10,
        numerator=exported,
        denominator=declared,
        expected=[math.nan] * 10,
        support=[10] * 10,
    )
    out = stats.evaluate(item, raw)
    logs = np.log(np.array(exported) / 100.0)
    median = np.median(logs)
    spread = np.median(np.abs(logs - median)) * 1.4826
    gap = out.iloc[-1]
    assert gap.baseline == pytest.approx(math.exp(median))
    assert gap.p == pytest.approx(sps.norm.sf((logs[-1] - median) / spread))
    assert gap.effect == pytest.approx(10.0 / math.exp(median))


def test_measure_rows_give_the_value_in_the_unit_and_the_national_baseline():
    item = definition("HIT_RATE")
    raw = pd.DataFrame(
        {
            "entity_kind": ["office"],
            "entity": ["OFA"],
            "office_code": ["OFA"],
            "period": ["2025-01"],
            "numerator": [5.0],
            "denominator": [20.0],
            "expected": [4.0],
            "support": [20],
        }
    )
    out = stats.measure_rows(item, raw)
    details = json.loads(out.details.iloc[0])
    assert details["value"] == pytest.approx(25.0) and details["unit"] == "%"
    assert out.baseline.iloc[0] == pytest.approx(20.0)
    assert out.effect.iloc[0] == pytest.approx(1.25)
    assert not out.flag.iloc[0] and math.isnan(out.p.iloc[0])


def _signal(indicator, kind, entity, period, q, effect, flag=True):
    return {
        "indicator": indicator,
        "entity_kind": kind,
        "entity": entity,
        "period": period,
        "q": q,
        "effect": effect,
        "flag": flag,
    }


def test_composite_score_comes_with_its_breakdown_and_counts_pairs_for_both_people():
    signals = pd.DataFrame(
        [
            _signal("HIT_RATE", "officer", "OF1", "2025-02", 1e-3, 4.0),
            _signal("HIT_RATE", "officer", "OF1", "2025-03", 1e-4, 5.0),
            _signal("ASSIGN_EXCESS", "pair", "BR1|OF1", "2025-03", 1e-2, 3.0),
            _signal("TENURE", "officer", "OF1", "2025-03", math.nan, 1.2),
            _signal("RELODGE", "broker", "BR2", "2025-03", 0.5, 3.0, flag=False),
        ]
    )
    scores = {(s.entity_kind, s.entity): s for s in stats.composite(signals)}
    officer = scores[("officer", "OF1")]
    assert officer.indicators == 2  # HIT_RATE and ASSIGN_EXCESS; TENURE is context
    assert officer.score == pytest.approx(4.0 + 2.0)
    parts = {p.indicator: p for p in officer.parts}
    assert parts["HIT_RATE"].periods == ("2025-02", "2025-03")
    assert parts["HIT_RATE"].q == pytest.approx(1e-4) and parts["HIT_RATE"].effect == 5.0
    assert parts["ASSIGN_EXCESS"].via == "pair"
    assert not parts["TENURE"].counts and parts["TENURE"].evidence == 0
    broker = scores[("broker", "BR1")]
    assert broker.score == pytest.approx(2.0) and broker.parts[0].indicator == "ASSIGN_EXCESS"
    assert ("broker", "BR2") not in scores  # nothing flagged, no score
    assert stats.composite(signals)[0].entity == "OF1"  # highest first
