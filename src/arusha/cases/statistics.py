"""Case statistics, read from the de-identified records closed cases leave (CaseRecord) only.

Nothing here opens a case: a record holds a channel kind, a category code, a key factor,
an office, months, an outcome and counts (services/records.py writes it when a case
closes, and it survives the case's purge). Every figure is over the records whose month
of closing falls in the period asked.

Small cells (docs/cases-statistics.md): a count below the organization's smallest cell
(CaseSettings.minimum_cell) is shown as "fewer than N"; a rate, a mean or a median on a
base below it is not shown, nor a rate whose numerator is below it (the rate would give
the hidden count away); and when exactly one count of a table is hidden, the next
smallest is hidden too, so that the table's total minus the others does not give it back.
"""

from __future__ import annotations

import datetime
import statistics as pystats
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django_scopes import scope

from arusha.cases.models import CaseRecord, Category, ChannelKind, SanctionKind
from arusha.cases.services.intake import case_settings
from arusha.core.models import Organization

COUNT = "count"
PERCENT = "percent"
DAYS = "days"
AMOUNT = "amount"
EMPTY = "empty"

_TENTH = Decimal("0.1")
_CENT = Decimal("0.01")


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def minimum_of(organization: Organization) -> int:
    """The smallest count shown; 1 (or 0) shows every count."""
    return max(int(case_settings(organization).minimum_cell), 1)


# ---------------------------------------------------------------- period


@dataclass(frozen=True)
class Period:
    """Months of closing, both included; None leaves that side open."""

    start: datetime.date | None = None
    end: datetime.date | None = None

    def label(self) -> str:
        def month(day: datetime.date) -> str:
            return date_format(day, "YEAR_MONTH_FORMAT")

        if self.start and self.end:
            return _("%(start)s to %(end)s") % {"start": month(self.start), "end": month(self.end)}
        if self.start:
            return _("since %(start)s") % {"start": month(self.start)}
        if self.end:
            return _("until %(end)s") % {"end": month(self.end)}
        return _("every month")


def records_of(organization: Organization, period: Period) -> list[dict[str, Any]]:
    """The records of cases closed in the period, as plain values (never a case)."""
    with scope(organization=organization):
        rows = CaseRecord.objects.filter(organization=organization)
        if period.start is not None:
            rows = rows.filter(closed_month__gte=month_of(period.start))
        if period.end is not None:
            rows = rows.filter(closed_month__lte=month_of(period.end))
        return [
            dict(row)
            for row in rows.values(
                "channel_kind",
                "category",
                "factor",
                "office_id",
                "office__name",
                "closed_month",
                "outcome",
                "acknowledged_in_time",
                "feedback_in_time",
                "days_to_decision",
                "allegations",
                "substantiated",
                "sanctions",
                "amount_recovered",
                "reopened",
                "overrides",
            )
        ]


# ---------------------------------------------------------------- counts


@dataclass(frozen=True)
class Counts:
    """The raw aggregates of a set of records. Never shown as they are: see the cells below."""

    cases: int
    acknowledged: int
    feedback: int
    decision_days: tuple[int, ...]
    allegations: int
    substantiated: int
    cases_with_allegations: int
    cases_substantiated: int
    recovered: Decimal
    cases_recovered: int
    cases_reopened: int
    overrides: int
    cases_with_overrides: int


def counts_of(records: Sequence[Mapping[str, Any]]) -> Counts:
    return Counts(
        cases=len(records),
        acknowledged=sum(1 for r in records if r["acknowledged_in_time"]),
        feedback=sum(1 for r in records if r["feedback_in_time"]),
        decision_days=tuple(int(r["days_to_decision"]) for r in records if r["days_to_decision"] is not None),
        allegations=sum(int(r["allegations"]) for r in records),
        substantiated=sum(int(r["substantiated"]) for r in records),
        cases_with_allegations=sum(1 for r in records if r["allegations"]),
        cases_substantiated=sum(1 for r in records if r["substantiated"]),
        recovered=sum((Decimal(r["amount_recovered"] or 0) for r in records), Decimal(0)),
        cases_recovered=sum(1 for r in records if r["amount_recovered"]),
        cases_reopened=sum(1 for r in records if r["reopened"]),
        overrides=sum(int(r["overrides"]) for r in records),
        cases_with_overrides=sum(1 for r in records if r["overrides"]),
    )


def count_hidden(count: int, minimum: int) -> bool:
    return 0 < count < minimum


def rate_hidden(numerator: int, denominator: int, minimum: int) -> bool:
    """A rate on a small base is not shown, nor one whose numerator is a hidden count."""
    return denominator < minimum or count_hidden(numerator, minimum)


def percent(numerator: int, denominator: int) -> Decimal:
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(_TENTH, ROUND_HALF_UP)


def median_days(days: Sequence[int]) -> Decimal:
    return Decimal(str(pystats.median(days))).quantize(_TENTH, ROUND_HALF_UP)


def mean_days(days: Sequence[int]) -> Decimal:
    return (Decimal(sum(days)) / Decimal(len(days))).quantize(_TENTH, ROUND_HALF_UP)


def suppressed(counts: Sequence[int], minimum: int) -> list[bool]:
    """Which counts of one table to hide: the small ones, and one more when only one is small.

    With a single hidden count, the total minus the shown counts would give it back; the
    next smallest shown count is hidden with it.
    """
    hidden = [count_hidden(n, minimum) for n in counts]
    if sum(hidden) == 1:
        shown = [i for i, n in enumerate(counts) if not hidden[i] and n > 0]
        if shown:
            hidden[min(shown, key=lambda i: counts[i])] = True
    return hidden


# ---------------------------------------------------------------- cells and tables


@dataclass(frozen=True)
class Cell:
    """A figure as the page and the exports show it; `value` is None when it is not shown."""

    kind: str
    value: int | Decimal | None
    # Set when the value is not shown because it is small: the smallest count shown.
    minimum: int = 0

    @property
    def hidden(self) -> bool:
        return self.value is None and self.minimum > 0

    def text(self) -> str:
        if self.kind == EMPTY:
            return ""
        if self.value is None:
            if not self.minimum:
                return "—"
            if self.kind == COUNT:
                return _("fewer than %(minimum)d") % {"minimum": self.minimum}
            return _("not shown (fewer than %(minimum)d)") % {"minimum": self.minimum}
        if self.kind == PERCENT:
            return f"{number_format(self.value, 1)} %"
        if self.kind == DAYS:
            return str(number_format(self.value, 1))
        if self.kind == AMOUNT:
            return str(number_format(self.value, 2, force_grouping=True))
        return str(number_format(self.value, force_grouping=True))

    def export(self) -> int | Decimal | str:
        """The value for a spreadsheet: a number when shown, else the same words as the page."""
        if self.value is not None and self.kind != EMPTY:
            return self.value
        return self.text()


def count_cell(count: int, minimum: int) -> Cell:
    if count_hidden(count, minimum):
        return Cell(COUNT, None, minimum)
    return Cell(COUNT, count)


def rate_cell(numerator: int, denominator: int, minimum: int) -> Cell:
    if denominator == 0:
        return Cell(PERCENT, None)
    if rate_hidden(numerator, denominator, minimum):
        return Cell(PERCENT, None, minimum)
    return Cell(PERCENT, percent(numerator, denominator))


def days_cell(days: Sequence[int], minimum: int, *, median: bool) -> Cell:
    if not days:
        return Cell(DAYS, None)
    if len(days) < minimum:
        return Cell(DAYS, None, minimum)
    return Cell(DAYS, median_days(days) if median else mean_days(days))


def amount_cell(amount: Decimal, contributors: int, minimum: int) -> Cell:
    """A sum over a few cases gives each case's amount away: hidden like a small count."""
    if count_hidden(contributors, minimum):
        return Cell(AMOUNT, None, minimum)
    return Cell(AMOUNT, amount.quantize(_CENT, ROUND_HALF_UP))


BLANK = Cell(EMPTY, None)


@dataclass(frozen=True)
class Row:
    label: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    # The header of the label column, then of each cell column.
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    total: Row | None = None


def volume_table(
    key: str,
    title: str,
    heading: str,
    counts: Iterable[tuple[str, int]],
    total: int,
    minimum: int,
    *,
    counted: str = "",
) -> Table:
    """One count per row, with the table's total; small counts hidden as the module says."""
    pairs = list(counts)
    hidden = suppressed([n for _label, n in pairs], minimum)
    rows = tuple(
        Row(label, (Cell(COUNT, None, minimum) if hide else Cell(COUNT, n),))
        for (label, n), hide in zip(pairs, hidden, strict=True)
    )
    columns = (heading, counted or _("Cases"))
    return Table(key, title, columns, rows, Row(_("All"), (count_cell(total, minimum),)))


# ---------------------------------------------------------------- the page's figures


def outcome_labels() -> dict[str, str]:
    """How a closed case ended (services.workflow.outcome_of), in the reader's language."""
    return {
        "not_admissible": _("Not admissible"),
        "redirected": _("Redirected"),
        "resolved": _("Resolved without finding"),
        "unsubstantiated": _("Not substantiated"),
        "substantiated": _("Substantiated"),
    }


def _label(choices: type[ChannelKind] | type[SanctionKind], value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def summary_table(counts: Counts, minimum: int) -> Table:
    c, m = counts, minimum
    rows = (
        Row(_("Cases closed"), (count_cell(c.cases, m), BLANK)),
        Row(_("Acknowledged in time"), (rate_cell(c.acknowledged, c.cases, m), count_cell(c.cases, m))),
        Row(_("Feedback given in time"), (rate_cell(c.feedback, c.cases, m), count_cell(c.cases, m))),
        Row(
            _("Median days from receipt to decision"),
            (days_cell(c.decision_days, m, median=True), count_cell(len(c.decision_days), m)),
        ),
        Row(
            _("Mean days from receipt to decision"),
            (days_cell(c.decision_days, m, median=False), count_cell(len(c.decision_days), m)),
        ),
        Row(_("Allegations decided"), (count_cell(c.allegations, m), BLANK)),
        Row(_("Allegations substantiated"), (count_cell(c.substantiated, m), BLANK)),
        Row(
            _("Substantiation rate (allegations)"),
            (rate_cell(c.substantiated, c.allegations, m), count_cell(c.allegations, m)),
        ),
        Row(
            _("Cases with at least one substantiated allegation"),
            (count_cell(c.cases_substantiated, m), BLANK),
        ),
        Row(
            _("Share of investigated cases with a substantiated allegation"),
            (
                rate_cell(c.cases_substantiated, c.cases_with_allegations, m),
                count_cell(c.cases_with_allegations, m),
            ),
        ),
        Row(_("Amount recovered"), (amount_cell(c.recovered, c.cases_recovered, m), BLANK)),
        Row(_("Reopen rate"), (rate_cell(c.cases_reopened, c.cases, m), count_cell(c.cases, m))),
        Row(_("Conflict-of-interest overrides"), (count_cell(c.overrides, m), BLANK)),
        Row(_("Cases with a conflict-of-interest override"), (count_cell(c.cases_with_overrides, m), BLANK)),
    )
    return Table("summary", _("Key figures"), (_("Figure"), _("Value"), _("Out of")), rows)


def _grouped(records: Sequence[Mapping[str, Any]], key: str) -> Counter[Any]:
    return Counter(r[key] for r in records)


def _tables(organization: Organization, records: Sequence[Mapping[str, Any]], minimum: int) -> list[Table]:
    total = len(records)
    with scope(organization=organization):
        category_names = dict(Category.objects.filter(organization=organization).values_list("code", "name"))
    by_channel = _grouped(records, "channel_kind")
    by_category = _grouped(records, "category")
    by_factor = _grouped(records, "factor")
    by_office = Counter((r["office_id"], r["office__name"]) for r in records)
    by_month = _grouped(records, "closed_month")
    by_outcome = _grouped(records, "outcome")
    sanctions: Counter[str] = Counter()
    for record in records:
        for kind, number in (record["sanctions"] or {}).items():
            if isinstance(number, int) and number > 0:
                sanctions[str(kind)] += number

    def by_label(pairs: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
        # By name, never by size: the order must not rank the hidden counts.
        return sorted(pairs, key=lambda pair: pair[0].casefold())

    outcomes = outcome_labels()
    return [
        volume_table(
            "channel",
            _("Cases by channel"),
            _("Channel"),
            by_label((_label(ChannelKind, kind), n) for kind, n in by_channel.items()),
            total,
            minimum,
        ),
        volume_table(
            "category",
            _("Cases by category"),
            _("Category"),
            by_label(
                (category_names.get(code, code) if code else _("No category"), n)
                for code, n in by_category.items()
            ),
            total,
            minimum,
        ),
        volume_table(
            "factor",
            _("Cases by key factor"),
            _("Key factor"),
            by_label((code or _("No key factor"), n) for code, n in by_factor.items()),
            total,
            minimum,
        ),
        volume_table(
            "office",
            _("Cases by office"),
            _("Office"),
            by_label((name or _("No office"), n) for (_pk, name), n in by_office.items()),
            total,
            minimum,
        ),
        volume_table(
            "month",
            _("Cases by month of closing"),
            _("Month"),
            [(date_format(month, "YEAR_MONTH_FORMAT"), by_month[month]) for month in sorted(by_month)],
            total,
            minimum,
        ),
        volume_table(
            "outcome",
            _("Cases by outcome"),
            _("Outcome"),
            by_label((outcomes.get(code, code), n) for code, n in by_outcome.items()),
            total,
            minimum,
        ),
        volume_table(
            "sanctions",
            _("Sanctions by kind"),
            _("Sanction"),
            by_label((_label(SanctionKind, kind), n) for kind, n in sanctions.items()),
            sum(sanctions.values()),
            minimum,
            counted=_("Sanctions"),
        ),
    ]


@dataclass(frozen=True)
class Statistics:
    organization: Organization
    period: Period
    minimum: int
    summary: Table
    tables: tuple[Table, ...]
    empty: bool


def statistics_of(organization: Organization, period: Period) -> Statistics:
    """Every table of the statistics page and its exports, small cells already hidden."""
    minimum = minimum_of(organization)
    records = records_of(organization, period)
    return Statistics(
        organization=organization,
        period=period,
        minimum=minimum,
        summary=summary_table(counts_of(records), minimum),
        tables=tuple(_tables(organization, records, minimum)),
        empty=not records,
    )


def export_rows(stats: Statistics) -> list[list[Any]]:
    """The page's tables, one block after another, for the CSV and XLSX exports (metadata only)."""
    rows: list[list[Any]] = [
        [_("Period"), stats.period.label()],
        [_("Smallest count shown"), stats.minimum],
        [
            _(
                "Counts below it read “fewer than %(minimum)d”; "
                "rates, means and medians on such a base are hidden."
            )
            % {"minimum": stats.minimum}
        ],
    ]
    for table in (stats.summary, *stats.tables):
        rows.append([])
        rows.append([table.title])
        rows.append(list(table.columns))
        for row in (*table.rows, *([table.total] if table.total else [])):
            rows.append([row.label, *(cell.export() for cell in row.cells)])
    return rows


def export_xlsx(stats: Statistics) -> bytes:
    """The export as a workbook: every cell through core.spreadsheets, so none is a formula."""
    import io

    from openpyxl import Workbook

    from arusha.core.spreadsheets import append

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "".join(ch for ch in _("Case statistics") if ch not in "[]:*?/\\")[:31] or "Statistics"
    append(sheet, [_("Case statistics"), stats.organization.name])
    for row in export_rows(stats):
        append(sheet, row)
    sheet.column_dimensions["A"].width = 60
    for column in ("B", "C"):
        sheet.column_dimensions[column].width = 22
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
