"""Builders for the register's export and import tests: a cycle open for rating, a generated workbook.

`rating_cycle(f)` takes the field's cycle (tests/risks.py) to the rating step; `second_cycle(f)`
opens another cycle with the same matrix, scope and working group, at rating too.
`register_book(f, count)` writes a workbook of `count` risks with every column filled
(restricted texts, lists, offices, owners, the three ratings, controls and treatments),
through the same writer as the export.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Mapping
from typing import Any

from openpyxl import load_workbook
from tests.risks import Field, add_risk, following_cycle, to_identification

from arusha.risks import workbook
from arusha.risks.models import Cycle

TYPES = ["bribery", "extortion", "fraud", "collusion", "favouritism"]
CAUSES = ["monopoly", "discretion", "accountability", "contact", "cash"]


def rating_cycle(f: Field) -> Cycle:
    from arusha.risks.services.cycles import cycle_advance

    to_identification(f)
    add_risk(f)
    f.cycle = cycle_advance(actor=f.officer, cycle=f.cycle)
    return f.cycle


def second_cycle(f: Field, title: str = "Clearance corruption risks 2027") -> Cycle:
    from arusha.risks.services.cycles import cycle_advance
    from arusha.risks.services.register import risk_create

    cycle = following_cycle(f, title, f.cycle.scope)
    risk_create(
        actor=f.officer,
        cycle=cycle,
        values={"title": "A first risk", "process": f.processes["EXA"]},
    )
    return cycle_advance(actor=f.officer, cycle=cycle)


def risk_row(n: int, processes: list[str], owners: list[str]) -> dict[str, Any]:
    """Row `n` of a generated register: every column filled, some texts that look like formulas."""
    stage = {
        "inherent": (n % 5 + 1, (n // 5) % 5 + 1),
        "current": (max(n % 5, 1), max((n // 5) % 5, 1)),
        "target": (1, (n // 5) % 5 + 1) if n % 3 else (None, None),
    }
    row: dict[str, Any] = {
        "code": f"R-{n:03d}",
        "process": processes[n % len(processes)],
        "title": f'=HYPERLINK("http://evil.example","{n}")'
        if n % 97 == 0
        else f"Risk {n}: payment to skip a check",
        "who": f"-{n} examining officers" if n % 50 == 0 else f"Officer of team {n % 7}",
        "with_whom": "Broker — café owner, façade company",
        "what": f"Release note {n}",
        "how": f"@once\nthen line two of {n}" if n % 40 == 0 else f"Reports goods as declared ({n})",
        "benefit": "Cash per container",
        "notes": "" if n % 4 else f"Seen in audit {n}",
        "corruption_types": workbook.SEPARATOR.join(TYPES[: n % 3 + 1]),
        "factors": "KF6" if n % 2 else "KF3; KF8",
        "risk_factors": workbook.SEPARATOR.join(CAUSES[n % 2 : n % 2 + 2]),
        "offices": "OPS" if n % 2 else "OPS; OPS-P",
        "owner": owners[n % len(owners)],
        "knowledge": ["weak", "moderate", "strong"][n % 3],
        "decision": "treat",
        "review_on": (datetime.date(2026, 1, 1) + datetime.timedelta(days=n)).isoformat(),
    }
    for name, (likelihood, impact) in stage.items():
        row[f"{name}_likelihood"], row[f"{name}_impact"] = likelihood, impact
    return row


def register_book(f: Field, count: int, *, controls: int = 2, treatments: int = 2, start: int = 1) -> bytes:
    owners = ["owner-risks@test.example", "risks@test.example"]
    processes = ["EXA", "REL", "VAL"]
    rows = [risk_row(n, processes, owners) for n in range(start, start + count)]
    control_rows = [
        {
            "risk": row["code"],
            "kind": ["preventive", "detective", "corrective"][k % 3],
            "description": f"Second officer checks {row['code']} ({k})",
            "design": ["effective", "partly", ""][k % 3],
            "operation": ["partly", "", "ineffective"][k % 3],
        }
        for row in rows
        for k in range(controls)
    ]
    treatment_rows = [
        {
            "risk": row["code"],
            "title": f"Rotate examiners of {row['code']} ({k})",
            "description": "" if k else "Every six months",
            "owner": owners[k % 2] if k < 2 else "",
            "due_on": "2026-09-30" if k else "",
            "status": ["planned", "in_progress", "done"][k % 3],
        }
        for row in rows
        for k in range(treatments)
    ]
    export = workbook.Export(
        watermark="Confidential — written by a test",
        about=[("Test", "generated")],
        legend=[],
        register=rows,
        controls=control_rows,
        treatments=treatment_rows,
    )
    return workbook.write(export)


def cells(content: bytes, sheet: str, *, from_row: int = workbook.HEADER_ROW) -> list[list[Any]]:
    """Every cell's value of a sheet from `from_row` (the watermark row left out by default)."""
    book = load_workbook(io.BytesIO(content))
    rows = [list(row) for row in book[sheet].iter_rows(min_row=from_row, values_only=True)]
    book.close()
    return rows


def edited(content: bytes, sheet: str, changes: Mapping[tuple[int, int], Any]) -> bytes:
    """The workbook with some cells changed: {(row, column): value} (openpyxl writes "=…" as a formula)."""
    book = load_workbook(io.BytesIO(content))
    for (row, column), value in changes.items():
        book[sheet].cell(row=row, column=column).value = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def column(sheet: str, key: str) -> int:
    """The number of a sheet's column, by key."""
    return [c.key for c in workbook.COLUMNS[sheet]].index(key) + 1
