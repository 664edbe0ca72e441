"""One definition, two engines (issue 13): the catalogue on Spark gives what it gives on DuckDB.

On a generated dataset of 1,000,000 declarations with the default planted anomalies, the
full catalogue runs on DuckDB and on Spark in local mode (two cores), and the two sets of
signals must have:

- the same keys (indicator, entity kind, entity, period), each once;
- the same integer counts: numerator and denominator where an indicator's are counts (every
  value integral on DuckDB, e.g. examinations and hits; not sums of money or hours), and
  every integer in the row's details (support, Benford's digit counts, pairs…);
- the same floats within 1e-9 relative (numerator, denominator, baseline, effect, p, q and
  the details' floats): |a - b| <= 1e-9 x max(|a|, |b|) + 1e-9. A missing value (None or
  NaN: no p-value because the row is not calculated, no baseline…) must be missing on both
  sides; infinities must be equal.
- Values near zero: the engines add in different orders, so their sums differ in the last
  bits; stats.settle() rounds them to 12 significant digits, which makes most of them
  equal but leaves up to one unit of the 12th digit where a rounding boundary falls
  between them. Ratios keep that relative error, but a difference of nearly equal
  quantities (an effect O - E when O is close to E, a z-score or a log-gap near 0) carries
  it as an absolute error of about 1e-11, which is a large relative one. Hence the
  absolute 1e-9: a value within 1e-9 of the other counts as equal, whatever its size.
  Every quantity whose size matters (shares, rates, counts, money) is far above 1e-9, and
  p- and q-values below it are far beyond any threshold: the flags, compared exactly, show
  the decisions are the same;
- the same flags, statuses, persistence, office and version.

The engine module needs no database. The dataset is generated once for the module.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from arusha.analytics.engine.catalogue import definitions
from arusha.analytics.engine.generator import generate
from arusha.analytics.engine.runner import run_catalogue

pytestmark = [
    pytest.mark.spark,
    # PySpark 4.3 warns, at import and on its Arrow path, that it does not fully support pandas 3.
    pytest.mark.filterwarnings(r"ignore:PySpark does not yet fully support pandas >= 3\.0\.0:FutureWarning"),
    # Ibis 12 still calls DuckDB 2's deprecated fetch_arrow_table(); nothing of ours to change.
    pytest.mark.filterwarnings(
        r"ignore:fetch_arrow_table\(\) is deprecated, use to_arrow_table\(\) instead\.:DeprecationWarning"
    ),
]

DECLARATIONS = 1_000_000
SEED = 7
RTOL = 1e-9
ATOL = 1e-9
KEY = ["indicator", "entity_kind", "entity", "period"]
FLOATS = ["numerator", "denominator", "baseline", "effect", "p", "q"]
EXACT = ["flag", "status", "persistence", "office_code", "version"]
SHOWN = 10  # differing rows named in a failure's message


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("parity")
    generate(folder, declarations=DECLARATIONS, seed=SEED)
    return folder


@pytest.fixture(scope="module")
def on_duckdb(dataset: Path) -> pd.DataFrame:
    return run_catalogue(dataset, engine="duckdb").signals


@pytest.fixture(scope="module")
def on_spark(dataset: Path) -> pd.DataFrame:
    return run_catalogue(dataset, engine="spark", spark_master="local[2]").signals


@pytest.fixture(scope="module")
def pairs(on_duckdb: pd.DataFrame, on_spark: pd.DataFrame) -> pd.DataFrame:
    """The rows both engines gave, side by side (columns suffixed _duckdb and _spark)."""
    return on_duckdb.merge(on_spark, on=KEY, how="inner", suffixes=("_duckdb", "_spark"))


def close(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Elementwise: equal within RTOL (and ATOL near zero); missing only where both are."""
    with np.errstate(invalid="ignore"):
        near = np.abs(a - b) <= RTOL * np.maximum(np.abs(a), np.abs(b)) + ATOL
    result: np.ndarray[Any, np.dtype[np.bool_]] = near | (np.isnan(a) & np.isnan(b)) | (a == b)
    return result


def same_value(a: Any, b: Any) -> bool:
    """One value of a row's details: integers exactly, floats within RTOL, the rest equal."""
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return a is b or a == b
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        x, y = float(a), float(b)
        return x == y or abs(x - y) <= RTOL * max(abs(x), abs(y)) + ATOL
    return bool(a == b)


def same_details(a: str, b: str) -> bool:
    if a == b:
        return True
    left, right = json.loads(a), json.loads(b)
    return left.keys() == right.keys() and all(same_value(left[k], right[k]) for k in left)


def rows(frame: pd.DataFrame, columns: list[str]) -> str:
    """The first SHOWN rows of `frame` (keys and `columns`), for an assertion's message."""
    shown = frame.loc[:, [*KEY, *columns]].head(SHOWN)
    with pd.option_context(
        "display.width",
        250,
        "display.max_columns",
        None,
        "display.max_colwidth",
        120,
        "display.precision",
        15,
    ):
        return f"{len(frame)} rows differ; the first:\n{shown.to_string(index=False)}"


def integral_columns(frame: pd.DataFrame) -> dict[str, list[str]]:
    """Per indicator, which of numerator and denominator are counts (every value integral)."""
    counts: dict[str, list[str]] = {}
    for indicator, own in frame.groupby("indicator"):
        counts[str(indicator)] = [
            column
            for column in ("numerator", "denominator")
            if np.all(np.mod(own[column].dropna().to_numpy(dtype=float), 1.0) == 0.0)
        ]
    return counts


def test_the_fixture_covers_the_whole_catalogue_with_flags(on_duckdb):
    codes = {d.code for d in definitions()} | {d.measure.code for d in definitions() if d.measure}
    assert set(on_duckdb.indicator) == codes
    assert on_duckdb.flag.sum() > 0, "no flag at all: the flag comparison would prove nothing"
    assert not on_duckdb.duplicated(KEY).any()


def test_both_engines_give_the_same_keys(on_duckdb, on_spark):
    both = on_duckdb.loc[:, KEY].merge(on_spark.loc[:, KEY], on=KEY, how="outer", indicator="side")
    side = both.side.astype(str).map({"left_only": "duckdb only", "right_only": "spark only", "both": ""})
    lonely = both.assign(engine=side)[side != ""]
    assert lonely.empty, rows(lonely.sort_values(KEY), ["engine"])
    assert not on_spark.duplicated(KEY).any(), rows(on_spark[on_spark.duplicated(KEY, keep=False)], [])


def test_counts_are_identical(pairs, on_duckdb):
    for indicator, columns in integral_columns(on_duckdb).items():
        own = pairs[pairs.indicator == indicator]
        for column in columns:
            a, b = own[f"{column}_duckdb"].to_numpy(dtype=float), own[f"{column}_spark"].to_numpy(dtype=float)
            differ = ~((a == b) | (np.isnan(a) & np.isnan(b)))
            assert not differ.any(), f"{indicator} {column}: " + rows(
                own[differ], [f"{column}_duckdb", f"{column}_spark"]
            )


def test_floats_agree_within_1e_9_relative(pairs):
    for column in FLOATS:
        a = pairs[f"{column}_duckdb"].to_numpy(dtype=float, na_value=np.nan)
        b = pairs[f"{column}_spark"].to_numpy(dtype=float, na_value=np.nan)
        differ = ~close(a, b)
        assert not differ.any(), f"{column}: " + rows(pairs[differ], [f"{column}_duckdb", f"{column}_spark"])


def test_details_agree_integers_exactly_and_floats_within_1e_9(pairs):
    texts = zip(pairs.details_duckdb.tolist(), pairs.details_spark.tolist(), strict=True)
    differ = np.array([not same_details(a, b) for a, b in texts], dtype=bool)
    assert not differ.any(), rows(pairs[differ], ["details_duckdb", "details_spark"])


def test_flags_statuses_and_persistence_are_identical(pairs):
    for column in EXACT:
        differ = (pairs[f"{column}_duckdb"] != pairs[f"{column}_spark"]).to_numpy()
        assert not differ.any(), f"{column}: " + rows(pairs[differ], [f"{column}_duckdb", f"{column}_spark"])
