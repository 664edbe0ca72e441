"""Writes of monitoring, evaluation and review. One transaction and one audit record each."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope

from arusha.assessments import services as assessment_services
from arusha.assessments.models import Scope
from arusha.assessments.selectors import areas_in_scope
from arusha.core import services as core_services
from arusha.core.audit import audit_change, audit_record, snapshot
from arusha.core.errors import DomainError
from arusha.core.models import Membership, User
from arusha.monitoring import periods
from arusha.monitoring.access import require, rights
from arusha.monitoring.models import (
    ActivityStatus,
    Alert,
    Carry,
    CarryOver,
    Cycle,
    Evaluation,
    FollowUp,
    GapEntry,
    IndicatorKind,
    Measurement,
    Meeting,
    MonitoringSetup,
    MonitoringTask,
    ProgressReport,
    ReportingPeriod,
    ReviewIndicator,
)
from arusha.planning import kpis
from arusha.planning import services as planning_services
from arusha.planning.models import ActionPlan, Activity, Kpi, Objective, PlanStatus
from arusha.planning.priority import Level

_SETUP_FIELDS = ("frequency", "coordinator", "report_days", "due_soon_days", "escalate_days")
_REPORT_FIELDS = ("percent_done", "status", "narrative", "obstacles")


def _is_member(plan: ActionPlan, user: User) -> bool:
    with scope(organization=plan.organization):
        return Membership.objects.filter(organization=plan.organization, user=user, is_active=True).exists()


def _today() -> datetime.date:
    return timezone.localdate()


def setup_save(
    *,
    actor: User,
    plan: ActionPlan,
    frequency: str,
    coordinator: User,
    report_days: int = 15,
    due_soon_days: int = 14,
    escalate_days: int = 7,
) -> MonitoringSetup:
    """Set how an adopted plan is monitored and lay out its reporting periods.

    The periods are laid out again when the frequency changes, as long as nothing has
    been reported in them yet.
    """
    require(rights(plan, actor).manage)
    with scope(organization=plan.organization):
        monitored = ReportingPeriod.objects.filter(plan=plan).exists()
    if plan.status != PlanStatus.ADOPTED and not monitored:
        raise DomainError(_("Monitoring starts once the plan is adopted."))
    if not _is_member(plan, coordinator):
        raise DomainError(_("The coordinator must be a member of the administration."), field="coordinator")
    for name, value in (("report_days", report_days), ("due_soon_days", due_soon_days)):
        if not 0 <= value <= 120:
            raise DomainError(_("Give a number of days between 0 and 120."), field=name)
    if not 1 <= escalate_days <= 120:
        raise DomainError(_("Give a number of days between 1 and 120."), field="escalate_days")
    with scope(organization=plan.organization), transaction.atomic():
        setup = MonitoringSetup.objects.filter(plan=plan).first()
        before = snapshot(setup, _SETUP_FIELDS) if setup else {}
        new_rhythm = setup is None or setup.frequency != frequency
        if new_rhythm and (
            ProgressReport.objects.filter(period__plan=plan).exists()
            or Measurement.objects.filter(period__plan=plan).exists()
        ):
            raise DomainError(
                _("Reports and measurements exist: the reporting frequency can no longer change."),
                field="frequency",
            )
        setup = setup or MonitoringSetup(plan=plan)
        setup.frequency = frequency
        setup.coordinator = coordinator
        setup.report_days = report_days
        setup.due_soon_days = due_soon_days
        setup.escalate_days = escalate_days
        setup.save()
        _lay_out_periods(plan, frequency, report_days, anew=new_rhythm)
        audit_change(
            actor=actor,
            action="arusha.monitoring.set_up",
            obj=setup,
            organization=plan.organization,
            fields=_SETUP_FIELDS,
            before=before,
        )
        return setup


def _lay_out_periods(plan: ActionPlan, frequency: str, report_days: int, *, anew: bool) -> None:
    """The calendar periods of a new rhythm; otherwise only their reporting deadlines move."""
    delay = datetime.timedelta(days=report_days)
    if anew:
        ReportingPeriod.objects.filter(plan=plan).delete()
        ReportingPeriod.objects.bulk_create(
            ReportingPeriod(plan=plan, label=s.label, start=s.start, end=s.end, report_due=s.end + delay)
            for s in periods.spans(frequency, plan.period_start, plan.period_end)
        )
        return
    existing = list(ReportingPeriod.objects.filter(plan=plan))
    for period in existing:
        period.report_due = period.end + delay
    ReportingPeriod.objects.bulk_update(existing, ["report_due"])


def _check_period(plan: ActionPlan, period: ReportingPeriod) -> None:
    if period.plan_id != plan.pk:
        raise DomainError(_("The period belongs to another plan."), field="period")
    if period.start > _today():
        raise DomainError(_("This period has not started yet."), field="period")


def progress_report(
    *,
    actor: User,
    activity: Activity,
    period: ReportingPeriod,
    percent_done: int,
    status: str,
    narrative: str,
    obstacles: str = "",
    evidence: Sequence[UploadedFile] = (),
) -> ProgressReport:
    """Report an activity's progress for a period; a second report for the period replaces the first."""
    plan = activity.plan
    require(rights(plan, actor).report_on(activity))
    _check_period(plan, period)
    if not 0 <= percent_done <= 100:
        raise DomainError(_("Give a percentage between 0 and 100."), field="percent_done")
    if status not in ActivityStatus.values:
        raise DomainError(_("Choose a status."), field="status")
    if status == ActivityStatus.DONE and percent_done != 100:
        raise DomainError(_("A done activity is 100 % done."), field="percent_done")
    if not narrative.strip():
        raise DomainError(_("Say what was done in the period."), field="narrative")
    if status in {ActivityStatus.AT_RISK, ActivityStatus.DELAYED} and not obstacles.strip():
        raise DomainError(_("Say what stands in the way."), field="obstacles")
    with scope(organization=plan.organization), transaction.atomic():
        report = ProgressReport.objects.filter(activity=activity, period=period).first()
        before = snapshot(report, _REPORT_FIELDS) if report else {}
        report = report or ProgressReport(activity=activity, period=period)
        report.percent_done = percent_done
        report.status = status
        report.narrative = narrative.strip()
        report.obstacles = obstacles.strip()
        report.reported_by = actor
        report.save()
        for upload in evidence:
            core_services.attachment_add(
                actor=actor, organization=plan.organization, target=report, upload=upload
            )
        audit_change(
            actor=actor,
            action="arusha.monitoring.progress.reported",
            obj=report,
            organization=plan.organization,
            fields=_REPORT_FIELDS,
            before=before,
        )
        return report


def kpi_in_plan(plan: ActionPlan, kpi: Kpi) -> bool:
    return (
        kpi.organization_id == plan.organization_id and Objective.objects.filter(plan=plan, kpis=kpi).exists()
    )


def _number(raw: object, field: str) -> Decimal:
    if isinstance(raw, Decimal):
        return raw
    text = str(raw).strip().replace(",", ".") if raw is not None else ""
    if not text:
        raise DomainError(_("Give a value."), field=field)
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise DomainError(_("“%(value)s” is not a number.") % {"value": text}, field=field) from error
    if not value.is_finite() or abs(value) >= Decimal("1e12"):
        raise DomainError(_("“%(value)s” is not a number.") % {"value": text}, field=field)
    return value


def measurement_enter(
    *,
    actor: User,
    kpi: Kpi,
    period: ReportingPeriod,
    variables: Mapping[str, object],
    disaggregated: Mapping[str, Mapping[str, object]] | None = None,
    note: str = "",
) -> Measurement:
    """Enter a KPI's variables for a period; the value is computed from its formula.

    Changing a verified measurement withdraws the verification.
    """
    plan = period.plan
    require(rights(plan, actor).measure(kpi))
    _check_period(plan, period)
    with scope(organization=plan.organization):
        if not kpi_in_plan(plan, kpi):
            raise DomainError(_("The indicator measures none of this plan's objectives."), field="kpi")
    names = [v["name"] for v in kpi.variables]
    values = {name: _number(variables.get(name), f"var_{name}") for name in names}
    value = kpis.evaluate(kpi.formula, values)
    breakdown: dict[str, dict[str, str]] = {}
    for dimension, categories in (disaggregated or {}).items():
        if dimension not in kpi.disaggregation:
            raise DomainError(
                _("“%(dimension)s” is not a disaggregation of this indicator.") % {"dimension": dimension},
                field="disaggregated",
            )
        cleaned: dict[str, str] = {}
        for category, raw in categories.items():
            if not str(category).strip():
                raise DomainError(_("Name each category of %(d)s.") % {"d": dimension}, field="disaggregated")
            cleaned[str(category).strip()] = str(_number(raw, f"dis_{dimension}"))
        if cleaned:
            breakdown[dimension] = cleaned
    with scope(organization=plan.organization), transaction.atomic():
        measurement = Measurement.objects.filter(kpi=kpi, period=period).first()
        before = snapshot(measurement, ("value", "variables", "disaggregated")) if measurement else {}
        measurement = measurement or Measurement(kpi=kpi, period=period)
        stored = {name: str(v) for name, v in values.items()}
        if measurement.pk and (measurement.variables != stored or measurement.disaggregated != breakdown):
            measurement.verified_by = None
            measurement.verified_at = None
        measurement.variables = stored
        measurement.value = value
        measurement.disaggregated = breakdown
        measurement.note = note.strip()
        measurement.entered_by = actor
        measurement.save()
        audit_change(
            actor=actor,
            action="arusha.monitoring.measurement.entered",
            obj=measurement,
            organization=plan.organization,
            fields=("value", "variables", "disaggregated"),
            before=before,
        )
        return measurement


def measurement_verify(*, actor: User, measurement: Measurement) -> Measurement:
    """The coordinator's check; nobody verifies their own entry."""
    plan = measurement.period.plan
    require(rights(plan, actor).coordinate)
    if measurement.entered_by_id == actor.pk:
        raise DomainError(_("Someone other than the person who entered a measurement verifies it."))
    with scope(organization=plan.organization), transaction.atomic():
        measurement.verified_by = actor
        measurement.verified_at = timezone.now()
        measurement.save(update_fields=["verified_by", "verified_at"])
        audit_record(
            actor=actor,
            action="arusha.monitoring.measurement.verified",
            obj=measurement,
            organization=plan.organization,
        )
        return measurement


def meeting_record(
    *,
    actor: User,
    plan: ActionPlan,
    date: datetime.date,
    attendees: Sequence[User],
    other_attendees: str,
    minutes: str,
    decisions: str,
) -> Meeting:
    require(rights(plan, actor).coordinate)
    if not minutes.strip():
        raise DomainError(_("Write the minutes."), field="minutes")
    if not attendees and not other_attendees.strip():
        raise DomainError(_("Say who attended."), field="attendees")
    for person in attendees:
        if not _is_member(plan, person):
            raise DomainError(_("%(name)s is not a member.") % {"name": person}, field="attendees")
    with scope(organization=plan.organization), transaction.atomic():
        meeting = Meeting.objects.create(
            plan=plan,
            date=date,
            other_attendees=other_attendees.strip(),
            minutes=minutes.strip(),
            decisions=decisions.strip(),
            created_by=actor,
        )
        meeting.attendees.set(attendees)
        audit_change(
            actor=actor,
            action="arusha.monitoring.meeting.recorded",
            obj=meeting,
            organization=plan.organization,
            fields=("date", "minutes", "decisions"),
        )
        return meeting


def follow_up_add(*, actor: User, meeting: Meeting, action: str, owner: User, due: datetime.date) -> FollowUp:
    plan = meeting.plan
    require(rights(plan, actor).coordinate)
    if not action.strip():
        raise DomainError(_("Say what is to be done."), field="action")
    if not _is_member(plan, owner):
        raise DomainError(_("The owner must be a member of the administration."), field="owner")
    if due < meeting.date:
        raise DomainError(_("The follow-up is due after the meeting."), field="due")
    with scope(organization=plan.organization), transaction.atomic():
        follow_up = FollowUp.objects.create(meeting=meeting, action=action.strip(), owner=owner, due=due)
        audit_change(
            actor=actor,
            action="arusha.monitoring.follow_up.added",
            obj=follow_up,
            organization=plan.organization,
            fields=("action", "owner", "due"),
        )
        return follow_up


def follow_up_close(*, actor: User, follow_up: FollowUp, outcome: str) -> FollowUp:
    plan = follow_up.meeting.plan
    require(rights(plan, actor).close(follow_up))
    if follow_up.done_on is not None:
        raise DomainError(_("This follow-up action is already closed."))
    if not outcome.strip():
        raise DomainError(_("Say what came of it."), field="outcome")
    with scope(organization=plan.organization), transaction.atomic():
        follow_up.done_on = _today()
        follow_up.outcome = outcome.strip()
        follow_up.save(update_fields=["done_on", "outcome"])
        audit_change(
            actor=actor,
            action="arusha.monitoring.follow_up.done",
            obj=follow_up,
            organization=plan.organization,
            fields=("done_on", "outcome"),
        )
        return follow_up


def task_add(
    *, actor: User, plan: ActionPlan, task: str, assignee: User, due: datetime.date
) -> MonitoringTask:
    require(rights(plan, actor).coordinate)
    if not task.strip():
        raise DomainError(_("Say what is to be done."), field="task")
    if not _is_member(plan, assignee):
        raise DomainError(_("The person must be a member of the administration."), field="assignee")
    with scope(organization=plan.organization), transaction.atomic():
        item = MonitoringTask.objects.create(plan=plan, task=task.strip(), assignee=assignee, due=due)
        audit_change(
            actor=actor,
            action="arusha.monitoring.task.added",
            obj=item,
            organization=plan.organization,
            fields=("task", "assignee", "due"),
        )
        return item


def task_done(*, actor: User, task: MonitoringTask) -> MonitoringTask:
    require(rights(task.plan, actor).complete(task))
    if task.done_on is not None:
        raise DomainError(_("This task is already done."))
    with scope(organization=task.plan.organization), transaction.atomic():
        task.done_on = _today()
        task.save(update_fields=["done_on"])
        audit_change(
            actor=actor,
            action="arusha.monitoring.task.done",
            obj=task,
            organization=task.plan.organization,
            fields=("done_on",),
        )
        return task


def alert_acknowledge(*, actor: User, alert: Alert) -> Alert:
    """The person told (or the coordinator) has seen the alert: it will not escalate."""
    require(alert.recipient_id == actor.pk or rights(alert.plan, actor).coordinate)
    if alert.acknowledged_at is None:
        with scope(organization=alert.plan.organization), transaction.atomic():
            alert.acknowledged_at = timezone.now()
            alert.save(update_fields=["acknowledged_at"])
            audit_record(
                actor=actor,
                action="arusha.monitoring.alert.acknowledged",
                obj=alert,
                organization=alert.plan.organization,
            )
    return alert


def _rating(value: str, field: str) -> str:
    if value not in Level.values:
        raise DomainError(_("Choose low, medium or high."), field=field)
    return value


def evaluation_save(
    *,
    actor: User,
    plan: ActionPlan,
    relevance: str,
    success: str,
    cost_effectiveness: str,
    narrative: str,
    objective: Objective | None = None,
    kpi: Kpi | None = None,
) -> Evaluation:
    """Rate an objective or a KPI of the plan for relevance, success and cost-effectiveness (IDG Part V)."""
    require(rights(plan, actor).coordinate)
    if (objective is None) == (kpi is None):
        raise DomainError(_("Evaluate one objective or one indicator at a time."))
    if objective is not None and objective.plan_id != plan.pk:
        raise DomainError(_("The objective belongs to another plan."), field="objective")
    with scope(organization=plan.organization):
        if kpi is not None and not kpi_in_plan(plan, kpi):
            raise DomainError(_("The indicator measures none of this plan's objectives."), field="kpi")
    values = {
        "relevance": _rating(relevance, "relevance"),
        "success": _rating(success, "success"),
        "cost_effectiveness": _rating(cost_effectiveness, "cost_effectiveness"),
    }
    if len(narrative.split()) < 5:
        raise DomainError(_("Explain the ratings in a few sentences."), field="narrative")
    fields = (*values, "narrative")
    with scope(organization=plan.organization), transaction.atomic():
        evaluation = Evaluation.objects.filter(plan=plan, objective=objective, kpi=kpi).first()
        before = snapshot(evaluation, fields) if evaluation else {}
        evaluation = evaluation or Evaluation(plan=plan, objective=objective, kpi=kpi)
        for name, value in values.items():
            setattr(evaluation, name, value)
        evaluation.narrative = narrative.strip()
        evaluation.rated_by = actor
        evaluation.save()
        audit_change(
            actor=actor,
            action="arusha.monitoring.evaluated",
            obj=evaluation,
            organization=plan.organization,
            fields=fields,
            before=before,
        )
        return evaluation


def gap_save(*, actor: User, plan: ActionPlan, area_code: str, remaining_gap: str, revisit: bool) -> GapEntry:
    """The integrity gap left in one area of the assessment once the plan has run."""
    require(rights(plan, actor).coordinate)
    in_scope = set(areas_in_scope(plan.assessment))
    if area_code not in in_scope:
        raise DomainError(_("The area is not in the assessment's scope."), field="area_code")
    if not remaining_gap.strip():
        raise DomainError(_("Describe the gap that remains, or say that none does."), field="remaining_gap")
    with scope(organization=plan.organization), transaction.atomic():
        entry = GapEntry.objects.filter(plan=plan, area_code=area_code).first()
        before = snapshot(entry, ("remaining_gap", "revisit")) if entry else {}
        entry = entry or GapEntry(plan=plan, area_code=area_code)
        entry.remaining_gap = remaining_gap.strip()
        entry.revisit = revisit
        entry.save()
        audit_change(
            actor=actor,
            action="arusha.monitoring.gap.recorded",
            obj=entry,
            organization=plan.organization,
            fields=("remaining_gap", "revisit"),
            before=before,
        )
        return entry


def indicator_record(
    *,
    actor: User,
    plan: ActionPlan,
    kind: str,
    label: str = "",
    value: object = None,
    unit: str = "",
    source: str = "",
    kpi: Kpi | None = None,
) -> ReviewIndicator:
    """A review indicator of the cycle, typed in or taken from the KPI's latest verified measurement."""
    require(rights(plan, actor).coordinate)
    if kind not in IndicatorKind.values:
        raise DomainError(_("Choose an indicator."), field="kind")
    if kind == IndicatorKind.OTHER and not label.strip():
        raise DomainError(_("Describe the indicator."), field="label")
    with scope(organization=plan.organization), transaction.atomic():
        if kpi is not None:
            if not kpi_in_plan(plan, kpi):
                raise DomainError(_("The indicator measures none of this plan's objectives."), field="kpi")
            latest = (
                Measurement.objects.filter(kpi=kpi, period__plan=plan, verified_at__isnull=False)
                .select_related("period")
                .order_by("-period__start")
                .first()
            )
            if latest is None:
                raise DomainError(_("This KPI has no verified measurement yet."), field="kpi")
            number = latest.value
            unit = unit or kpi.unit
            source = source or _("%(kpi)s, %(period)s (verified)") % {
                "kpi": kpi.code,
                "period": latest.period,
            }
            label = label or kpi.name
        else:
            number = _number(value, "value")
        indicator = ReviewIndicator.objects.create(
            plan=plan,
            kind=kind,
            label=label.strip(),
            value=number,
            unit=unit.strip(),
            kpi=kpi,
            source=source.strip(),
            recorded_by=actor,
        )
        audit_change(
            actor=actor,
            action="arusha.monitoring.indicator.recorded",
            obj=indicator,
            organization=plan.organization,
            fields=("kind", "label", "value", "unit", "kpi", "source"),
        )
        return indicator


def cycle_start(
    *,
    actor: User,
    plan: ActionPlan,
    title: str,
    mode: int,
    planned_start: datetime.date,
    planned_end: datetime.date,
) -> Cycle:
    """Open the next cycle's assessment, linked to this plan's, so the two compare (IDG Part VI)."""
    require(rights(plan, actor).manage)
    if plan.status != PlanStatus.ADOPTED:
        raise DomainError(_("The next cycle starts from an adopted plan."))
    with scope(organization=plan.organization), transaction.atomic():
        if Cycle.objects.filter(plan=plan).exists():
            raise DomainError(_("The next cycle has already been started from this plan."))
        earlier = plan.assessment
        assessment = assessment_services.assessment_create(
            actor=actor,
            organization=plan.organization,
            title=title,
            framework_version=earlier.framework_version,
            mode=mode,
            scope_kind=Scope.COMPREHENSIVE,
            planned_start=planned_start,
            planned_end=planned_end,
            responsible_division=earlier.responsible_division,
            previous=earlier,
        )
        cycle = Cycle.objects.create(plan=plan, assessment=assessment, started_by=actor, started_on=_today())
        audit_record(
            actor=actor,
            action="arusha.monitoring.cycle.started",
            obj=plan,
            organization=plan.organization,
            changes={"next_assessment": [None, str(assessment)]},
        )
        return cycle


def next_plan_draft(
    *,
    actor: User,
    cycle: Cycle,
    title: str,
    period_start: datetime.date,
    period_end: datetime.date,
    decisions: Mapping[int, tuple[str, str]],
) -> ActionPlan:
    """Draft the next cycle's plan: each earlier activity continues, varies or is dropped.

    Every earlier activity needs a decision; varying or dropping one needs a reason.
    Continued and varied activities are copied into the new plan, where new ones join them.
    """
    earlier = cycle.plan
    require(rights(earlier, actor).manage)
    if cycle.next_plan_id is not None:
        raise DomainError(_("The next cycle's plan is already drafted."))
    with scope(organization=earlier.organization):
        activities = list(Activity.objects.filter(plan=earlier).order_by("id"))
    for activity in activities:
        decision, reason = decisions.get(activity.pk, ("", ""))
        field = f"carry_{activity.pk}"
        if decision not in Carry.values:
            raise DomainError(
                _("Say whether “%(title)s” continues, varies or is dropped.") % {"title": activity.title},
                field=field,
            )
        if decision != Carry.CONTINUE and not reason.strip():
            raise DomainError(
                _("Give the reason to vary or drop “%(title)s”.") % {"title": activity.title}, field=field
            )
    with scope(organization=earlier.organization), transaction.atomic():
        plan = planning_services.plan_create(
            actor=actor,
            organization=earlier.organization,
            assessment=cycle.assessment,
            title=title,
            period_start=period_start,
            period_end=period_end,
        )
        for activity in activities:
            decision, reason = decisions[activity.pk]
            copy = None
            if decision != Carry.DROP:
                copy = planning_services.activity_carry(actor=actor, plan=plan, source=activity)
            CarryOver.objects.create(
                activity=activity, next_plan=plan, decision=decision, reason=reason.strip(), new_activity=copy
            )
        cycle.next_plan = plan
        cycle.save(update_fields=["next_plan"])
        audit_record(
            actor=actor,
            action="arusha.monitoring.next_plan.drafted",
            obj=plan,
            organization=plan.organization,
            changes={
                "carried": [None, sum(1 for d, _r in decisions.values() if d != Carry.DROP)],
                "dropped": [None, sum(1 for d, _r in decisions.values() if d == Carry.DROP)],
            },
        )
        return plan
