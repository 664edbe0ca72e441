"""A Gantt chart laid out as an HTML table: names that wrap, a date axis of quarters and months.

Each row is a table row: the full name in its own column (it wraps over as many lines
as it needs), and the bar drawn as a small SVG stretched over the month columns. Being
a table, the chart breaks between rows when printed and repeats its date axis on every
page; the CSP allows no inline style, so positions live in SVG coordinates.

Across the months the scale is piecewise: every month is one column of the same
width, and a day sits within its month in proportion. The header's month cells and the
bars therefore line up exactly, whatever the length of the months.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

TODAY = "#d7301f"
GRID = "#c5ccd6"
QUARTER_GRID = "#8a94a3"
MONTH_WIDTH = 100  # SVG units per month column
ROW_HEIGHT = 40


@dataclass(frozen=True)
class State:
    """How bars of one state are drawn: a fill and an outline, so that states differ without colour too."""

    key: str
    label: str
    fill: str
    stroke: str
    dashed: bool = False

    @property
    def swatch(self) -> SafeString:
        dash = ' stroke-dasharray="4 2"' if self.dashed else ""
        return mark_safe(  # noqa: S308 - colours are our constants
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 28 14" class="gantt-swatch" '
            'aria-hidden="true">'
            f'<rect x="1" y="1" width="26" height="12" fill="{self.fill}" stroke="{self.stroke}" '
            f'stroke-width="2"{dash}/></svg>'
        )


@dataclass(frozen=True)
class Row:
    """One bar: a name, its first and last day, its state, and what to say under the name."""

    label: str
    start: datetime.date
    end: datetime.date
    state: str
    url: str = ""
    note: str = ""


@dataclass(frozen=True)
class Month:
    first: datetime.date
    label: str
    title: str
    today: bool


@dataclass(frozen=True)
class Quarter:
    label: str
    months: int
    today: bool


@dataclass(frozen=True)
class DrawnRow:
    row: Row
    state: State
    dates: str
    bar: SafeString  # see _bar


@dataclass
class Gantt:
    months: list[Month]
    quarters: list[Quarter]
    rows: list[DrawnRow]
    states: list[State]
    today: datetime.date | None
    today_shown: bool
    # Drawn once, behind every row's bar: the month lines and today's line.
    grid: SafeString


def quarter_label(day: datetime.date) -> str:
    """The calendar quarter as plans are read: "Q2 2027" (same words as planning's `quarter` filter)."""
    return _("Q%(quarter)s %(year)s") % {"quarter": (day.month - 1) // 3 + 1, "year": day.year}


def _quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def _next_month(day: datetime.date) -> datetime.date:
    return datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first days of the months from the quarter holding `first` to the end of the one holding `last`."""
    month = _quarter_start(first)
    end = _next_month(_quarter_start(last))
    end = _next_month(_next_month(end))  # the quarter's three months
    months = []
    while month < end:
        months.append(month)
        month = _next_month(month)
    return months


def position(months: Sequence[datetime.date], day: datetime.date) -> float:
    """Where a day starts across the chart, in SVG units (MONTH_WIDTH a month), clamped to the chart."""
    if day < months[0]:
        return 0.0
    index = (day.year - months[0].year) * 12 + day.month - months[0].month
    if index >= len(months):
        return float(len(months) * MONTH_WIDTH)
    length = calendar.monthrange(day.year, day.month)[1]
    return (index + (day.day - 1) / length) * MONTH_WIDTH


def _grid(months: Sequence[datetime.date], today: datetime.date | None) -> SafeString:
    """The month lines (stronger at quarters) and today's line, over the whole height of a row."""
    width = len(months) * MONTH_WIDTH
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {ROW_HEIGHT}" '
        'preserveAspectRatio="none" class="gantt-grid" aria-hidden="true">'
    ]
    for index, month in enumerate(months):
        if index:
            colour = QUARTER_GRID if month.month in (1, 4, 7, 10) else GRID
            parts.append(
                f'<line x1="{index * MONTH_WIDTH}" y1="0" x2="{index * MONTH_WIDTH}" y2="{ROW_HEIGHT}" '
                f'stroke="{colour}" stroke-width="1" vector-effect="non-scaling-stroke"/>'
            )
    if today is not None and months[0] <= today < _next_month(months[-1]):
        x = position(months, today)
        parts.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{ROW_HEIGHT}" stroke="{TODAY}" stroke-width="2" '
            'vector-effect="non-scaling-stroke"/>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - numbers and constants only


def _bar(months: Sequence[datetime.date], row: Row, state: State, title: str) -> SafeString:
    """The bar alone, level with the first line of the name; its title says the dates and the state."""
    width = len(months) * MONTH_WIDTH
    start = position(months, row.start)
    end = max(position(months, row.end + datetime.timedelta(days=1)), start + 4)
    dash = ' stroke-dasharray="4 2"' if state.dashed else ""
    return mark_safe(  # noqa: S308 - the title is escaped, the rest is numbers and constants
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {ROW_HEIGHT}" '
        f'preserveAspectRatio="none" role="img" class="gantt-bar"><title>{escape(title)}</title>'
        f'<rect x="{start:.1f}" y="2" width="{end - start:.1f}" height="{ROW_HEIGHT - 4}" '
        f'fill="{state.fill}" stroke="{state.stroke}" stroke-width="2" '
        f'vector-effect="non-scaling-stroke"{dash}/></svg>'
    )


def gantt(
    rows: Sequence[Row],
    *,
    first: datetime.date,
    last: datetime.date,
    states: Sequence[State],
    today: datetime.date | None = None,
) -> Gantt:
    """The chart of these rows over whole quarters from `first` to `last` (widened to hold every row)."""
    if rows:
        first = min(first, *(r.start for r in rows))
        last = max(last, *(r.end for r in rows))
    months = months_between(first, last)
    in_chart = today is not None and months[0] <= today < _next_month(months[-1])
    # Many months leave little room for names: three letters, then one, then the quarters alone.
    count = len(months)
    cells = []
    for month in months:
        name = date_format(month, "M")
        label = name if count <= 24 else (name[:1] if count <= 48 else "")
        here = in_chart and today is not None and (month.year, month.month) == (today.year, today.month)
        cells.append(Month(month, label, date_format(month, "F Y"), here))
    quarters = [
        Quarter(
            quarter_label(month),
            3,
            in_chart and today is not None and _quarter_start(today) == month,
        )
        for month in months[::3]
    ]
    by_key = {s.key: s for s in states}
    drawn = []
    for row in rows:
        state = by_key[row.state]
        dates = f"{date_format(row.start)} \N{EN DASH} {date_format(row.end)}"
        drawn.append(DrawnRow(row, state, dates, _bar(months, row, state, f"{dates}: {state.label}")))
    return Gantt(cells, quarters, drawn, list(states), today, in_chart, _grid(months, today))
