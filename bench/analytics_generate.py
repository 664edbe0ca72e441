#!/usr/bin/env python3
"""Time the synthetic clearance-data generator at national scale (issue 13: 10 million
declarations with all their tables in at most 2 minutes, and well under 8 GB of memory).

It generates `--declarations` declarations (default 10,000,000) with the default planted
anomalies into a temporary folder, then measures the floor in the same run: DuckDB writing
a declarations table of as many rows, computed from range(N), to Parquet. It prints the
seconds, the peak resident memory, the rows per table and the ratio to the floor, and
exits with status 1 when the generation takes over 120 s or 8 GB.

    .venv/bin/python bench/analytics_generate.py [--declarations N] [--seed S] [--keep DIR]

With --keep, the files stay in DIR (for example to time the catalogue on them).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import duckdb  # noqa: E402  (src/ is on the path only now)

from arusha.analytics.engine.generator import generate  # noqa: E402

TARGET_S = 120.0
TARGET_GB = 8.0

# The floor: every column of the declarations table, from arithmetic on the row number.
FLOOR = """
COPY (
    SELECT 'D' || lpad(CAST(i AS VARCHAR), 10, '0') AS declaration_id,
        'OFF-' || CAST(i % 40 AS VARCHAR) AS office_code,
        'GEN' || CAST(i % 5 AS VARCHAR) AS section_code,
        TIMESTAMP '2025-01-01' + to_microseconds(i * 3153) AS lodged_at,
        'BRK' || lpad(CAST(i % 1667 AS VARCHAR), 4, '0') AS broker_id,
        'TRD' || lpad(CAST(i % 50000 AS VARCHAR), 6, '0') AS trader_id,
        '4000' AS regime,
        'CN' AS origin_country,
        'green' AS channel_initial,
        'green' AS channel_final,
        'OFF' || lpad(CAST(i % 2000 AS VARCHAR), 4, '0') AS inspector_id,
        TIMESTAMP '2025-01-01' + to_microseconds(i * 3153 + 7200000000) AS released_at,
        CAST((hash(i) % 1000000000) / 100 AS DECIMAL(18, 2)) AS declared_value,
        CAST((hash(i + 1) % 1000000000) / 100 AS DECIMAL(18, 2)) AS assessed_value,
        CAST((hash(i + 2) % 100000000) / 100 AS DECIMAL(18, 2)) AS taxes_declared,
        CAST((hash(i + 3) % 100000000) / 100 AS DECIMAL(18, 2)) AS taxes_assessed,
        i % 200 = 0 AS cancelled,
        CAST(NULL AS VARCHAR) AS replaces_id
    FROM range({n}) t(i)
) TO '{path}' (FORMAT parquet)
"""


def peak_gb() -> float:
    """Peak resident memory of this process so far (ru_maxrss is in kilobytes on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--declarations", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="Write the files here and keep them.")
    args = parser.parse_args()
    n = args.declarations
    with tempfile.TemporaryDirectory(prefix="arusha-generate-bench-") as scratch:
        folder = args.keep or Path(scratch) / "dataset"
        start = time.perf_counter()
        truth = generate(folder, declarations=n, seed=args.seed)
        seconds = time.perf_counter() - start
        memory = peak_gb()
        floor_path = Path(scratch) / "floor.parquet"
        start = time.perf_counter()
        with duckdb.connect() as con:
            con.execute(FLOOR.format(n=n, path=str(floor_path).replace("'", "''")))
        floor = time.perf_counter() - start
        sizes = {name: path.stat().st_size for name, path in truth.paths.items()}

    print(f"\nSynthetic clearance data: {n:,} declarations, seed {args.seed}, {os.cpu_count()} cores\n")
    print(f"{'generator (all tables)':<42} {seconds:8.1f} s   peak RSS {memory:5.2f} GB")
    print(f"{'floor: DuckDB COPY of the declarations':<42} {floor:8.1f} s")
    print(f"{'ratio':<42} {seconds / floor:8.1f} x floor\n")
    print(f"{'table':<16} {'rows':>12} {'MB':>9}")
    for name, rows in truth.rows.items():
        print(f"{name:<16} {rows:>12,} {sizes[name] / 1e6:>9.1f}")
    planted = len({(t.indicator, t.entity) for t in truth.planted})
    lookalikes = len({(t.indicator, t.entity) for t in truth.lookalikes})
    print(f"{'ground truth':<16} {planted:>5} planted, {lookalikes} look-alikes")
    print("\nTargets")
    missed = []
    for name, value, target, unit in (
        ("generation", seconds, TARGET_S, "s"),
        ("peak RSS", memory, TARGET_GB, "GB"),
    ):
        ok = value <= target
        missed += [] if ok else [name]
        print(f"{name:<16} {value:8.2f} {unit} <= {target:.0f} {unit}  {'ok' if ok else 'MISSED'}")
    if missed:
        sys.exit(f"Targets missed: {', '.join(missed)}")


if __name__ == "__main__":
    main()
