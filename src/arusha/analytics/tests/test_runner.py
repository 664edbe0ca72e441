"""The catalogue runner: row shape, selection, timings, outputs, example declarations, Spark."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from arusha.analytics.engine.catalogue import definitions
from arusha.analytics.engine.examples import examples
from arusha.analytics.engine.generator import generate
from arusha.analytics.engine.runner import (
    CatalogueResult,
    catalogue,
    office_measures,
    run_catalogue,
    write_outputs,
)
from arusha.analytics.engine.stats import COLUMNS
from arusha.analytics.tests.catalogue_data import declaration, write_dataset

pytestmark = [
    # Ibis 12 still calls DuckDB 2's deprecated fetch_arrow_table(); nothing of ours to change.
    pytest.mark.filterwarnings(
        r"ignore:fetch_arrow_table\(\) is deprecated, use to_arrow_table\(\) instead.:DeprecationWarning"
    ),
    # PySpark 4.3 warns that it does not fully support pandas 3 (Spark tests only).
    pytest.mark.filterwarnings(r"ignore:PySpark does not yet fully support pandas >= 3.0.0:FutureWarning"),
]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    folder = tmp_path_factory.mktemp("small")
    generate(folder, declarations=6000, seed=5, months=4)
    return folder


@pytest.fixture(scope="module")
def small_result(small):
    calls = []
    result = run_catalogue(small, progress=lambda done, total, code: calls.append((done, total, code)))
    return result, calls


def test_run_gives_the_row_shape_for_every_indicator(small_result):
    result, _ = small_result
    signals = result.signals
    assert tuple(signals.columns) == COLUMNS
    codes = {d.code for d in definitions()} | {d.measure.code for d in definitions() if d.measure}
    assert set(signals.indicator) == codes
    assert signals.flag.dtype == bool and signals.persistence.dtype == np.int64
    assert set(signals.status) <= {"calculated", "insufficient", "not_applicable"}
    assert not signals.duplicated(["indicator", "entity_kind", "entity", "period"]).any()
    assert signals.period.str.fullmatch(r"\d{4}-\d{2}").all()
    for text in signals.details.head(200):
        assert isinstance(json.loads(text), dict)
    # Flags only where the tests pass: support, effect, q and persistence (TENURE has no q).
    flagged = signals[signals.flag & (signals.indicator != "TENURE")]
    assert (flagged.q <= 0.05).all() and (flagged.status == "calculated").all()


def test_run_reports_versions_timings_and_progress(small_result):
    result, calls = small_result
    items = catalogue()
    assert result.catalogue["HIT_RATE"] == 1 and result.catalogue["RELEASE_TIME"] == 1
    assert set(result.timings) == {d.code for d in items} | {"total"}
    assert all(seconds >= 0 for seconds in result.timings.values())
    assert calls[0] == (0, len(items), items[0].code)
    assert calls[-1] == (len(items), len(items), "")


def test_office_measures_are_the_contract_indicators():
    assert {d.measure.code for d in office_measures() if d.measure} == {
        "HIT_RATE",
        "VALUE_UPLIFT",
        "RELEASE_TIME",
        "DOWNGRADE_UNDOC",
    }


def test_indicators_can_be_chosen_by_code_or_measure_code(small):
    result = run_catalogue(small, indicators=["RELEASE_TIME", "TENURE"])
    assert set(result.signals.indicator) == {"RELEASE_OUTLIER", "RELEASE_TIME", "TENURE"}
    assert set(result.timings) == {"RELEASE_OUTLIER", "TENURE", "total"}


def test_unknown_indicator_or_engine_is_refused(small):
    with pytest.raises(ValueError, match="NOPE"):
        run_catalogue(small, indicators=["NOPE"])
    with pytest.raises(ValueError, match="engine"):
        run_catalogue(small, engine="oracle")


def test_an_indicator_whose_table_is_missing_gives_no_rows(tmp_path):
    folder = write_dataset(tmp_path / "partial", declarations=[declaration("D1")])
    (folder / "mirror_flows.parquet").unlink()
    result = run_catalogue(folder, indicators=["MIRROR_GAP", "TENURE"])
    assert "MIRROR_GAP" not in set(result.signals.indicator)
    assert "MIRROR_GAP" in result.timings


def _result(rows):
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return CatalogueResult(signals=frame, timings={}, catalogue={})


def test_csv_output_never_starts_a_formula_and_keeps_numbers(tmp_path):
    row = {
        "indicator": "BENFORD",
        "version": 1,
        "entity_kind": "trader",
        "entity": '=HYPERLINK("http://x","y")',
        "office_code": "+OFA",
        "period": "2025-01",
        "numerator": -3.5,
        "denominator": 10.0,
        "baseline": float("nan"),
        "effect": -0.25,
        "p": 0.01,
        "q": float("nan"),
        "flag": True,
        "status": "calculated",
        "persistence": 2,
        "details": '@{"a": 1}',
    }
    other = row | {"entity": "-2+3", "office_code": "@SUM(A1)", "details": "{}", "flag": False}
    paths = write_outputs(_result([row, other]), tmp_path / "out")
    assert [p.name for p in paths] == ["signals.parquet", "signals.csv"]
    with paths[1].open(encoding="utf-8", newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines[0] == list(COLUMNS)
    first = dict(zip(COLUMNS, lines[1], strict=True))
    assert first["entity"] == '\'=HYPERLINK("http://x","y")'
    assert first["office_code"] == "'+OFA"
    assert first["details"].startswith("'@")
    assert first["numerator"] == "-3.5" and first["effect"] == "-0.25"  # numbers stay numbers
    assert first["baseline"] == "" and first["flag"] == "true"
    second = dict(zip(COLUMNS, lines[2], strict=True))
    assert second["entity"] == "'-2+3" and second["office_code"] == "'@SUM(A1)"
    back = pq.read_table(paths[0]).to_pandas()
    assert back.entity.tolist() == [row["entity"], "-2+3"]  # Parquet keeps the text as it is
    assert back.baseline.isna().all()


# Example declarations behind a signal -------------------------------------------------------------


@pytest.fixture
def exam_folder(tmp_path):
    jan = datetime(2025, 1, 6, 9)
    decls = [
        declaration(
            f"D{k}",
            inspector_id="I1",
            channel_initial="red",
            channel_final="red",
            lodged_at=jan + timedelta(days=k),
            released_at=jan + timedelta(days=k, hours=k + 1),
            declared_value=100 + k,
            assessed_value=150 + k,
        )
        for k in range(5)
    ]
    decls.append(declaration("D-feb", inspector_id="I1", channel_final="red", lodged_at=datetime(2025, 2, 3)))
    decls.append(declaration("D-other", inspector_id="I2", channel_final="red", lodged_at=jan))
    offences = [{"offence_id": "X1", "declaration_id": "D2", "recorded_at": jan, "offence_type": "valuation"}]
    postings = [{"officer_id": "I1", "office_code": "OFA", "start_date": date(2021, 3, 1)}]
    return write_dataset(tmp_path / "ex", declarations=decls, offences=offences, postings=postings)


def test_examples_show_the_declarations_behind_a_signal(exam_folder):
    rows = examples(exam_folder, "HIT_RATE", "I1", "2025-01")
    assert [r["declaration_id"] for r in rows] == [f"D{k}" for k in range(5)]
    assert [r["offence"] for r in rows] == [False, False, True, False, False]
    assert rows[0]["uplift"] == pytest.approx(0.5)
    assert rows[0]["lodged_at"] == "2025-01-06T09:00:00"
    slowest = examples(exam_folder, "RELEASE_OUTLIER", "I1", "2025-01", limit=2)
    assert [r["declaration_id"] for r in slowest] == ["D4", "D3"]
    assert slowest[0]["release_hours"] == pytest.approx(5.0)
    office = examples(exam_folder, "HIT_RATE", "OFA", "2025-01", entity_kind="office")
    assert len(office) == 6
    postings = examples(exam_folder, "TENURE", "I1", "2025-01")
    assert postings[0]["start_date"] == "2021-03-01"


def test_examples_bind_user_input_as_parameters(exam_folder):
    assert examples(exam_folder, "HIT_RATE", "I1' OR '1'='1", "2025-01") == []
    assert examples(exam_folder, "ASSIGN_EXCESS", "x|y'; DROP TABLE declarations; --", "2025-01") == []
    assert len(examples(exam_folder, "HIT_RATE", "I1", "2025-01")) == 5  # the files are untouched
    with pytest.raises(ValueError, match="YYYY-MM"):
        examples(exam_folder, "HIT_RATE", "I1", "2025-13")
    with pytest.raises(ValueError, match="indicator"):
        examples(exam_folder, "DROP", "I1", "2025-01")
