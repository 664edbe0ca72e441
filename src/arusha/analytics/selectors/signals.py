"""Reading risk signals as one person may: the dashboard, the lists, a signal's page.

Every query starts from `visible_signals`, which asks SignalPolicy: a holder of
`analytics.people.view` sees every signal; an office reader (`analytics.office.view`, or
a grant on one office's division) sees the rows about offices and trade flows only, and
with a grant only those of their office: officers, brokers, traders (a trader may be a
sole trader) and broker-officer pairs are people (vocabulary.PERSONAL_KINDS). The lists,
the dashboard, the exports and the review counts all go through it, so nobody sees in a
count what they could not open.

Reading a list page that shows signals about people is audited once per page shown
(`audit_list_read`): one "read" event on the run, naming the signals on the page, the
page number and the filters. An explanation page is audited by its view's policy
(arusha.core.policies.on_object).
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django_scopes import scope

from arusha.analytics import storage
from arusha.analytics.access import is_personal
from arusha.analytics.models import Review, Run, Signal
from arusha.analytics.selectors.indicators import IndicatorText, in_composite, indicator_text, stratum_shown
from arusha.analytics.selectors.signal_details import Cell, Column, Detail, details_of, example_table
from arusha.analytics.vocabulary import PERSONAL_KINDS, EntityKind, ReviewStatus, RunStatus
from arusha.core.access import Access, policy_for
from arusha.core.audit import audit_record
from arusha.core.models import Organization, User

# How many months of an office's history the dashboard shows beside each indicator.
TREND_MONTHS = 6
EXAMPLES = 10


# --- Runs ------------------------------------------------------------------------------------


def finished_runs(access: Access, organization: Organization) -> list[Run]:
    """The finished runs the person may read, newest first."""
    with scope(organization=organization):
        runs = Run.objects.filter(organization=organization, status=RunStatus.DONE)
        visible = policy_for(Run).visible(access, runs).select_related("dataset")
        return list(visible.order_by("-finished_at", "-pk"))


def run_chosen(runs: Sequence[Run], wanted: Any) -> Run | None:
    """The run asked for by its id among `runs`, else the latest; None when there is none."""
    if not runs:
        return None
    text = str(wanted or "")
    if text.isdigit() and len(text) < 19:
        for run in runs:
            if run.pk == int(text):
                return run
    return runs[0]


# --- Visibility -----------------------------------------------------------------------------


def visible_signals(access: Access, run: Run) -> QuerySet[Signal]:
    """The run's signals the person may see (SignalPolicy)."""
    with scope(organization=run.organization):
        return policy_for(Signal).visible(access, Signal.objects.filter(run=run))


def sees_people(access: Access) -> bool:
    """Whether the person may see signals about people: officers, brokers, traders and pairs."""
    return policy_for(Signal).actions["view"] in access.permissions


def visible_kinds(access: Access) -> list[tuple[str, str]]:
    """The entity kinds the person may filter on, as (value, label)."""
    people = sees_people(access)
    return [
        (value, str(label)) for value, label in EntityKind.choices if people or value not in PERSONAL_KINDS
    ]


@dataclass(frozen=True)
class SignalFilters:
    """A list's filters; the export takes the same ones. Empty means any."""

    indicator: str = ""
    entity_kind: str = ""
    period: str = ""
    office: str = ""
    flagged: bool = False
    review: str = ""  # a ReviewStatus, or "" for any (with or without a review)

    def query(self) -> list[tuple[str, str]]:
        """The filters as query-string pairs, for links that keep them (pages, exports)."""
        pairs = [
            ("indicator", self.indicator),
            ("entity_kind", self.entity_kind),
            ("period", self.period),
            ("office", self.office),
            ("flagged", "on" if self.flagged else ""),
            ("review", self.review),
        ]
        return [(name, value) for name, value in pairs if value]

    def described(self) -> dict[str, str]:
        return dict(self.query())


def signals_filtered(access: Access, run: Run, filters: SignalFilters) -> QuerySet[Signal]:
    """The run's visible signals that match `filters`: flags first, then by q, indicator, period."""
    rows = visible_signals(access, run)
    if filters.indicator:
        rows = rows.filter(indicator=filters.indicator)
    if filters.entity_kind:
        rows = rows.filter(entity_kind=filters.entity_kind)
    if filters.period:
        rows = rows.filter(period=filters.period)
    if filters.office:
        rows = rows.filter(office_code=filters.office)
    if filters.flagged:
        rows = rows.filter(flag=True)
    if filters.review in ReviewStatus.values:
        rows = rows.filter(review__status=filters.review)
    return rows.select_related("review").order_by(
        "-flag", F("q").asc(nulls_last=True), "indicator", "period", "entity", "pk"
    )


@dataclass(frozen=True)
class RunChoices:
    """What a run's lists can be filtered on, among the signals the person may see."""

    offices: list[str]
    periods: list[str]
    indicators: list[str]


def run_choices(access: Access, run: Run) -> RunChoices:
    rows = visible_signals(access, run).order_by()
    with scope(organization=run.organization):
        offices = sorted({code for code in rows.values_list("office_code", flat=True).distinct() if code})
        periods = sorted(set(rows.values_list("period", flat=True).distinct()))
        indicators = sorted(set(rows.values_list("indicator", flat=True).distinct()))
    return RunChoices(offices=offices, periods=periods, indicators=indicators)


def audit_list_read(
    *, actor: User, run: Run, shown: Iterable[Signal], page: int, filters: SignalFilters
) -> bool:
    """Record one read of a list page when it shows signals about people; whether it did.

    People are the PERSONAL_KINDS: officers, brokers, traders and broker-officer pairs.

    One event per page shown, on the run, in the audit chain's "read" action (so that it
    reads as a read and never as the run's last change), naming the signals the page
    showed: an auditor can tell who saw which pseudonyms, and when.
    """
    personal = [signal.pk for signal in shown if is_personal(signal.entity_kind)]
    if not personal:
        return False
    with scope(organization=run.organization):
        audit_record(
            actor=actor,
            action="arusha.object.read",
            obj=run,
            organization=run.organization,
            changes={
                "signals": [None, personal],
                "page": [None, page],
                "filters": [None, filters.described()],
            },
        )
    return True


# --- The dashboard ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    period: str
    value: float | None
    flag: bool


@dataclass(frozen=True)
class DashboardRow:
    indicator: IndicatorText
    signal: Signal
    value: float | None
    trend: list[TrendPoint]


@dataclass
class Dashboard:
    run: Run
    office: str
    period: str
    offices: list[str]
    periods: list[str]
    rows: list[DashboardRow]
    # Reviews of the office's signals the person may see, by status (every period of the run).
    reviews: dict[str, int] = field(default_factory=dict)
    # Flagged signals of the office and period the person may see, by entity kind.
    flagged: dict[str, int] = field(default_factory=dict)

    @property
    def open_reviews(self) -> int:
        return self.reviews.get(ReviewStatus.OPEN, 0) + self.reviews.get(ReviewStatus.EXPLAINED, 0)


def office_value(signal: Signal, text: IndicatorText) -> float | None:
    """The office-level value: numerator / denominator in the measure's unit (None without a denominator)."""
    if signal.numerator is None or not signal.denominator:
        return None
    return signal.numerator / signal.denominator * text.scale


def _previous_periods(period: str, months: int) -> list[str]:
    try:
        year, month = (int(part) for part in period.split("-"))
        datetime.date(year, month, 1)
    except ValueError:
        return [period]
    found = []
    for _step in range(months):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return sorted(found)


def dashboard(access: Access, run: Run, office: str, period: str) -> Dashboard:
    """The office's indicators for the period, each with the office's last months beside it."""
    choices = run_choices(access, run)
    offices, periods = choices.offices, choices.periods
    office = office if office in offices else (offices[0] if offices else "")
    period = period if period in periods else (periods[-1] if periods else "")
    board = Dashboard(run=run, office=office, period=period, offices=offices, periods=periods, rows=[])
    if not office or not period:
        return board
    visible = visible_signals(access, run)
    window = _previous_periods(period, TREND_MONTHS)
    with scope(organization=run.organization):
        own = list(
            visible.filter(entity_kind=EntityKind.OFFICE, entity=office, period__in=window).order_by(
                "indicator", "period"
            )
        )
        board.reviews = dict(
            Review.objects.filter(signal__in=visible.filter(office_code=office).values("pk"))
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        board.flagged = dict(
            visible.filter(office_code=office, period=period, flag=True)
            .order_by()
            .values_list("entity_kind")
            .annotate(n=Count("pk"))
            .values_list("entity_kind", "n")
        )
    by_indicator: dict[str, list[Signal]] = {}
    for signal in own:
        by_indicator.setdefault(signal.indicator, []).append(signal)
    for code, history in by_indicator.items():
        current = next((s for s in history if s.period == period), None)
        if current is None:
            continue
        text = indicator_text(code)
        trend = [TrendPoint(s.period, office_value(s, text), s.flag) for s in history]
        board.rows.append(DashboardRow(text, current, office_value(current, text), trend))
    board.rows.sort(key=lambda row: (not row.signal.flag, row.indicator.name))
    return board


# --- One signal ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OtherIndicator:
    indicator: IndicatorText
    signal: Signal
    in_composite: bool


@dataclass(frozen=True)
class CompositePart:
    indicator: IndicatorText
    via: str  # the entity kind of the signals it comes from: the entity's own, or "pair"
    q: float | None
    effect: float | None
    evidence: float
    counts: bool


@dataclass(frozen=True)
class Composite:
    """An entity's composite score for a period (engine/stats.py), never shown without its breakdown."""

    score: float
    parts: list[CompositePart]


@dataclass
class SignalPage:
    signal: Signal
    indicator: IndicatorText
    history: list[Signal]
    others: list[OtherIndicator]
    composite: Composite | None
    review: Review | None
    stratum: str
    # The catalogue's other figures for the signal, labelled (selectors.signal_details).
    details: list[Detail]


COMPOSITE_KINDS = (EntityKind.OFFICER, EntityKind.BROKER, EntityKind.TRADER)
_COLUMNS = ("indicator", "entity_kind", "entity", "period", "q", "effect", "flag")


def composite_of(visible: QuerySet[Signal], signal: Signal) -> Composite | None:
    """The composite score of the signal's officer, broker or trader for its period, with its parts.

    Computed by the catalogue's own rule (engine.stats.composite) from the flagged signals
    the person may see: the entity's own and those of the pairs it belongs to. None for
    offices, pairs and flows, and for an entity with no flag in the period.
    """
    if signal.entity_kind not in COMPOSITE_KINDS:
        return None
    import pandas

    from arusha.analytics.engine.stats import composite

    entity = signal.entity
    mine = Q(entity_kind=signal.entity_kind, entity=entity)
    if signal.entity_kind != EntityKind.TRADER:
        mine |= Q(entity_kind=EntityKind.PAIR) & (
            Q(entity__startswith=f"{entity}|") | Q(entity__endswith=f"|{entity}")
        )
    with scope(organization=signal.organization):
        rows = list(visible.filter(mine, period=signal.period, flag=True).values_list(*_COLUMNS))
    if not rows:
        return None
    scores = composite(pandas.DataFrame(rows, columns=list(_COLUMNS)), period=signal.period)
    found = next((s for s in scores if s.entity_kind == signal.entity_kind and s.entity == entity), None)
    if found is None:
        return None
    parts = [
        CompositePart(indicator_text(p.indicator), p.via, p.q, p.effect, p.evidence, p.counts)
        for p in found.parts
    ]
    return Composite(score=found.score, parts=parts)


def signal_page(access: Access, signal: Signal) -> SignalPage:
    """Everything the explanation page shows about one signal the person may see."""
    visible = visible_signals(access, signal.run)
    with scope(organization=signal.organization):
        history = list(
            visible.filter(
                indicator=signal.indicator, entity_kind=signal.entity_kind, entity=signal.entity
            ).order_by("period")
        )
        same_entity = list(
            visible.filter(entity_kind=signal.entity_kind, entity=signal.entity, period=signal.period)
            .exclude(pk=signal.pk)
            .order_by("indicator")
        )
        review = Review.objects.filter(signal=signal).select_related("reviewer").first()
    parts = [OtherIndicator(indicator_text(s.indicator), s, in_composite(s.indicator)) for s in same_entity]
    details = signal.details if isinstance(signal.details, dict) else {}
    text = indicator_text(signal.indicator)
    return SignalPage(
        signal=signal,
        indicator=text,
        history=history,
        others=parts,
        composite=composite_of(visible, signal),
        review=review,
        # A row without a stratum of its own (an office measure) compares with the catalogue's.
        stratum=stratum_shown(signal.indicator, str(details.get("stratum", "") or "")) or text.strata,
        details=details_of(details, text),
    )


def examples_of(signal: Signal, limit: int = EXAMPLES) -> tuple[list[Column], list[list[Cell]], bool]:
    """Example declarations behind the signal, from the dataset's files: (columns, rows, found).

    Columns carry a label in the reader's language and the way their values are written
    (selectors.signal_details). `found` is False when the dataset's files cannot be read
    any more (moved, deleted, or the engine is not installed): the page then says so
    rather than failing.
    """
    try:
        from arusha.analytics.engine.examples import examples
    except ImportError:
        return [], [], False
    folder = storage.dataset_folder(signal.run.dataset)
    if not folder.is_dir():
        return [], [], False
    try:
        found = examples(
            folder, signal.indicator, signal.entity, signal.period, limit, entity_kind=signal.entity_kind
        )
    except Exception:  # the files are outside the database: a damaged one must not fail the page
        return [], [], False
    columns, rows = example_table(found)
    return columns, rows, True


# --- Review outcomes -------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    indicator: IndicatorText
    open: int
    explained: int
    closed: int
    referred: int

    @property
    def decided(self) -> int:
        return self.closed + self.referred


def review_outcomes(access: Access, organization: Organization) -> list[Outcome]:
    """Per indicator, how the reviews of the signals the person may see stand, over every run.

    Kept to recalibrate the thresholds: an indicator whose reviews mostly close with no
    issue flags too easily.
    """
    with scope(organization=organization):
        signals = policy_for(Signal).visible(access, Signal.objects.filter(organization=organization))
        counted = (
            Review.objects.filter(organization=organization, signal__in=signals.values("pk"))
            .values_list("signal__indicator", "status")
            .annotate(n=Count("pk"))
            .order_by()
        )
        tally: dict[str, Counter[str]] = {}
        for indicator, status, n in counted:
            tally.setdefault(str(indicator), Counter())[str(status)] += int(n)
    return [
        Outcome(
            indicator_text(code),
            open=tally[code][ReviewStatus.OPEN],
            explained=tally[code][ReviewStatus.EXPLAINED],
            closed=tally[code][ReviewStatus.CLOSED],
            referred=tally[code][ReviewStatus.REFERRED],
        )
        for code in sorted(tally)
    ]


def personal_q() -> Q:
    """Signals about people, as a filter."""
    return Q(entity_kind__in=sorted(PERSONAL_KINDS))
