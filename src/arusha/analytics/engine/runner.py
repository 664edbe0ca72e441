"""Run the indicator catalogue over one dataset folder, on DuckDB (default) or Spark.

    result = run_catalogue(folder)                      # DuckDB, every indicator
    result = run_catalogue(folder, engine="spark")      # Spark local mode (or spark_master)
    write_outputs(result, out_dir)                      # signals.parquet, signals.csv

The engine reads the folder's Parquet files (one per canonical table), runs each
indicator's Ibis expression, pulls only the aggregated rows into pandas, and computes the
statistics in Python (stats.py). Row-level tables never leave the engine.
"""

from __future__ import annotations

import csv
import logging
import numbers
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis  # type: ignore[import-untyped]
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from arusha.analytics.engine.catalogue import INDICATORS, MEASURES, Context, IndicatorDefinition, definitions
from arusha.analytics.engine.schema import TABLES
from arusha.analytics.engine.stats import COLUMNS, empty_signals, evaluate, measure_rows, normalise

logger = logging.getLogger(__name__)

ENGINES = ("duckdb", "spark")
# DuckDB spills to disk beyond this, which keeps a 10 M-declaration run under 8 GB RSS.
DUCKDB_MEMORY_LIMIT = "3GB"
# What makes a spreadsheet program read a typed cell as a formula (arusha.core.spreadsheets
# has the same list; the engine imports no Django, so it is repeated here).
FORMULA_TRIGGERS = frozenset({"=", "+", "-", "@", "\t", "\r"})

Progress = Callable[[int, int, str], None]


@dataclass
class CatalogueResult:
    """The catalogue's rows (stats.COLUMNS), seconds per indicator, and versions that ran."""

    signals: pd.DataFrame
    timings: dict[str, float] = field(default_factory=dict)
    catalogue: dict[str, int] = field(default_factory=dict)


def catalogue() -> list[IndicatorDefinition]:
    """The indicator definitions, in catalogue order."""
    return list(definitions())


def office_measures() -> list[IndicatorDefinition]:
    """The indicators that give an office-level measure usable in performance contracts."""
    return [d for d in definitions() if d.measure is not None]


def run_catalogue(
    folder: Path,
    *,
    engine: str = "duckdb",
    spark_master: str | None = None,
    indicators: list[str] | None = None,
    progress: Progress | None = None,
) -> CatalogueResult:
    """Compute the catalogue (or the `indicators` named) over the dataset in `folder`."""
    return run_definitions(
        folder, _chosen(indicators), engine=engine, spark_master=spark_master, progress=progress
    )


def run_definitions(
    folder: Path,
    chosen: list[IndicatorDefinition],
    *,
    engine: str = "duckdb",
    spark_master: str | None = None,
    progress: Progress | None = None,
) -> CatalogueResult:
    """Compute the given definitions (built-in or adjusted copies) over `folder`."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
    started = time.perf_counter()
    with _connection(engine, spark_master) as con:
        tables = {
            name: con.read_parquet(str(path), table_name=f"arusha_{name}")
            for name in TABLES
            if (path := Path(folder) / f"{name}.parquet").exists()
        }
        ctx = Context(tables)
        frames: list[pd.DataFrame] = []
        timings: dict[str, float] = {}
        versions: dict[str, int] = {}
        try:
            for index, item in enumerate(chosen):
                if progress is not None:
                    progress(index, len(chosen), item.code)
                clock = time.perf_counter()
                frames.extend(_run_one(ctx, item))
                ctx.next_indicator()
                timings[item.code] = round(time.perf_counter() - clock, 3)
                versions[item.code] = item.version
                if item.measure is not None:
                    versions[item.measure.code] = item.version
            if progress is not None:
                progress(len(chosen), len(chosen), "")
        finally:
            ctx.release()
    frames = [f for f in frames if not f.empty]
    signals = normalise(pd.concat(frames, ignore_index=True)) if frames else empty_signals()
    timings["total"] = round(time.perf_counter() - started, 3)
    return CatalogueResult(signals=signals, timings=timings, catalogue=versions)


def _chosen(indicators: list[str] | None) -> list[IndicatorDefinition]:
    every = catalogue()
    if indicators is None:
        return every
    known = {d.code: d for d in every}
    # A measure's code (RELEASE_TIME) selects the indicator that gives it.
    for d in every:
        if d.measure is not None:
            known.setdefault(d.measure.code, d)
    unknown = [code for code in indicators if code not in known]
    if unknown:
        raise ValueError(f"unknown indicators: {', '.join(unknown)}")
    wanted = {known[code].code for code in indicators}
    return [d for d in every if d.code in wanted]


def _run_one(ctx: Context, item: IndicatorDefinition) -> Iterator[pd.DataFrame]:
    needs = _needs(item.code)
    if not all(ctx.has(name) for name in needs):
        logger.info("indicator %s skipped: the dataset lacks %s", item.code, needs)
        return
    raw = _execute(INDICATORS[item.code](ctx, item))
    yield evaluate(item, raw)
    if item.measure is not None:
        yield measure_rows(item, _execute(MEASURES[item.measure.code](ctx, item)))


# The tables each indicator reads; an indicator whose tables are missing gives no rows.
_NEEDS = {
    "DOWNGRADE_UNDOC": ("declarations", "channel_changes"),
    "HIT_RATE": ("declarations", "items", "offences"),
    "VALUE_UPLIFT": ("declarations", "items", "offences"),
    "UNIT_VALUE": ("declarations", "items"),
    "MIRROR_GAP": ("declarations", "items", "mirror_flows"),
    "BROKER_FOLLOWS": ("declarations", "postings"),
    "TENURE": ("declarations", "postings"),
}


def _needs(code: str) -> tuple[str, ...]:
    return _NEEDS.get(code, ("declarations",))


def _execute(expr: Any) -> pd.DataFrame:
    """Run an expression of aggregated rows and bring them into pandas (via Arrow).

    On Spark, the compiled query goes through Spark's own Arrow export: Ibis 12 would go
    through toPandas(), which PySpark 4.3 runs with pandas options that pandas 3 deprecates.
    """
    backend = expr.get_backend()
    if getattr(backend, "name", "") == "pyspark":
        session = backend._session  # the SparkSession this run opened
        table: pa.Table = session.sql(str(backend.compile(expr))).toArrow()
        schema = pa.schema([(name, dtype.to_pyarrow()) for name, dtype in expr.schema().items()])
        frame: pd.DataFrame = table.cast(schema).to_pandas()
        return frame
    table = expr.to_pyarrow()
    result: pd.DataFrame = table.to_pandas()
    return result


@contextmanager
def _connection(engine: str, spark_master: str | None) -> Iterator[Any]:
    if engine == "duckdb":
        with tempfile.TemporaryDirectory(prefix="arusha-duckdb-") as spill:
            con = ibis.duckdb.connect(memory_limit=DUCKDB_MEMORY_LIMIT, temp_directory=spill)
            # Month boundaries are UTC whatever the machine's zone.
            con.raw_sql("SET TimeZone = 'UTC'")
            try:
                yield con
            finally:
                con.disconnect()
        return
    with spark_session(spark_master) as session:
        yield ibis.pyspark.connect(session)


@contextmanager
def spark_session(master: str | None = None) -> Iterator[Any]:
    """A Spark session for the catalogue: UTC, quiet, stopped afterwards if we started it."""
    from pyspark.sql import SparkSession

    existing = SparkSession.getActiveSession()
    if existing is not None:
        # Someone else's session (a notebook, a test): months must still be UTC months.
        existing.conf.set("spark.sql.session.timeZone", "UTC")
        yield existing
        return
    session = (
        SparkSession.builder.master(master or "local[*]")
        .appName("arusha-analytics")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()


# Outputs -------------------------------------------------------------------------------------


def write_outputs(result: CatalogueResult, out_dir: Path) -> list[Path]:
    """Write signals.parquet and signals.csv (formula-safe) into `out_dir`."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    signals = result.signals.loc[:, list(COLUMNS)]
    parquet_path = out_dir / "signals.parquet"
    pq.write_table(pa.Table.from_pandas(signals, preserve_index=False), parquet_path)
    csv_path = out_dir / "signals.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in signals.itertuples(index=False, name=None):
            writer.writerow([csv_cell(value) for value in row])
    return [parquet_path, csv_path]


def csv_cell(value: Any) -> Any:
    """A CSV cell: numbers stay numbers, missing values are empty, text never a formula."""
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, numbers.Real):
        return "" if value != value else value  # NaN is missing
    text = str(value)
    if text[:1] in FORMULA_TRIGGERS:
        return "'" + text
    return text
