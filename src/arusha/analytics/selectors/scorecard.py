"""The monthly scorecard of a performance contract, and the office figures behind it.

An office's figure for one indicator and month comes from the office-level signals
(entity kind "office") of the latest finished run that computed that indicator for that
month: numerator / denominator, in the indicator's unit (times 100 for a percentage; mean
hours for release time). The national figure of the month is the sum of every office's
numerators over the sum of their denominators, in the same run. A month whose run has no
row for the office, or a row with nothing to divide, has no figure: nothing is invented.

A figure is rounded to one decimal before it is compared with the target, so that what
the page shows is what decides "on target" (higher is better: at or above the target;
lower is better: at or below it).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language, pgettext, pgettext_lazy
from django_scopes import scope

from arusha.analytics.models import Contract, ContractIndicator, Run, Signal
from arusha.analytics.vocabulary import ContractStatus, Direction, EntityKind, RunStatus, SignalStatus
from arusha.core.access import Access, policy_for
from arusha.core.models import Organization
from arusha.documents.numbers import NUMBER, Format

DECIMALS = 1
STEP = Decimal(1).scaleb(-DECIMALS)


# --- The office-level measures of the catalogue ------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """An office-level measure of the catalogue, usable in a performance contract."""

    code: str
    names: dict[str, str]
    unit: str  # "%" or "hours"
    direction: str  # which way is better: Direction.HIGHER or Direction.LOWER

    @property
    def name(self) -> str:
        language = (get_language() or "en").split("-")[0]
        return self.names.get(language) or self.names.get("en") or self.code

    @property
    def scale(self) -> Decimal:
        """The factor from numerator / denominator to the unit: 100 for a percentage."""
        return Decimal(100) if self.unit == "%" else Decimal(1)

    @property
    def is_share(self) -> bool:
        return self.unit == "%"

    @property
    def unit_label(self) -> str:
        return pgettext("unit of a measure", "hours") if self.unit == "hours" else self.unit

    @property
    def shown(self) -> Format:
        """How its figures are written: one decimal, then " %" or " hours" (templates: kpi_value)."""
        return Format(value_format=NUMBER, decimals=DECIMALS, unit=self.unit_label)

    def __str__(self) -> str:
        return self.name


def _texts(texts: Any) -> dict[str, str]:
    return {language: str(getattr(texts, language, "") or "") for language in ("en", "fr", "es")}


@cache
def _measures() -> tuple[Measure, ...]:
    # Imported on first use: the engine brings Ibis along, which the web pages need only here.
    from arusha.analytics.engine.runner import office_measures as catalogue_measures

    found = []
    for definition in catalogue_measures():
        measure = definition.measure
        if measure is None:
            continue
        found.append(
            Measure(
                code=measure.code,
                names=_texts(definition.measure_names()),
                unit=measure.unit,
                direction=Direction.HIGHER if measure.direction == "higher" else Direction.LOWER,
            )
        )
    return tuple(found)


def office_measures() -> list[Measure]:
    """The catalogue's office-level measures (release time, hit rate, value uplift, undocumented
    overrides), in the catalogue's order."""
    return list(_measures())


def measure_of(code: str) -> Measure | None:
    return next((measure for measure in _measures() if measure.code == code), None)


def measure_or_code(code: str) -> Measure:
    """The measure, or a bare one named by its code when the catalogue no longer has it."""
    return measure_of(code) or Measure(code=code, names={}, unit="", direction=Direction.HIGHER)


# --- Months ------------------------------------------------------------------------------------


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Every month from `first` to `last` (both included), as their first days."""
    months, month = [], first_of_month(first)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def period_of(month: datetime.date) -> str:
    """A month as signals name it: "YYYY-MM"."""
    return f"{month.year:04d}-{month.month:02d}"


# --- Figures from the signals ---------------------------------------------------------------


@dataclass(frozen=True)
class Amount:
    """A numerator and a denominator from the office-level signals of one run."""

    numerator: Decimal
    denominator: Decimal
    run: int
    # The catalogue said the office had too little data for its test that month.
    thin: bool = False

    def value(self, scale: Decimal) -> Decimal:
        return self.numerator / self.denominator * scale


def _decimal(value: float) -> Decimal:
    return Decimal(str(value))


def _usable() -> Q:
    return (
        Q(numerator__isnull=False, denominator__gt=0)
        & ~Q(status=SignalStatus.NOT_APPLICABLE)
        & ~Q(numerator__lt=0)
    )


def _office_rows(
    organization: Organization, codes: Iterable[str], periods: Iterable[str]
) -> QuerySet[Signal]:
    return Signal.objects.filter(
        organization=organization,
        entity_kind=EntityKind.OFFICE,
        indicator__in=sorted(set(codes)),
        period__in=sorted(set(periods)),
        run__status=RunStatus.DONE,
    )


@dataclass
class Figures:
    """Office and national amounts by (indicator, "YYYY-MM"), each from the latest run that has it."""

    office: dict[tuple[str, str], Amount] = field(default_factory=dict)
    national: dict[tuple[str, str], Amount] = field(default_factory=dict)
    runs: dict[tuple[str, str], int] = field(default_factory=dict)


def figures(
    organization: Organization, codes: Iterable[str], periods: Iterable[str], office_code: str | None
) -> Figures:
    """The amounts of `codes` in `periods`, nationally and (with `office_code`) for one office.

    For each indicator and month, the run is the latest finished one (by its end, then its
    number) with office-level rows of that indicator for that month; older runs are ignored
    for that month, even where the latest one has no row for the office.
    """
    codes, periods = list(codes), list(periods)
    found = Figures()
    if not codes or not periods:
        return found
    with scope(organization=organization):
        sums = list(
            _office_rows(organization, codes, periods)
            .values("run_id", "indicator", "period")
            .annotate(
                # Named apart from the fields: the filter must read the rows' values, not the sums.
                num=Sum("numerator", filter=_usable()),
                den=Sum("denominator", filter=_usable()),
                rows=Count("pk"),
            )
            .order_by()
        )
        ends = {
            pk: (finished or timezone.now(), pk)
            for pk, finished in Run.objects.filter(pk__in={row["run_id"] for row in sums}).values_list(
                "pk", "finished_at"
            )
        }
        for row in sums:
            key = (row["indicator"], row["period"])
            current = found.runs.get(key)
            if current is None or ends[row["run_id"]] > ends[current]:
                found.runs[key] = row["run_id"]
        for row in sums:
            key = (row["indicator"], row["period"])
            if found.runs[key] == row["run_id"] and row["den"]:
                found.national[key] = Amount(_decimal(row["num"]), _decimal(row["den"]), row["run_id"])
        if office_code is None or not found.runs:
            return found
        rows = (
            _office_rows(organization, codes, periods)
            .filter(_usable(), entity=office_code, run_id__in=set(found.runs.values()))
            .values_list("run_id", "indicator", "period", "numerator", "denominator", "status")
        )
        for run, indicator, period, numerator, denominator, status in rows:
            # _usable() leaves no empty numerator or denominator; the check tells the type checker.
            if found.runs.get((indicator, period)) == run and numerator is not None and denominator:
                found.office[(indicator, period)] = Amount(
                    _decimal(numerator),
                    _decimal(denominator),
                    run,
                    thin=status == SignalStatus.INSUFFICIENT,
                )
    return found


def pooled(amounts: Iterable[Amount | None]) -> tuple[Decimal, Decimal] | None:
    """Several months' amounts as one (numerator, denominator); None when there is none."""
    present = [amount for amount in amounts if amount is not None]
    if not present:
        return None
    return (
        sum((amount.numerator for amount in present), Decimal(0)),
        sum((amount.denominator for amount in present), Decimal(0)),
    )


# --- The scorecard ---------------------------------------------------------------------------


class TargetStatus:
    """What a month's figure says against the target: the same words and symbols everywhere."""

    ON = "on"
    OFF = "off"
    NO_DATA = "no_data"
    NOT_YET = "not_yet"

    WORDS: dict[str, str | Promise] = {
        ON: pgettext_lazy("contract scorecard", "on target"),
        OFF: pgettext_lazy("contract scorecard", "off target"),
        NO_DATA: pgettext_lazy("contract scorecard", "no data"),
        NOT_YET: pgettext_lazy("contract scorecard", "month not over"),
    }
    # Never colour alone: each status has its symbol and its word.
    SYMBOLS: dict[str, str] = {ON: "✓", OFF: "✗", NO_DATA: "–", NOT_YET: "…"}  # noqa: RUF001


def rounded(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(STEP, rounding=ROUND_HALF_UP)


def on_target(value: Decimal, target: Decimal, direction: str) -> bool:
    """Whether a (rounded) value meets the target: at or above it, or at or below it."""
    return value <= target if direction == Direction.LOWER else value >= target


@dataclass(frozen=True)
class Cell:
    """One indicator in one month: the office's figure, its target, its history and the nation's."""

    month: datetime.date
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    status: str
    previous: Decimal | None  # the month before, within the contract's period
    year_before: Decimal | None  # the same month a year before
    national: Decimal | None
    thin: bool = False

    @property
    def period(self) -> str:
        return period_of(self.month)

    @property
    def word(self) -> str:
        return str(TargetStatus.WORDS[self.status])

    @property
    def symbol(self) -> str:
        return TargetStatus.SYMBOLS[self.status]

    @property
    def change(self) -> Decimal | None:
        """The change since the month before, when both months have a figure."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


@dataclass(frozen=True)
class Line:
    """One indicator of the contract over the months of its period."""

    indicator: ContractIndicator
    measure: Measure
    cells: list[Cell]

    @property
    def on_target(self) -> int:
        return sum(1 for cell in self.cells if cell.status == TargetStatus.ON)

    @property
    def measured(self) -> int:
        return sum(1 for cell in self.cells if cell.status in (TargetStatus.ON, TargetStatus.OFF))


@dataclass(frozen=True)
class Scorecard:
    contract: Contract
    months: list[datetime.date]
    lines: list[Line]

    def by_month(self) -> list[tuple[datetime.date, list[tuple[Line, Cell]]]]:
        """The month-by-indicator table: for each month, each line with its cell of that month."""
        return [
            (month, [(line, line.cells[index]) for line in self.lines])
            for index, month in enumerate(self.months)
        ]


def contract_indicators(contract: Contract) -> list[ContractIndicator]:
    with scope(organization=contract.organization):
        return list(contract.indicators.select_related("kpi").order_by("position", "pk"))


def scorecard(contract: Contract, *, today: datetime.date | None = None) -> Scorecard:
    """Each month of the contract by each of its indicators, read from the latest finished runs."""
    today = today or timezone.localdate()
    months = months_between(contract.first_month, contract.last_month)
    indicators = contract_indicators(contract)
    codes = [item.indicator for item in indicators]
    wanted = {period_of(month) for month in months} | {period_of(add_months(m, -12)) for m in months}
    found = figures(contract.organization, codes, wanted, contract.office_code)
    current_month = first_of_month(today)
    lines = []
    for item in indicators:
        measure = measure_or_code(item.indicator)

        def value(amount: Amount | None, measure: Measure = measure) -> Decimal | None:
            return None if amount is None else rounded(amount.value(measure.scale))

        cells, previous = [], None
        for month in months:
            key = (item.indicator, period_of(month))
            amount = found.office.get(key)
            shown = value(amount)
            if shown is not None:
                status = (
                    TargetStatus.ON if on_target(shown, item.target, item.direction) else TargetStatus.OFF
                )
            else:
                status = TargetStatus.NOT_YET if month >= current_month else TargetStatus.NO_DATA
            cells.append(
                Cell(
                    month=month,
                    value=shown,
                    numerator=amount.numerator if amount else None,
                    denominator=amount.denominator if amount else None,
                    status=status,
                    previous=previous,
                    year_before=value(found.office.get((item.indicator, period_of(add_months(month, -12))))),
                    national=value(found.national.get(key)),
                    thin=bool(amount and amount.thin),
                )
            )
            previous = shown
        lines.append(Line(item, measure, cells))
    return Scorecard(contract, months, lines)


# --- Lists ------------------------------------------------------------------------------------


def contracts_visible(access: Access, organization: Organization) -> list[Contract]:
    """The organization's contracts the person may see, newest period first."""
    with scope(organization=organization):
        queryset = Contract.objects.filter(organization=organization).select_related("office")
        return list(policy_for(Contract).visible(access, queryset).annotate(lines=Count("indicators")))


def offices_with_contracts(organization: Organization) -> list[tuple[str, str]]:
    """(office code, "Office name (CODE)") of the offices with an agreed or closed contract."""
    with scope(organization=organization):
        rows = (
            Contract.objects.filter(organization=organization)
            .exclude(status=ContractStatus.DRAFT)
            .values_list("office_code", "office__name")
            .order_by("office_code")
            .distinct()
        )
        seen: dict[str, str] = {}
        for code, name in rows:
            seen.setdefault(code, f"{name} ({code})")
    return list(seen.items())


def periods_of(start: datetime.date, end: datetime.date) -> Sequence[str]:
    """The months a period touches, as signals name them ("YYYY-MM")."""
    return [period_of(month) for month in months_between(first_of_month(start), end)]
