"""Synthetic clearance data at national scale, with planted anomalies and their ground truth.

`generate(out_dir, declarations=…)` writes one Parquet file per canonical table
(engine/schema.py) and `ground_truth.parquet`: which entities were planted for which
indicator of the catalogue, and which legitimate look-alikes a sound, stratified method
must leave alone. It is for demonstrations, tests and benchmarks; docs/analytics-synthetic.md
describes what it makes.

The administration has 10-40 offices (ports, airports, inland depots, border posts, rail
and postal offices) of 2-6 sections each, some specialised (vehicles, petroleum, courier,
a slow laboratory section); officers (about one per 5,000 declarations) posted and moved
between offices, on daily duty rosters; brokers (one per 6,000) and traders (one per 200)
with heavy-tailed volumes; 1,000-2,000 HS subheadings and 60 origins with a unit price
each. Channels come from a risk engine, assignments from the random rule among the
inspectors rostered in the section that day.

The generation is vectorised with numpy (no Python loop per declaration) and DuckDB writes
the files, so that 10 million declarations take under two minutes on two cores. A seed
gives the same data. No Django here: the engine runs in scheduled jobs and benchmarks.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from .generator_control import control
from .generator_plan import LOOKALIKE, PLANTED, Anomalies, Truth, choose
from .generator_trade import classify, headers, items, mirror, move_brokers, phantom_importers, relodge
from .generator_world import build_world, calendar
from .generator_write import write_tables
from .schema import TABLES

__all__ = ["GROUND_TRUTH", "Anomalies", "GroundTruth", "Truth", "generate"]

GROUND_TRUTH = "ground_truth"
GROUND_TRUTH_SCHEMA = pa.schema(
    [
        ("indicator", pa.string()),
        ("entity_kind", pa.string()),
        ("entity", pa.string()),
        ("period", pa.string()),
        ("truth", pa.string()),
    ]
)
MAX_MONTHS = 24


@dataclass(frozen=True)
class GroundTruth:
    """What generate() wrote: the files, their row counts, and what was planted."""

    folder: Path
    paths: dict[str, Path]  # by table name, and "ground_truth"
    rows: dict[str, int]  # by table name
    truths: tuple[Truth, ...]  # planted entities and recorded look-alikes
    seconds: float

    @property
    def planted(self) -> tuple[Truth, ...]:
        return tuple(t for t in self.truths if t.truth == PLANTED)

    @property
    def lookalikes(self) -> tuple[Truth, ...]:
        return tuple(t for t in self.truths if t.truth == LOOKALIKE)

    def entities(self, indicator: str, truth: str = PLANTED) -> set[str]:
        """The entities recorded for one indicator (any period)."""
        return {t.entity for t in self.truths if t.indicator == indicator and t.truth == truth}


def generate(
    out_dir: Path,
    *,
    declarations: int,
    seed: int = 0,
    months: int = 12,
    start: date = date(2025, 1, 1),
    anomalies: Anomalies | None = None,
) -> GroundTruth:
    """Write `declarations` declarations lodged over `months` calendar months from `start`
    (a first of the month), with everything they imply, into `out_dir` (created if needed;
    files of the same names are replaced). `anomalies` chooses what to plant: by default
    `Anomalies()`; `Anomalies.none()` plants nothing."""
    began = time.perf_counter()
    if declarations < 1000:
        raise ValueError("declarations must be at least 1,000")
    if not 1 <= months <= MAX_MONTHS:
        raise ValueError(f"months must be between 1 and {MAX_MONTHS}")
    if start.day != 1:
        raise ValueError("start must be the first day of a month")
    anomalies = Anomalies() if anomalies is None else anomalies
    rng = np.random.default_rng(seed)
    world = build_world(
        rng,
        declarations,
        calendar(start, months),
        lookalikes=anomalies.lookalikes,
        tenure=anomalies.tenure_officers,
        followers=anomalies.followers,
    )
    d = headers(rng, world, declarations)
    plan = choose(rng, world, anomalies, d.section, d.broker, d.trader)
    move_brokers(rng, world, plan, d, anomalies.follow_share)
    phantom_importers(rng, world, plan, d)
    classify(rng, world, plan, d)
    again, new = relodge(rng, world, plan, anomalies, d)
    it = items(rng, world, plan, anomalies, d, again, new)
    events = control(rng, world, plan, anomalies, d)
    flows = mirror(rng, world, plan, anomalies, d, it)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = write_tables(out_dir, world, d, it, events, flows)
    truths = tuple(plan.truths)
    truth_path = out_dir / f"{GROUND_TRUTH}.parquet"
    pq.write_table(
        pa.table(
            {name: [getattr(t, name) for t in truths] for name in GROUND_TRUTH_SCHEMA.names},
            schema=GROUND_TRUTH_SCHEMA,
        ),
        truth_path,
    )
    paths = {name: out_dir / f"{name}.parquet" for name in TABLES} | {GROUND_TRUTH: truth_path}
    return GroundTruth(out_dir, paths, rows, truths, time.perf_counter() - began)
