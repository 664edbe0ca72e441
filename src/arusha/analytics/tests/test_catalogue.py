"""Each indicator's numbers on small hand-made datasets, checked against hand computations (DuckDB)."""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from scipy import stats as sps

from arusha.analytics.engine.catalogue import INDICATORS, MEASURES, definition, definitions, load_definitions
from arusha.analytics.engine.runner import run_catalogue, run_definitions
from arusha.analytics.tests.catalogue_data import declaration, write_dataset

# Ibis 12 still calls DuckDB 2's deprecated fetch_arrow_table(); nothing of ours to change.
pytestmark = pytest.mark.filterwarnings(
    r"ignore:fetch_arrow_table\(\) is deprecated, use to_arrow_table\(\) instead.:DeprecationWarning"
)

JAN = datetime(2025, 1, 6, 9, 0)


def _run(folder, code):
    """The indicator with no support threshold, so that tiny fixtures get p-values."""
    item = definition(code).model_copy(update={"min_support": 0})
    return run_definitions(folder, [item]).signals


def _row(signals, indicator, entity, period="2025-01", kind=None):
    rows = signals[(signals.indicator == indicator) & (signals.entity == entity) & (signals.period == period)]
    if kind is not None:
        rows = rows[rows.entity_kind == kind]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_every_definition_has_code_and_texts_in_three_languages():
    items = definitions()
    assert {d.code for d in items} == set(INDICATORS)
    for item in items:
        for texts in (item.names, item.descriptions):
            assert texts.en and texts.fr and texts.es
        if item.measure is not None:
            assert item.measure.code in MEASURES
    measures = {d.measure.code: (d.measure.unit, d.measure.direction) for d in items if d.measure}
    assert measures == {
        "DOWNGRADE_UNDOC": ("%", "lower"),
        "HIT_RATE": ("%", "higher"),
        "VALUE_UPLIFT": ("%", "higher"),
        "RELEASE_TIME": ("hours", "lower"),
    }
    assert definition("HIT_RATE").names.get("fr-CA").startswith("Taux")


def test_definitions_refuse_unknown_fields(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("- code: X1\n  version: 1\n  colour: red\n", encoding="utf-8")
    with pytest.raises(ValueError, match="colour"):
        load_definitions(path)


# ASSIGN_EXCESS and ASSIGN_DEVIATION ---------------------------------------------------------


def _assignments(tmp_path):
    rows: list[dict[str, Any]] = []
    # Day 1, one stratum: B1→I1 x3, B1→I2 x1, B2→I1 x1, B2→I2 x3 (n = 8, every margin 4).
    plan = [("B1", "I1", 3), ("B1", "I2", 1), ("B2", "I1", 1), ("B2", "I2", 3)]
    for broker, inspector, count in plan:
        for _ in range(count):
            rows.append(declaration(f"D{len(rows)}", broker_id=broker, inspector_id=inspector, lodged_at=JAN))
    # Day 2: B1 alone with I1 (n = 1): the rule expects exactly what happened.
    rows.append(declaration("D-day2", broker_id="B1", inspector_id="I1", lodged_at=JAN + timedelta(days=1)))
    # Unassigned declarations take no part.
    rows.append(declaration("D-green", broker_id="B1", lodged_at=JAN))
    return write_dataset(tmp_path / "assign", declarations=rows)


def test_assign_excess_compares_pairs_with_the_random_rule(tmp_path):
    signals = _run(_assignments(tmp_path), "ASSIGN_EXCESS")
    pair = _row(signals, "ASSIGN_EXCESS", "B1|I1")
    assert pair.numerator == 4  # 3 + 1
    assert pair.denominator == 5  # B1's declarations in strata where I1 was present
    expected = 4 * 4 / 8 + 1
    assert json.loads(pair.details)["expected"] == pytest.approx(expected)
    assert pair.baseline == pytest.approx(expected / 5)
    assert pair.p == pytest.approx(sps.binom.sf(3, 5, expected / 5))
    # Of the 2 declarations the rule would have sent elsewhere, 1 came to I1 anyway.
    assert pair.effect == pytest.approx((4 - expected) / (5 - expected))
    assert set(signals.entity) == {"B1|I1", "B1|I2", "B2|I1", "B2|I2"}
    assert pair.office_code == "OFA"


def test_assign_deviation_adds_up_each_pair_over_the_strata_before_squaring(tmp_path):
    signals = _run(_assignments(tmp_path), "ASSIGN_DEVIATION")
    office = _row(signals, "ASSIGN_DEVIATION", "OFA")
    # Pairs over the month: B1|I1 O 4, E 3; B1|I2 O 1, E 2; B2|I1 O 1, E 2; B2|I2 O 3, E 2.
    assert office.numerator == pytest.approx(1 / 3 + 1 / 2 + 1 / 2 + 1 / 2)
    # Exact mean Σ V / E: day 1 gives V = 4·4·4·4 / (8² · 7) to every pair, day 2 (n = 1) none.
    v = 4 * 4 * 4 * 4 / (64 * 7)
    mean = v / 3 + 3 * v / 2
    assert office.baseline == pytest.approx(mean)
    assert office.effect == pytest.approx(office.numerator / mean)
    assert office.p == pytest.approx(sps.chi2.sf(office.numerator, mean))
    assert office.denominator == 9
    assert json.loads(office.details)["pairs"] == 4


def test_assign_deviation_of_one_stratum_has_haldanes_mean(tmp_path):
    rows = [
        declaration(f"D{k}", broker_id=f"B{k % 3}", inspector_id=f"I{k % 2}", lodged_at=JAN)
        for k in range(12)
    ]
    signals = _run(write_dataset(tmp_path / "one", declarations=rows), "ASSIGN_DEVIATION")
    office = _row(signals, "ASSIGN_DEVIATION", "OFA")
    assert office.baseline == pytest.approx((3 - 1) * (2 - 1) * 12 / 11)


# DOWNGRADE_UNDOC ------------------------------------------------------------------------------


def _downgrades(tmp_path):
    decls: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []

    def change(officer, reason=None, justification=None, source="red", target="green"):
        did = f"D{len(decls)}"
        decls.append(declaration(did, channel_initial=source, channel_final=target, lodged_at=JAN))
        changes.append(
            {
                "declaration_id": did,
                "changed_at": JAN,
                "from_channel": source,
                "to_channel": target,
                "officer_id": officer,
                "reason_code": reason,
                "justification": justification,
            }
        )

    for _ in range(3):
        change("O1")
    change("O1", reason="R2")
    change("O2", justification="   ")  # blank text is no justification
    for _ in range(3):
        change("O2", justification="Certificate checked")
    change("O3", reason="R1")
    change("O3", reason="R1", target="yellow")
    change("O1", source="yellow", target="green")  # not out of red
    change("O1", source="red", target="red")  # not a downgrade
    return write_dataset(tmp_path / "down", declarations=decls, channel_changes=changes)


def test_downgrade_undoc_compares_an_officer_with_the_rest_of_the_office(tmp_path):
    signals = _run(_downgrades(tmp_path), "DOWNGRADE_UNDOC")
    officer = _row(signals, "DOWNGRADE_UNDOC", "O1", kind="officer")
    assert (officer.numerator, officer.denominator) == (3, 4)
    # Others in the office: 1 undocumented of 6; national share 4 / 10; 20 pseudo-changes.
    share = (1 + 20 * 0.4) / (6 + 20)
    assert officer.baseline == pytest.approx(share)
    assert officer.p == pytest.approx(sps.binom.sf(2, 4, share))
    assert officer.effect == pytest.approx(0.75 / share)
    office = _row(signals, "DOWNGRADE_UNDOC", "OFA", kind="office")
    assert json.loads(office.details)["value"] == pytest.approx(40.0)
    assert office.baseline == pytest.approx(40.0)


# HIT_RATE and VALUE_UPLIFT ----------------------------------------------------------------------


def _examinations(tmp_path):
    decls: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    offences: list[dict[str, Any]] = []

    def exam(inspector, chapter, hit, declared=1000, assessed=None, **values):
        did = f"D{len(decls)}"
        facts = {"channel_initial": "red", "channel_final": "red", "lodged_at": JAN} | values
        decls.append(
            declaration(
                did, inspector_id=inspector, declared_value=declared, assessed_value=assessed, **facts
            )
        )
        items.append(
            {
                "declaration_id": did,
                "item_no": 1,
                "hs_code": f"{chapter}0110",
                "origin_country": "CN",
                "quantity": 1.0,
                "customs_value": declared,
            }
        )
        if hit:
            offences.append(
                {
                    "offence_id": f"X{did}",
                    "declaration_id": did,
                    "recorded_at": JAN,
                    "offence_type": "valuation",
                }
            )
            offences.append(
                {"offence_id": f"Y{did}", "declaration_id": did, "recorded_at": JAN, "offence_type": "origin"}
            )

    for k in range(10):
        exam("I1", "01", False, assessed=1000)
        exam("I2", "01", k < 5, assessed=1500 if k < 5 else 1000)
    for _ in range(2):
        exam("I1", "02", False)
        exam("I2", "02", True, assessed=1200)
    exam("I1", "01", True, cancelled=True)  # cancelled: not an examination
    exam("I1", "01", True, channel_final="yellow")  # not examined
    return write_dataset(tmp_path / "exam", declarations=decls, items=items, offences=offences)


def _shrunk(total, count, parent_rate, shrink=20):
    return (total + shrink * parent_rate) / (count + shrink)


def test_hit_rate_expects_the_rates_of_comparable_examinations(tmp_path):
    signals = _run(_examinations(tmp_path), "HIT_RATE")
    officer = _row(signals, "HIT_RATE", "I1", kind="officer")
    parent = 7 / 24  # office x section x red: 7 hits in 24 examinations
    expected = 10 * _shrunk(5, 20, parent) + 2 * _shrunk(2, 4, parent)
    assert (officer.numerator, officer.denominator) == (0, 12)
    assert json.loads(officer.details)["expected"] == pytest.approx(expected)
    assert officer.p == pytest.approx(sps.binom.cdf(0, 12, expected / 12))
    assert officer.effect == pytest.approx(expected / 0.5)
    office = _row(signals, "HIT_RATE", "OFA", kind="office")
    assert json.loads(office.details)["value"] == pytest.approx(100 * 7 / 24)  # an offence counted once


def test_value_uplift_tests_the_sum_of_uplifts_against_the_strata(tmp_path):
    signals = _run(_examinations(tmp_path), "VALUE_UPLIFT")
    officer = _row(signals, "VALUE_UPLIFT", "I2", kind="officer")
    # I2's uplifts: 0.5 x 5 and 0 x 5 in chapter 01, 0.2 x 2 in chapter 02, counted up to 0.1.
    assert officer.numerator == pytest.approx(0.5 + 0.2)
    s1 = {"01": 0.5, "02": 0.2}
    s2 = {"01": 5 * 0.01, "02": 2 * 0.01}
    n = {"01": 20, "02": 4}
    p1, p2 = sum(s1.values()) / 24, sum(s2.values()) / 24
    mean = {c: _shrunk(s1[c], n[c], p1) for c in n}
    second = {c: _shrunk(s2[c], n[c], p2) for c in n}
    expected = 10 * mean["01"] + 2 * mean["02"]
    variance = 10 * (second["01"] - mean["01"] ** 2) + 2 * (second["02"] - mean["02"] ** 2)
    details = json.loads(officer.details)
    assert details["expected"] == pytest.approx(expected)
    assert details["variance"] == pytest.approx(variance)
    assert officer.p == pytest.approx(sps.norm.cdf((0.7 - expected) / math.sqrt(variance)))
    office = _row(signals, "VALUE_UPLIFT", "OFA", kind="office")
    # Value added by control / declared value of examined declarations, uncapped: (2500 + 400) / 24000.
    assert json.loads(office.details)["value"] == pytest.approx(100 * 2900 / 24000)


# RELEASE_OUTLIER and RELEASE_TIME -----------------------------------------------------------------


def test_release_outlier_counts_slow_releases_against_the_stratum(tmp_path):
    decls = []
    for k in range(20):
        hours = 200 if k == 0 else 2
        inspector = "I1" if k < 10 else "I2"
        decls.append(
            declaration(
                f"D{k}", inspector_id=inspector, lodged_at=JAN, released_at=JAN + timedelta(hours=hours)
            )
        )
    # Another channel is another stratum, and an unreleased declaration has no time.
    decls.append(
        declaration(
            "D-red",
            inspector_id="I1",
            channel_final="red",
            lodged_at=JAN,
            released_at=JAN + timedelta(hours=300),
        )
    )
    decls.append(declaration("D-held", inspector_id="I1", lodged_at=JAN))
    folder = write_dataset(tmp_path / "release", declarations=decls)
    signals = _run(folder, "RELEASE_OUTLIER")
    officer = _row(signals, "RELEASE_OUTLIER", "I1")
    assert (officer.numerator, officer.denominator) == (1, 11)
    assert json.loads(officer.details)["expected"] == pytest.approx(10 / 20)  # red stratum: none slow
    office = _row(signals, "RELEASE_TIME", "OFA")
    assert json.loads(office.details)["value"] == pytest.approx((200 + 19 * 2 + 300) / 21)
    assert json.loads(office.details)["unit"] == "hours"


# UNIT_VALUE ---------------------------------------------------------------------------------------


def test_unit_value_counts_items_far_below_their_hs6_and_origin(tmp_path):
    decls: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    for k in range(20):
        trader = "T1" if k < 4 else f"T{k}"
        value = 1 if k < 2 else 100
        decls.append(declaration(f"D{k}", trader_id=trader, lodged_at=JAN))
        items.append(
            {
                "declaration_id": f"D{k}",
                "item_no": 1,
                "hs_code": "01011000",
                "origin_country": "CN",
                "quantity": 1.0,
                "customs_value": value,
            }
        )
        # The same goods from a cheap origin are their own stratum (too small here: left out).
        items.append(
            {
                "declaration_id": f"D{k}",
                "item_no": 2,
                "hs_code": "010110",
                "origin_country": "VN",
                "quantity": 1.0,
                "customs_value": 1,
            }
        )
    folder = write_dataset(tmp_path / "uv", declarations=decls, items=items)
    signals = _run(folder, "UNIT_VALUE")
    trader = _row(signals, "UNIT_VALUE", "T1")
    logs = np.log([1.0] * 2 + [100.0] * 18)
    low = logs < logs.mean() - 2 * logs.std(ddof=1)
    assert low.sum() == 2
    assert (trader.numerator, trader.denominator) == (2, 4)
    assert json.loads(trader.details)["expected"] == pytest.approx(4 * 2 / 20)


# MIRROR_GAP ---------------------------------------------------------------------------------------


def test_mirror_gap_compares_partner_exports_with_declared_imports(tmp_path):
    decls: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    mirror: list[dict[str, Any]] = []
    for flow in range(10):
        hs6 = f"0101{flow:02d}"
        for k in range(5):
            did = f"D{flow}-{k}"
            decls.append(declaration(did, lodged_at=JAN))
            items.append(
                {
                    "declaration_id": did,
                    "item_no": 1,
                    "hs_code": hs6 + "00",
                    "origin_country": "cn",
                    "quantity": 1.0,
                    "customs_value": 20,
                }
            )
        mirror.append(
            {
                "period": "2025-01",
                "partner_country": "CN",
                "hs_code": hs6,
                "export_value": 1000 if flow == 9 else 100 + flow,
            }
        )
    mirror.append(
        {"period": "2025-01", "partner_country": "FR", "hs_code": "010100", "export_value": 50}
    )  # nothing declared
    folder = write_dataset(tmp_path / "mirror", declarations=decls, items=items, mirror_flows=mirror)
    signals = _run(folder, "MIRROR_GAP")
    gap = _row(signals, "MIRROR_GAP", "010109|CN")
    assert (gap.numerator, gap.denominator) == (1000, 100)
    assert gap.office_code == ""
    logs = np.log(np.array([100 + f for f in range(9)] + [1000]) / 100)
    median = np.median(logs)
    assert gap.baseline == pytest.approx(math.exp(median))
    assert gap.p == pytest.approx(
        sps.norm.sf((logs[-1] - median) / (np.median(np.abs(logs - median)) * 1.4826))
    )
    assert _row(signals, "MIRROR_GAP", "010100|FR").status == "not_applicable"  # no ratio to take
    full = run_catalogue(folder, indicators=["MIRROR_GAP"]).signals
    assert _row(full, "MIRROR_GAP", "010100|FR").status == "insufficient"  # no item declared
    assert _row(full, "MIRROR_GAP", "010109|CN").status == "calculated"


# BENFORD ------------------------------------------------------------------------------------------


def test_benford_reads_first_digits_from_the_values_text(tmp_path):
    values = ["0.05", "-12.00", "1000", "0", "9.99", "0.10", "250.5"]
    decls = [
        declaration(f"D{k}", trader_id="T1", broker_id="B1", declared_value=v, lodged_at=JAN)
        for k, v in enumerate(values)
    ]
    folder = write_dataset(tmp_path / "benford", declarations=decls)
    signals = _run(folder, "BENFORD")
    trader = _row(signals, "BENFORD", "T1", kind="trader")
    details = json.loads(trader.details)
    digits = {d: details[f"d{d}"] for d in range(1, 10)}
    assert digits == {1: 3, 2: 1, 3: 0, 4: 0, 5: 1, 6: 0, 7: 0, 8: 0, 9: 1}  # zero has no digit
    assert trader.denominator == 6
    full = run_catalogue(folder, indicators=["BENFORD"]).signals
    assert _row(full, "BENFORD", "T1", kind="trader").status == "insufficient"  # 6 < 60
    assert _row(signals, "BENFORD", "B1", kind="broker").denominator == 6


# BROKER_FOLLOWS -----------------------------------------------------------------------------------


def test_broker_follows_tracks_brokers_of_a_moved_officer(tmp_path):
    decls: list[dict[str, Any]] = []
    day = datetime(2025, 1, 10, 9)
    for k in range(10):  # January and February: B1 with I1 at OFA
        decls.append(
            declaration(
                f"A{k}",
                broker_id="B1",
                inspector_id="I1",
                office_code="OFA",
                lodged_at=day + timedelta(days=3 * k),
            )
        )
    for k in range(30):  # the rest of the country: OFB holds a third
        decls.append(
            declaration(
                f"N{k}",
                broker_id="B9",
                office_code="OFB" if k % 3 == 0 else "OFA",
                lodged_at=day + timedelta(days=k),
            )
        )
    march = datetime(2025, 3, 12, 9)
    for k in range(8):  # March, after I1 moved to OFB: B1 lodges 6 of 8 there
        decls.append(
            declaration(f"M{k}", broker_id="B1", office_code="OFB" if k < 6 else "OFA", lodged_at=march)
        )
    postings = [
        {
            "officer_id": "I1",
            "office_code": "OFA",
            "start_date": date(2022, 5, 1),
            "end_date": date(2025, 2, 28),
        },
        {"officer_id": "I1", "office_code": "OFB", "start_date": date(2025, 3, 1)},
    ]
    folder = write_dataset(tmp_path / "follows", declarations=decls, postings=postings)
    signals = _run(folder, "BROKER_FOLLOWS")
    pair = _row(signals, "BROKER_FOLLOWS", "B1|I1", period="2025-03")
    assert (pair.numerator, pair.denominator) == (6, 8)
    assert pair.office_code == "OFB"
    share = (0 + 20 * (10 / 40)) / (10 + 20)  # B1 had none at OFB; OFB had 10 of 40 nationally
    assert pair.baseline == pytest.approx(share)
    assert pair.p == pytest.approx(sps.binom.sf(5, 8, share))
    assert json.loads(pair.details)["move_period"] == "2025-03"
    assert len(signals) == 1  # B9 never worked with I1


# TENURE -------------------------------------------------------------------------------------------


def test_tenure_counts_days_in_the_posting_at_each_months_end(tmp_path):
    decls = [declaration("D1", lodged_at=JAN), declaration("D2", lodged_at=datetime(2025, 2, 3))]
    postings = [
        {"officer_id": "OLD", "office_code": "OFA", "start_date": date(2022, 1, 1)},
        {"officer_id": "NEW", "office_code": "OFB", "start_date": date(2024, 6, 1)},
        {
            "officer_id": "LEFT",
            "office_code": "OFA",
            "start_date": date(2020, 1, 1),
            "end_date": date(2025, 1, 15),
        },
    ]
    folder = write_dataset(tmp_path / "tenure", declarations=decls, postings=postings)
    signals = _run(folder, "TENURE")
    old = _row(signals, "TENURE", "OLD")
    assert old.numerator == (date(2025, 1, 31) - date(2022, 1, 1)).days + 1
    assert old.flag and old.status == "calculated" and math.isnan(old.p)
    assert _row(signals, "TENURE", "OLD", "2025-02").persistence == 2
    new = _row(signals, "TENURE", "NEW")
    assert new.numerator == 245 and not new.flag
    assert "LEFT" not in set(signals.entity)  # its posting ended before the month's end


# RELODGE ------------------------------------------------------------------------------------------


def test_relodge_counts_control_declarations_cancelled_and_relodged_lower(tmp_path):
    decls: list[dict[str, Any]] = []

    def pair(broker, old, new, k, cancelled=True):
        decls.append(
            declaration(
                f"C{broker}{k}", broker_id=broker, channel_initial=old, cancelled=cancelled, lodged_at=JAN
            )
        )
        decls.append(
            declaration(
                f"R{broker}{k}",
                broker_id=broker,
                channel_initial=new,
                replaces_id=f"C{broker}{k}",
                lodged_at=JAN,
            )
        )

    pair("B1", "red", "green", 1)
    pair("B1", "red", "blue", 2)
    pair("B1", "red", "red", 3)  # the replacement is itself a red occasion
    pair("B2", "yellow", "green", 1)
    pair("B2", "yellow", "yellow", 2)
    pair("B2", "yellow", "green", 3, cancelled=False)  # not cancelled: not a relodgement
    decls.append(declaration("G1", broker_id="B2", channel_initial="green", lodged_at=JAN))  # no occasion
    folder = write_dataset(tmp_path / "relodge", declarations=decls)
    signals = _run(folder, "RELODGE")
    b1 = _row(signals, "RELODGE", "B1")
    assert (b1.numerator, b1.denominator) == (2, 4)
    assert json.loads(b1.details)["expected"] == pytest.approx(4 * 2 / 4)  # national red rate 2 / 4
    b2 = _row(signals, "RELODGE", "B2")
    assert (b2.numerator, b2.denominator) == (1, 4)
    assert json.loads(b2.details)["expected"] == pytest.approx(4 * 1 / 4)  # national yellow rate 1 / 4
    assert b1.p == pytest.approx(sps.binom.sf(1, 4, 0.5))
