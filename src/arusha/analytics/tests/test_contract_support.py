"""Builders for the tests of performance contracts (no tests here).

`clearance(field)` stores two finished runs of office-level signals, with figures worked
out by hand below; `draft(field, ...)` drafts the Port office's contract for January to
April 2025 through the service.

Run A (older): HIT_RATE of KIL-PRT 5/20 in 2025-01 and 10/10 in 2025-03, 3/30 in 2024-01;
DAR-AIR 1/30 in 2025-01. RELEASE_TIME of KIL-PRT 500/20 hours in 2025-01.
Run B (newer): HIT_RATE of KIL-PRT 3/20 in 2025-02; DAR-AIR 9/30 in 2025-02 and 6/30 in
2025-03 (so March's latest run has no row for KIL-PRT); RELEASE_TIME of KIL-PRT 460/20
in 2025-02 and DAR-AIR 300/10 in 2025-02.

By hand, for KIL-PRT: hit rate 25.0 % (Jan), 15.0 % (Feb), no data (Mar: run A's 100 %
is older than run B), no data (Apr); a year before January 10.0 %. Nationally: 12.0 %
(Jan: 6/50), 24.0 % (Feb: 12/50), 20.0 % (Mar: 6/30). Release time: 25.0 h (Jan),
23.0 h (Feb); nationally 25.0 h in January and 25.3 h in February (760/30).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from tests.analytics import Field, row, run_with

from arusha.analytics.services.contracts import Term, contract_create

if TYPE_CHECKING:
    from arusha.analytics.models import Contract, Run

DAY = datetime.date
OTHER = "DAR-AIR"


def office_row(
    indicator: str, period: str, numerator: float, denominator: float, **values: Any
) -> dict[str, Any]:
    """One office-level row of the catalogue's output (office measures are never flagged)."""
    office = values.pop("office", "KIL-PRT")
    return row(
        indicator,
        "office",
        office,
        period,
        office_code=office,
        numerator=numerator,
        denominator=denominator,
        baseline=0.0,
        effect=1.0,
        p=None,
        q=None,
        flag=False,
        persistence=0,
        **values,
    )


def clearance(field: Field) -> tuple[Run, Run]:
    older = run_with(
        field,
        [
            office_row("HIT_RATE", "2025-01", 5, 20),
            office_row("HIT_RATE", "2025-03", 10, 10),
            office_row("HIT_RATE", "2024-01", 3, 30),
            office_row("HIT_RATE", "2025-01", 1, 30, office=OTHER),
            office_row("RELEASE_TIME", "2025-01", 500, 20),
        ],
    )
    newer = run_with(
        field,
        [
            office_row("HIT_RATE", "2025-02", 3, 20),
            office_row("HIT_RATE", "2025-02", 9, 30, office=OTHER),
            office_row("HIT_RATE", "2025-03", 6, 30, office=OTHER),
            office_row("RELEASE_TIME", "2025-02", 460, 20),
            office_row("RELEASE_TIME", "2025-02", 300, 10, office=OTHER),
        ],
    )
    return older, newer


def terms(*rows: tuple[str, Any, str]) -> list[Term]:
    return [Term(indicator=code, target=target, direction=direction) for code, target, direction in rows]


STANDARD = (("HIT_RATE", "20", "higher"), ("RELEASE_TIME", "24", "lower"))


def draft(field: Field, *, actor: Any = None, title: str = "Port office 2025", **values: Any) -> Contract:
    """The Port office's contract for January to April 2025: hit rate ≥ 20 %, release time ≤ 24 h."""
    given: dict[str, Any] = {
        "organization": field.organization,
        "title": title,
        "office": field.office,
        "first_month": DAY(2025, 1, 1),
        "last_month": DAY(2025, 4, 1),
        "terms": terms(*STANDARD),
        **values,
    }
    return contract_create(actor=actor or field.officer, **given)
