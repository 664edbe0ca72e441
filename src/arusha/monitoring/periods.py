"""Reporting periods: calendar months, quarters, halves or years, clipped to the plan's period."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from arusha.planning.kpis import Periodicity

MONTHS_PER_PERIOD = {
    Periodicity.MONTHLY: 1,
    Periodicity.QUARTERLY: 3,
    Periodicity.HALF_YEARLY: 6,
    Periodicity.YEARLY: 12,
}
# More periods than this means a mistyped plan period, not a real plan.
MAX_PERIODS = 240


@dataclass(frozen=True)
class Span:
    label: str
    start: datetime.date
    end: datetime.date


def _month_start(year: int, month: int) -> datetime.date:
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return datetime.date(year, month, 1)


def _label(frequency: str, start: datetime.date) -> str:
    if frequency == Periodicity.MONTHLY:
        return f"{start:%Y-%m}"
    if frequency == Periodicity.QUARTERLY:
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    if frequency == Periodicity.HALF_YEARLY:
        return f"{start.year} H{(start.month - 1) // 6 + 1}"
    return str(start.year)


def spans(frequency: str, first: datetime.date, last: datetime.date) -> list[Span]:
    """The calendar periods that cover `first`..`last`, the first and last ones clipped."""
    step = MONTHS_PER_PERIOD[Periodicity(frequency)]
    # The calendar period that holds `first`: months are counted from January.
    month = (first.month - 1) // step * step + 1
    start = datetime.date(first.year, month, 1)
    result: list[Span] = []
    while start <= last and len(result) < MAX_PERIODS:
        following = _month_start(start.year, start.month + step)
        end = following - datetime.timedelta(days=1)
        result.append(Span(_label(frequency, start), max(start, first), min(end, last)))
        start = following
    return result
