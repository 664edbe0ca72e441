"""Hand-made dataset folders for the catalogue's tests: Parquet files in the canonical schema.

Tests describe rows as dicts with only the columns that matter; every other column of
the schema is written empty (null, or False for a boolean), with the schema's exact types.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from arusha.analytics.engine.schema import MONEY, TABLES

ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    MONEY: pa.decimal128(18, 2),
}


def _value(dtype: str, value: Any) -> Any:
    if value is None:
        return False if dtype == "boolean" else None
    if dtype == MONEY:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    if dtype == "date" and isinstance(value, str):
        return datetime.date.fromisoformat(value)
    if dtype == "timestamp" and isinstance(value, str):
        return datetime.datetime.fromisoformat(value)
    return value


def write_table(folder: Path, name: str, rows: list[dict[str, Any]]) -> Path:
    table = TABLES[name]
    unknown = {key for row in rows for key in row} - set(table.names)
    assert not unknown, f"{name} has no columns {unknown}"
    arrays = {
        column.name: pa.array(
            [_value(column.dtype, row.get(column.name)) for row in rows], type=ARROW_TYPES[column.dtype]
        )
        for column in table.columns
    }
    path = folder / f"{name}.parquet"
    pq.write_table(pa.table(arrays), path)
    return path


def write_dataset(folder: Path, **tables: list[dict[str, Any]]) -> Path:
    """Write every canonical table into `folder` (empty where no rows are given)."""
    folder.mkdir(parents=True, exist_ok=True)
    unknown = set(tables) - set(TABLES)
    assert not unknown, f"no tables {unknown}"
    for name in TABLES:
        write_table(folder, name, tables.get(name, []))
    return folder


def declaration(declaration_id: str, **values: Any) -> dict[str, Any]:
    """A declaration row with plausible defaults for the required columns."""
    row: dict[str, Any] = {
        "declaration_id": declaration_id,
        "office_code": "OFA",
        "section_code": "S1",
        "lodged_at": datetime.datetime(2025, 1, 6, 9, 0),
        "broker_id": "BRK0001",
        "trader_id": "TRD000001",
        "channel_initial": "green",
        "channel_final": "green",
        "declared_value": 1000,
        "cancelled": False,
    }
    row.update(values)
    return row
