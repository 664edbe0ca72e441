"""Hand-made clearance exports for the import's tests: small CSV files, and a ZIP of them.

`export(folder)` writes a valid export of three declarations (two offices' worth of
columns), their items, a channel change, assignments, an offence, a posting, a roster
day, an audit and a mirror flow, all as CSV with the schema's column names. Tests then
spoil one cell or one file to see a gate or a refusal.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

DECLARATIONS: list[dict[str, Any]] = [
    {
        "declaration_id": "D1",
        "office_code": "KIL-PRT",
        "section_code": "S1",
        "lodged_at": "2025-01-03 10:00:00",
        "broker_id": "BRK0001",
        "trader_id": "TRD000001",
        "regime": "4000",
        "origin_country": "cn",
        "channel_initial": "red",
        "channel_final": "green",
        "inspector_id": "OFF0001",
        "released_at": "2025-01-04 09:30:00",
        "declared_value": "1000.50",
        "assessed_value": "1200.00",
        "taxes_declared": "250.00",
        "taxes_assessed": "300.00",
        "cancelled": "false",
        "replaces_id": "",
    },
    {
        "declaration_id": "D2",
        "office_code": "KIL-PRT",
        "section_code": "S2",
        "lodged_at": "2025-01-05 11:00:00",
        "broker_id": "BRK0002",
        "trader_id": "TRD000001",
        "regime": "4000",
        "origin_country": "IN",
        "channel_initial": "Yellow",
        "channel_final": "yellow",
        "inspector_id": "OFF0002",
        "released_at": "2025-01-05 15:00:00",
        "declared_value": "80.00",
        "assessed_value": "",
        "taxes_declared": "",
        "taxes_assessed": "",
        "cancelled": "0",
        "replaces_id": "",
    },
    {
        "declaration_id": "D3",
        "office_code": "KIL-AIR",
        "section_code": "A1",
        "lodged_at": "2025-02-01 08:00:00",
        "broker_id": "BRK0001",
        "trader_id": "TRD000002",
        "regime": "4000",
        "origin_country": "FR",
        "channel_initial": "green",
        "channel_final": "green",
        "inspector_id": "",
        "released_at": "",
        "declared_value": "5.00",
        "assessed_value": "",
        "taxes_declared": "",
        "taxes_assessed": "",
        "cancelled": "true",
        "replaces_id": "",
    },
]

TABLES: dict[str, list[dict[str, Any]]] = {
    "declarations": DECLARATIONS,
    "items": [
        {
            "declaration_id": "D1",
            "item_no": "1",
            "hs_code": "8703.23",
            "origin_country": "CN",
            "quantity": "2",
            "net_mass_kg": "2400",
            "customs_value": "1000.50",
        },
        {
            "declaration_id": "D2",
            "item_no": "1",
            "hs_code": "090111",
            "origin_country": "IN",
            "quantity": "100",
            "net_mass_kg": "",
            "customs_value": "80.00",
        },
        {
            "declaration_id": "D3",
            "item_no": "1",
            "hs_code": "030617",
            "origin_country": "FR",
            "quantity": "1",
            "net_mass_kg": "1",
            "customs_value": "5.00",
        },
    ],
    "channel_changes": [
        {
            "declaration_id": "D1",
            "changed_at": "2025-01-03 12:00:00",
            "from_channel": "red",
            "to_channel": "green",
            "officer_id": "OFF0003",
            "reason_code": "",
            "justification": "",
        }
    ],
    "assignments": [
        {
            "declaration_id": "D1",
            "inspector_id": "OFF0001",
            "assigned_at": "2025-01-03 10:05:00",
            "office_code": "KIL-PRT",
            "section_code": "S1",
            "method": "random",
        },
        {
            "declaration_id": "D2",
            "inspector_id": "OFF0002",
            "assigned_at": "2025-01-05 11:05:00",
            "office_code": "KIL-PRT",
            "section_code": "S2",
            "method": "manual",
        },
    ],
    "offences": [
        {
            "offence_id": "F1",
            "declaration_id": "D1",
            "recorded_at": "2025-01-04 09:00:00",
            "officer_id": "OFF0001",
            "offence_type": "valuation",
            "amount": "50.00",
        }
    ],
    "postings": [
        {
            "officer_id": "OFF0001",
            "office_code": "KIL-PRT",
            "section_code": "S1",
            "role": "inspector",
            "start_date": "2022-03-01",
            "end_date": "",
        }
    ],
    "rosters": [
        {"officer_id": "OFF0001", "office_code": "KIL-PRT", "section_code": "S1", "duty_date": "2025-01-03"}
    ],
    "audits": [
        {
            "audit_id": "A1",
            "declaration_id": "D2",
            "audit_date": "2025-06-30",
            "result": "adjusted",
            "additional_revenue": "12.00",
        }
    ],
    "mirror_flows": [
        {
            "period": "2025-01",
            "partner_country": "cn",
            "hs_code": "870323",
            "export_value": "900.00",
            "quantity": "2",
        }
    ],
}


def write_csv(
    path: Path, rows: Sequence[dict[str, Any]], *, delimiter: str = ",", encoding: str = "utf-8"
) -> Path:
    columns = list(rows[0]) if rows else []
    with path.open("w", encoding=encoding, newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=columns, delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def export(folder: Path, **changes: list[dict[str, Any]] | None) -> Path:
    """A valid export in `folder`; `changes` replaces a table's rows (None leaves the table out)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in {**TABLES, **changes}.items():
        if rows is not None:
            write_csv(folder / f"{name}.csv", rows)
    return folder


def with_row(table: str, **values: Any) -> list[dict[str, Any]]:
    """The table's rows plus one more: a copy of its first row with `values` changed."""
    rows = [dict(row) for row in TABLES[table]]
    rows.append({**rows[0], **values})
    return rows


def zip_of(folder: Path, *, extra: dict[str, bytes] | None = None) -> bytes:
    """A ZIP of the folder's files (and of `extra` members, named as given)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()
