#!/usr/bin/env python3
"""Time the integrity-analytics catalogue at national scale (issue 13: 10 million
declarations on DuckDB in at most 5 minutes and 8 GB, within 1.2x of the same queries
hand-written for DuckDB, measured in the same run).

It generates `--declarations` declarations (default 10,000,000) with the default planted
anomalies into a temporary folder, or reuses a dataset folder (`--folder`, for example one
written by `bench/analytics_generate.py --keep DIR`). Then, each in a process of its own
so that its peak resident memory is its own: the full catalogue on DuckDB
(engine.runner.run_catalogue: Ibis expressions, statistics in Python), and the same
indicators hand-written as DuckDB SQL (bench/analytics_handwritten.py) with the same
statistics. It prints seconds and peak RSS of each, their ratio, the seconds per
indicator, and checks that both give the same rows, sums and flags (otherwise the
comparison would not be fair). With `--spark`, it also runs the catalogue on Spark local
mode: a correctness oracle, not a speed target; it must complete and flag what DuckDB
flags. It exits with status 1 when the catalogue takes over 300 s, 8 GB or 1.2x the
hand-written time, or when the results disagree.

    .venv/bin/python bench/analytics_catalogue.py [--declarations N] [--seed S] [--folder DIR]
        [--repeat R] [--spark] [--spark-master local[*]]

With `--repeat R`, the catalogue and the hand-written queries run R times in turn and the
fastest of each counts (the machine is shared; the slower runs are its noise).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

TARGET_S = 300.0
TARGET_GB = 8.0
TARGET_RATIO = 1.2
RTOL = 1e-9
KEY = ["indicator", "entity_kind", "entity", "period"]
PHASES = ("generate", "catalogue", "handwritten", "spark")


def peak_gb() -> float:
    """Peak resident memory of this process so far (ru_maxrss is in kilobytes on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def summary(signals: pd.DataFrame) -> dict[str, Any]:
    """What the runs are compared on: rows, Σ numerator, Σ denominator and flags per indicator,
    and the flagged keys."""
    per: dict[str, dict[str, float]] = {}
    for indicator, own in signals.groupby("indicator"):
        per[str(indicator)] = {
            "rows": len(own),
            "numerator": float(np.nansum(own["numerator"].to_numpy(dtype=float, na_value=np.nan))),
            "denominator": float(np.nansum(own["denominator"].to_numpy(dtype=float, na_value=np.nan))),
            "flagged": int(own["flag"].sum()),
        }
    flagged = signals.loc[signals["flag"].astype(bool), KEY]
    return {"indicators": per, "flagged": sorted("\t".join(row) for row in flagged.itertuples(index=False))}


# One phase, in a child process ---------------------------------------------------------------


def phase(name: str, folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Run one phase in this process and return its figures (printed as JSON by the child)."""
    # Known, harmless warnings of the libraries (PySpark on pandas 3; Ibis on DuckDB 2).
    warnings.filterwarnings(
        "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
    )
    warnings.filterwarnings(
        "ignore", message=r"fetch_arrow_table\(\) is deprecated", category=DeprecationWarning
    )
    if name == "generate":
        from arusha.analytics.engine.generator import generate

        start = time.perf_counter()
        truth = generate(folder, declarations=args.declarations, seed=args.seed)
        return {"seconds": time.perf_counter() - start, "rss_gb": peak_gb(), "rows": truth.rows}
    if name == "handwritten":
        from analytics_handwritten import run_handwritten

        start = time.perf_counter()
        signals, timings = run_handwritten(folder)
    else:
        from arusha.analytics.engine.runner import run_catalogue

        engine = "spark" if name == "spark" else "duckdb"
        start = time.perf_counter()
        result = run_catalogue(folder, engine=engine, spark_master=args.spark_master)
        signals, timings = result.signals, result.timings
    seconds = time.perf_counter() - start
    # Read before anything else is built: the peak of the run itself.
    memory = peak_gb()
    return {"seconds": seconds, "rss_gb": memory, "timings": timings, **summary(signals)}


def child(name: str, folder: Path, args: argparse.Namespace, scratch: Path) -> dict[str, Any]:
    """Run a phase in a new process; its output is shown only if it fails."""
    command = [sys.executable, __file__, "--phase", name, "--folder", str(folder)]
    command += ["--declarations", str(args.declarations), "--seed", str(args.seed)]
    if args.spark_master:
        command += ["--spark-master", args.spark_master]
    # Spark's shuffle and spill files go to the bench's own scratch folder (removed with it),
    # not to the shared /tmp.
    environment = {**os.environ, "SPARK_LOCAL_DIRS": str(scratch)}
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT, env=environment)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        sys.exit(f"The {name} phase failed (exit status {done.returncode}).")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# Comparison and report ---------------------------------------------------------------------------


def disagreements(ours: dict[str, Any], theirs: dict[str, Any], *, sums: bool = True) -> list[str]:
    """How two runs' summaries differ (empty when they agree)."""
    found = []
    a, b = ours["indicators"], theirs["indicators"]
    if a.keys() != b.keys():
        found.append(f"indicators {sorted(a)} against {sorted(b)}")
    for code in sorted(a.keys() & b.keys()):
        for column in ("rows", "flagged") + (("numerator", "denominator") if sums else ()):
            x, y = a[code][column], b[code][column]
            if not (x == y or abs(x - y) <= RTOL * max(abs(x), abs(y))):
                found.append(f"{code} {column}: {x!r} against {y!r}")
    if ours["flagged"] != theirs["flagged"]:
        only = sorted(set(ours["flagged"]) ^ set(theirs["flagged"]))
        found.append(f"{len(only)} flags differ, e.g. {only[:3]}")
    return found


def rows_of(result: dict[str, Any], code: str, measures: dict[str, str]) -> tuple[int, int]:
    """Rows and flags of an indicator and of the office measure it gives."""
    rows = flagged = 0
    for indicator, figures in result["indicators"].items():
        if indicator == code or measures.get(indicator) == code:
            rows += int(figures["rows"])
            flagged += int(figures["flagged"])
    return rows, flagged


def report(
    args: argparse.Namespace,
    folder: Path,
    made: dict[str, Any] | None,
    ibis: dict[str, Any],
    hand: dict[str, Any],
) -> None:
    from arusha.analytics.engine.runner import catalogue

    measures = {
        d.measure.code: d.code for d in catalogue() if d.measure is not None and d.measure.code != d.code
    }
    load = os.getloadavg()[0]
    count = pq.ParquetFile(folder / "declarations.parquet").metadata.num_rows
    size = f"{count:,} declarations" + (f", seed {args.seed}" if made else f" in {folder}")
    print(f"\nIntegrity analytics catalogue: {size}, {os.cpu_count()} cores (load {load:.1f})\n")
    if made:
        print(f"{'generation (all tables)':<36} {made['seconds']:8.1f} s   peak RSS {made['rss_gb']:5.2f} GB")
    ratio = ibis["seconds"] / hand["seconds"]
    for label, run in (("catalogue on DuckDB (Ibis)", ibis), ("the same, hand-written DuckDB SQL", hand)):
        print(f"{label:<36} {run['seconds']:8.1f} s   peak RSS {run['rss_gb']:5.2f} GB")
    print(f"{'ratio':<36} {ratio:8.2f} x hand-written\n")
    print(f"{'indicator':<18} {'catalogue s':>11} {'hand s':>8} {'ratio':>6} {'rows':>10} {'flagged':>8}")
    for code, seconds in ibis["timings"].items():
        if code == "total":
            continue
        other = hand["timings"].get(code, float("nan"))
        rows, flagged = rows_of(ibis, code, measures)
        print(f"{code:<18} {seconds:>11.1f} {other:>8.1f} {seconds / other:>6.2f} {rows:>10,} {flagged:>8,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--declarations", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--folder", type=Path, help="Reuse this dataset folder instead of generating one.")
    parser.add_argument("--repeat", type=int, default=1, help="Runs of each; the fastest counts.")
    parser.add_argument("--spark", action="store_true", help="Also run the catalogue on Spark local mode.")
    parser.add_argument("--spark-master", default=None, help="Spark master (default local[*]).")
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, args.folder, args)))
        return
    with tempfile.TemporaryDirectory(prefix="arusha-catalogue-bench-") as scratch:
        made = None
        folder = args.folder
        if folder is None:
            folder = Path(scratch) / "dataset"
            made = child("generate", folder, args, Path(scratch))
        elif not (folder / "declarations.parquet").exists():
            sys.exit(f"{folder} holds no dataset (declarations.parquet is missing).")
        runs: dict[str, list[dict[str, Any]]] = {"catalogue": [], "handwritten": []}
        for _ in range(max(args.repeat, 1)):
            for name in runs:
                runs[name].append(child(name, folder, args, Path(scratch)))
        ibis = min(runs["catalogue"], key=lambda r: float(r["seconds"]))
        hand = min(runs["handwritten"], key=lambda r: float(r["seconds"]))
        spark = child("spark", folder, args, Path(scratch)) if args.spark else None

        report(args, folder, made, ibis, hand)
    ratio = ibis["seconds"] / hand["seconds"]
    missed = []
    differ = disagreements(ibis, hand)
    print(f"\nHand-written against catalogue (rows, sums, flags): {'; '.join(differ) or 'the same'}")
    if differ:
        missed.append("hand-written queries disagree")
    if spark is not None:
        differ = disagreements(ibis, spark, sums=False)
        master = args.spark_master or "local[*]"
        verdict = "; ".join(differ) or "the same rows and flags as DuckDB"
        flags = len(spark["flagged"])
        print(f"Spark {master}: completed in {spark['seconds']:.1f} s, {flags:,} flags, {verdict}")
        if differ:
            missed.append("Spark disagrees")
    print("\nTargets")
    peak = max(r["rss_gb"] for r in runs["catalogue"])
    for name, value, target, unit in (
        ("catalogue time", ibis["seconds"], TARGET_S, "s"),
        ("peak RSS", peak, TARGET_GB, "GB"),
        ("x hand-written", ratio, TARGET_RATIO, "x"),
    ):
        ok = value <= target
        missed += [] if ok else [name]
        print(f"{name:<16} {value:8.2f} {unit:<2} <= {target:g} {unit}  {'ok' if ok else 'MISSED'}")
    if missed:
        sys.exit(f"Targets missed: {', '.join(missed)}")


if __name__ == "__main__":
    main()
