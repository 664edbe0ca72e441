"""Reads of monitoring, evaluation and review, each in a bounded number of queries."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

from django.db import models
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import scope

from arusha.core.models import Organization, User
from arusha.monitoring.models import (
    ActivityStatus,
    Alert,
    CarryOver,
    Cycle,
    Evaluation,
    FollowUp,
    GapEntry,
    Measurement,
    Meeting,
    MonitoringSetup,
    MonitoringTask,
    ProgressReport,
    ReportingPeriod,
    ReviewIndicator,
)
from arusha.planning import selectors as planning_selectors
from arusha.planning.kpis import Direction

if TYPE_CHECKING:
    from arusha.planning.models import ActionPlan, Activity, Kpi, KpiTarget, Objective

T = TypeVar("T", bound=models.Model)

# "Closer to the target is better": further than this share of the target is off target.
TARGET_TOLERANCE = Decimal("0.10")


class State:
    """Where an activity stands on the dashboard, from its latest report and its due date."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    LATE = "late"
    DONE = "done"
    ORDER = (ON_TRACK, AT_RISK, LATE, DONE)
    LABELS = {
        ON_TRACK: _("On track"),
        AT_RISK: _("At risk"),
        LATE: _("Late"),
        DONE: pgettext_lazy("activity state", "Done"),
    }


def state_of(status: str | None, due: datetime.date | None, today: datetime.date) -> str:
    """Done when reported done; late when past due or reported delayed; at risk when reported so."""
    if status == ActivityStatus.DONE:
        return State.DONE
    if status == ActivityStatus.DELAYED or (due is not None and due < today):
        return State.LATE
    if status == ActivityStatus.AT_RISK:
        return State.AT_RISK
    return State.ON_TRACK


def _one(plan: ActionPlan, query: Callable[[], QuerySet[T]]) -> T:
    """The one row the query finds inside the plan's organization, or 404."""
    with scope(organization=plan.organization):
        found = query().first()
    if found is None:
        raise Http404
    return found


def setup_of(plan: ActionPlan) -> MonitoringSetup | None:
    with scope(organization=plan.organization):
        return MonitoringSetup.objects.filter(plan=plan).select_related("coordinator").first()


def periods_of(plan: ActionPlan) -> list[ReportingPeriod]:
    with scope(organization=plan.organization):
        return list(ReportingPeriod.objects.filter(plan=plan))


def period_get(plan: ActionPlan, pk: int) -> ReportingPeriod:
    return _one(plan, lambda: ReportingPeriod.objects.filter(plan=plan, pk=pk))


def current_period(periods: list[ReportingPeriod], today: datetime.date) -> ReportingPeriod | None:
    """The period today falls in, else the last one that has started."""
    started = [p for p in periods if p.start <= today]
    return started[-1] if started else None


@dataclass(frozen=True)
class Filters:
    area: str = ""
    division: int | None = None
    performer: int | None = None
    state: str = ""

    @property
    def any(self) -> bool:
        return bool(self.area or self.division or self.performer)


@dataclass
class ActivityRow:
    activity: Activity
    status: str | None
    percent: int | None
    period: str | None
    state: str

    @property
    def state_label(self) -> str:
        return str(State.LABELS[self.state])


def _filtered(plan: ActionPlan, filters: Filters) -> QuerySet[Activity]:
    activities = planning_selectors.plan_activities(plan)
    if filters.area:
        activities = activities.filter(area_code=filters.area)
    if filters.division:
        activities = activities.filter(responsible_division_id=filters.division)
    if filters.performer:
        activities = activities.filter(performer_id=filters.performer)
    return activities


def _latest_reports(plan: ActionPlan) -> dict[int, tuple[str, int, str]]:
    """Each activity's latest report as (status, % done, period label): one query, in period order."""
    latest: dict[int, tuple[str, int, str]] = {}
    rows = (
        ProgressReport.objects.filter(period__plan=plan)
        .order_by("period__start")
        .values_list("activity_id", "status", "percent_done", "period__label")
    )
    for activity_id, status, percent, label in rows:
        latest[activity_id] = (status, percent, label)
    return latest


def activity_rows(plan: ActionPlan, filters: Filters, today: datetime.date) -> list[ActivityRow]:
    """Every activity with its latest report and its state: two queries."""
    with scope(organization=plan.organization):
        latest = _latest_reports(plan)
        activities = (
            _filtered(plan, filters)
            .select_related("performer", "responsible_division")
            .order_by("due_date", "id")
        )
        rows = []
        for a in activities:
            status, percent, period = latest.get(a.pk, (None, None, None))
            rows.append(ActivityRow(a, status, percent, period, state_of(status, a.due_date, today)))
    if filters.state:
        rows = [r for r in rows if r.state == filters.state]
    return rows


def state_totals(
    plan: ActionPlan, filters: Filters, today: datetime.date
) -> tuple[list[tuple[str, str, int]], int]:
    """The dashboard's counts per state, without loading the activities: two queries."""
    with scope(organization=plan.organization):
        latest = _latest_reports(plan)
        dues = list(_filtered(plan, filters).values_list("id", "due_date"))
    counts = Counter(state_of(latest.get(pk, (None,))[0], due, today) for pk, due in dues)
    return [(state, str(State.LABELS[state]), counts.get(state, 0)) for state in State.ORDER], len(dues)


def states_by_area(plan: ActionPlan, today: datetime.date) -> dict[str, Counter[str]]:
    """How many of the plan's activities stand in each state, per area: two queries, no activity loaded."""
    with scope(organization=plan.organization):
        latest = _latest_reports(plan)
        activities = list(planning_selectors.plan_activities(plan).values_list("id", "area_code", "due_date"))
    per_area: dict[str, Counter[str]] = {}
    for pk, area, due in activities:
        per_area.setdefault(area, Counter())[state_of(latest.get(pk, (None,))[0], due, today)] += 1
    return per_area


def target_at(targets: list[KpiTarget], day: datetime.date) -> Decimal | None:
    """The target in force on a day: the latest one dated on or before it."""
    current = None
    for target in targets:
        if target.date <= day:
            current = target.value
    return current


def off_target(direction: str, value: Decimal, target: Decimal | None) -> bool:
    if target is None:
        return False
    if direction == Direction.HIGHER:
        return value < target
    if direction == Direction.LOWER:
        return value > target
    return abs(value - target) > abs(target) * TARGET_TOLERANCE


@dataclass
class Point:
    period: ReportingPeriod
    value: Decimal | None
    target: Decimal | None
    verified: bool


@dataclass
class KpiSeries:
    kpi: Kpi
    points: list[Point] = field(default_factory=list)

    @property
    def latest(self) -> Point | None:
        measured = [p for p in self.points if p.value is not None]
        return measured[-1] if measured else None

    @property
    def off_target(self) -> bool:
        latest = self.latest
        return (
            latest is not None
            and latest.value is not None
            and off_target(self.kpi.direction, latest.value, latest.target)
        )


def plan_kpis(plan: ActionPlan, filters: Filters | None = None) -> list[Kpi]:
    """The KPIs that measure the plan's objectives, with their targets: two queries.

    With filters, only those measuring an objective that has a matching activity.
    """
    with scope(organization=plan.organization):
        objectives = planning_selectors.plan_objectives(plan)
        if filters is not None and filters.any:
            objectives = objectives.filter(pk__in=_filtered(plan, filters).values("objective_id"))
        return list(
            planning_selectors.kpis_measuring(plan, objectives)
            .select_related("owner")
            .only(
                "code",
                "name",
                "unit",
                "value_format",
                "decimals",
                "direction",
                "baseline_value",
                "organization_id",
                "owner",
            )
            .prefetch_related(
                Prefetch("targets", queryset=planning_selectors.kpi_targets_by_date()), "reference_values"
            )
            .order_by("code")
        )


def kpi_series(plan: ActionPlan, periods: list[ReportingPeriod], kpis: list[Kpi]) -> list[KpiSeries]:
    """Each KPI's measurements and targets over the periods: one query beyond the KPIs'."""
    with scope(organization=plan.organization):
        measured = {
            (kpi_id, period_id): (value, verified_at)
            for kpi_id, period_id, value, verified_at in Measurement.objects.filter(
                period__plan=plan, kpi__in=kpis
            ).values_list("kpi_id", "period_id", "value", "verified_at")
        }
    series = []
    for kpi in kpis:
        targets = list(kpi.targets.all())
        points = []
        for period in periods:
            value, verified_at = measured.get((kpi.pk, period.pk), (None, None))
            points.append(
                Point(
                    period=period,
                    value=value,
                    target=target_at(targets, period.end),
                    verified=verified_at is not None,
                )
            )
        series.append(KpiSeries(kpi=kpi, points=points))
    return series


@dataclass
class PeriodSheet:
    """What is reported in a period: each activity's report and each KPI's measurement."""

    period: ReportingPeriod
    reports: list[tuple[Activity, ProgressReport | None]]
    measurements: list[tuple[Kpi, Measurement | None]]


# A person as the period page names them (User.__str__): no other column of theirs is read.
_NAME = ("full_name", "email")


def period_sheet(plan: ActionPlan, period: ReportingPeriod, *, performer: User | None = None) -> PeriodSheet:
    """Every activity with its report and every KPI with its measurement: five queries.

    Hundreds of rows: only the columns the page shows are read, and the KPIs without
    their targets (the page draws no chart).
    """
    with scope(organization=plan.organization):
        activities = (
            planning_selectors.plan_activities(plan)
            .select_related("performer")
            .only("title", "plan_id", "performer", *(f"performer__{f}" for f in _NAME))
            .order_by("id")
        )
        if performer is not None:
            activities = activities.filter(performer=performer)
        reports = {
            r.activity_id: r
            for r in ProgressReport.objects.filter(period=period).only(
                "activity_id", "period_id", "percent_done", "status", "version"
            )
        }
        measurements = {
            m.kpi_id: m
            for m in Measurement.objects.filter(period=period)
            .select_related("entered_by", "verified_by")
            .only(
                "kpi_id",
                "period_id",
                "value",
                "disaggregated",
                "version",
                "verified_at",
                "entered_by",
                "verified_by",
                *(f"{who}__{f}" for who in ("entered_by", "verified_by") for f in _NAME),
            )
        }
        kpis = list(
            planning_selectors.kpis_measuring(plan)
            .only("code", "name", "unit", "value_format", "decimals", "organization_id", "owner_id")
            .order_by("code")
        )
    return PeriodSheet(
        period=period,
        reports=[(a, reports.get(a.pk)) for a in activities],
        measurements=[(k, measurements.get(k.pk)) for k in kpis],
    )


def report_of(activity: Activity, period: ReportingPeriod) -> ProgressReport | None:
    with scope(organization=activity.plan.organization):
        return ProgressReport.objects.filter(activity=activity, period=period).first()


def measurement_of(kpi: Kpi, period: ReportingPeriod) -> Measurement | None:
    with scope(organization=period.plan.organization):
        return Measurement.objects.filter(kpi=kpi, period=period).first()


def measurement_get(plan: ActionPlan, pk: int) -> Measurement:
    return _one(
        plan, lambda: Measurement.objects.filter(period__plan=plan, pk=pk).select_related("period", "kpi")
    )


def activity_reports(activity: Activity) -> list[ProgressReport]:
    with scope(organization=activity.plan.organization):
        return list(ProgressReport.objects.filter(activity=activity).select_related("period", "reported_by"))


def plan_kpi_get(plan: ActionPlan, pk: int) -> Kpi:
    return _one(plan, lambda: planning_selectors.plan_kpi(plan, pk))


def meetings_of(plan: ActionPlan) -> list[Meeting]:
    with scope(organization=plan.organization):
        return list(
            Meeting.objects.filter(plan=plan).prefetch_related(
                "attendees", Prefetch("follow_ups", queryset=FollowUp.objects.select_related("owner"))
            )
        )


def meeting_get(plan: ActionPlan, pk: int) -> Meeting:
    return _one(plan, lambda: Meeting.objects.filter(plan=plan, pk=pk).prefetch_related("attendees"))


def follow_ups_of(meeting: Meeting) -> list[FollowUp]:
    with scope(organization=meeting.plan.organization):
        return list(FollowUp.objects.filter(meeting=meeting).select_related("owner"))


def follow_up_get(plan: ActionPlan, pk: int) -> FollowUp:
    return _one(plan, lambda: FollowUp.objects.filter(meeting__plan=plan, pk=pk).select_related("meeting"))


def open_follow_ups(plan: ActionPlan) -> list[FollowUp]:
    with scope(organization=plan.organization):
        return list(
            FollowUp.objects.filter(meeting__plan=plan, done_on__isnull=True).select_related(
                "owner", "meeting"
            )
        )


def tasks_of(plan: ActionPlan) -> list[MonitoringTask]:
    with scope(organization=plan.organization):
        return list(MonitoringTask.objects.filter(plan=plan).select_related("assignee"))


def task_get(plan: ActionPlan, pk: int) -> MonitoringTask:
    return _one(plan, lambda: MonitoringTask.objects.filter(plan=plan, pk=pk))


def alerts_of(plan: ActionPlan, *, user: User, everyone: bool) -> QuerySet[Alert]:
    """Open alerts: one's own, or all of the plan's for those who coordinate."""
    with scope(organization=plan.organization):
        alerts = Alert.objects.filter(plan=plan, resolved_on__isnull=True).select_related("recipient")
        return alerts if everyone else alerts.filter(recipient=user)


def alert_get(plan: ActionPlan, pk: int) -> Alert:
    return _one(plan, lambda: Alert.objects.filter(plan=plan, pk=pk))


def objectives_to_evaluate(plan: ActionPlan) -> list[Objective]:
    """The plan's objectives in their order (deadline, then creation), without their KPIs."""
    with scope(organization=plan.organization):
        return list(planning_selectors.plan_objectives(plan))


def plan_kpi_names(plan: ActionPlan) -> list[Kpi]:
    """The KPIs of `plan_kpis` with only their code and name, in code order: one query.

    For the pages that name or choose them (evaluation, review) and draw no chart: their
    targets and reference values are not read.
    """
    with scope(organization=plan.organization):
        objectives = planning_selectors.plan_objectives(plan)
        return list(
            planning_selectors.kpis_measuring(plan, objectives)
            .only("code", "name", "organization_id")
            .order_by("code")
        )


def evaluations_of(plan: ActionPlan) -> tuple[dict[int, Evaluation], dict[int, Evaluation]]:
    """The plan's evaluations by objective and by KPI."""
    with scope(organization=plan.organization):
        evaluations = list(Evaluation.objects.filter(plan=plan))
    return (
        {e.objective_id: e for e in evaluations if e.objective_id},
        {e.kpi_id: e for e in evaluations if e.kpi_id},
    )


def gaps_of(plan: ActionPlan) -> dict[str, GapEntry]:
    with scope(organization=plan.organization):
        return {g.area_code: g for g in GapEntry.objects.filter(plan=plan)}


def indicators_of(plan: ActionPlan) -> list[ReviewIndicator]:
    with scope(organization=plan.organization):
        return list(ReviewIndicator.objects.filter(plan=plan).select_related("kpi"))


def cycle_of(plan: ActionPlan) -> Cycle | None:
    with scope(organization=plan.organization):
        return Cycle.objects.filter(plan=plan).select_related("assessment", "next_plan").first()


def earlier_cycle(plan: ActionPlan) -> Cycle | None:
    """The cycle whose next plan this one is, if any."""
    with scope(organization=plan.organization):
        return Cycle.objects.filter(next_plan=plan).select_related("plan").first()


def carry_overs(plan: ActionPlan) -> list[CarryOver]:
    """What became of the earlier plan's activities in this one."""
    with scope(organization=plan.organization):
        return list(CarryOver.objects.filter(next_plan=plan).select_related("activity", "new_activity"))


def activities_of(plan: ActionPlan) -> list[Activity]:
    with scope(organization=plan.organization):
        return list(planning_selectors.plan_activities(plan).order_by("id"))


def performers_of(plan: ActionPlan) -> list[User]:
    with scope(organization=plan.organization):
        ids = planning_selectors.plan_activities(plan).filter(performer__isnull=False).values("performer_id")
        return list(User.objects.filter(pk__in=ids).order_by("full_name"))


@dataclass
class PeriodOverview:
    period: ReportingPeriod
    reports: int
    measurements: int
    verified: int


def period_overview(plan: ActionPlan) -> list[PeriodOverview]:
    """Each period with how much was reported in it: three queries."""
    with scope(organization=plan.organization):
        periods = list(ReportingPeriod.objects.filter(plan=plan))
        reports = Counter(
            ProgressReport.objects.filter(period__plan=plan).values_list("period_id", flat=True)
        )
        measured = list(Measurement.objects.filter(period__plan=plan).values_list("period_id", "verified_at"))
    measurements = Counter(pid for pid, _at in measured)
    verified = Counter(pid for pid, at in measured if at is not None)
    return [PeriodOverview(p, reports[p.pk], measurements[p.pk], verified[p.pk]) for p in periods]


# --- Reads for the contexts built on monitoring (risk mapping's key risk indicators) ----


@dataclass(frozen=True)
class MeasuredValue:
    """One measurement of a KPI, with the reporting period it belongs to."""

    start: datetime.date
    end: datetime.date
    label: str
    value: Decimal
    verified: bool


def kpi_measurements(
    organization: Organization, kpi_ids: Collection[int], *, latest: int = 12
) -> dict[int, list[MeasuredValue]]:
    """Each KPI's latest measurements across every plan's periods, oldest first: one query."""
    found: dict[int, list[MeasuredValue]] = {}
    with scope(organization=organization):
        rows = (
            Measurement.objects.filter(kpi_id__in=list(kpi_ids))
            .order_by("period__end", "pk")
            .values_list("kpi_id", "period__start", "period__end", "period__label", "value", "verified_at")
        )
        for kpi_id, start, end, label, value, verified_at in rows:
            measured = MeasuredValue(start, end, label, value, verified_at is not None)
            found.setdefault(kpi_id, []).append(measured)
    return {kpi_id: values[-latest:] for kpi_id, values in found.items()}


def activity_states(
    organization: Organization, activities: Collection[Activity], today: datetime.date
) -> dict[int, str]:
    """Each activity's state (State) from its latest progress report and its due date: one query."""
    latest: dict[int, str] = {}
    with scope(organization=organization):
        rows = (
            ProgressReport.objects.filter(activity_id__in=[a.pk for a in activities])
            .order_by("period__start")
            .values_list("activity_id", "status")
        )
        for activity_id, status in rows:
            latest[activity_id] = status
    return {a.pk: state_of(latest.get(a.pk), a.due_date, today) for a in activities}
