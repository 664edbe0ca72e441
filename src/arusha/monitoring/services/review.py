"""Writes of evaluation and review (IDG Parts V and VI): ratings, gaps, indicators, the next cycle."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _
from django_scopes import scope

from arusha.assessments import selectors as assessment_selectors
from arusha.assessments import services as assessment_services
from arusha.assessments.selectors import areas_in_scope
from arusha.core.audit import audit_change, audit_record, snapshot
from arusha.core.errors import DomainError
from arusha.core.models import User
from arusha.monitoring.access import require, rights
from arusha.monitoring.models import (
    Carry,
    CarryOver,
    Cycle,
    Evaluation,
    GapEntry,
    IndicatorKind,
    Measurement,
    ReviewIndicator,
)
from arusha.planning import selectors as planning_selectors
from arusha.planning import services as planning_services
from arusha.planning.priority import Level

if TYPE_CHECKING:
    from arusha.planning.models import ActionPlan, Kpi, Objective

from arusha.monitoring.services.base import (
    _row_to_write,
    _today,
    _write_row,
)
from arusha.monitoring.services.progress import _number, kpi_in_plan


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
    version: int | None = None,
) -> Evaluation:
    """Rate an objective or a KPI of the plan for relevance, success and cost-effectiveness (IDG Part V).

    `version` is the one the form was read at (0: before any rating was saved).
    """
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
        subject = {"plan": plan, "objective": objective, "kpi": kpi}
        found = Evaluation.objects.filter(**subject).first()
        evaluation = _row_to_write(found, Evaluation(**subject), version=version)
        before = snapshot(found, fields) if found else {}
        for name, value in values.items():
            setattr(evaluation, name, value)
        evaluation.narrative = narrative.strip()
        evaluation.rated_by = actor
        _write_row(evaluation, version=version, fields=(*fields, "rated_by"), lookup=subject)
        audit_change(
            actor=actor,
            action="arusha.monitoring.evaluated",
            obj=evaluation,
            organization=plan.organization,
            fields=fields,
            before=before,
        )
        return evaluation


def gap_save(
    *,
    actor: User,
    plan: ActionPlan,
    area_code: str,
    remaining_gap: str,
    revisit: bool,
    version: int | None = None,
) -> GapEntry:
    """The integrity gap left in one area of the assessment once the plan has run.

    `version` is the one the form was read at (0: before the area was analysed).
    """
    require(rights(plan, actor).coordinate)
    in_scope = set(areas_in_scope(plan.assessment))
    if area_code not in in_scope:
        raise DomainError(_("The area is not in the assessment's scope."), field="area_code")
    if not remaining_gap.strip():
        raise DomainError(_("Describe the gap that remains, or say that none does."), field="remaining_gap")
    with scope(organization=plan.organization), transaction.atomic():
        found = GapEntry.objects.filter(plan=plan, area_code=area_code).first()
        entry = _row_to_write(found, GapEntry(plan=plan, area_code=area_code), version=version)
        before = snapshot(found, ("remaining_gap", "revisit")) if found else {}
        entry.remaining_gap = remaining_gap.strip()
        entry.revisit = revisit
        _write_row(
            entry,
            version=version,
            fields=("remaining_gap", "revisit"),
            lookup={"plan": plan, "area_code": area_code},
        )
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
    if plan.status != planning_selectors.PLAN_ADOPTED:
        raise DomainError(_("The next cycle starts from an adopted plan."))
    with scope(organization=plan.organization), transaction.atomic():
        # Two "start the next cycle" from two pages: the plan's row lock makes the second
        # wait and then find the first cycle (PostgreSQL; SQLite's writers already take turns).
        type(plan)._base_manager.select_for_update().get(pk=plan.pk)
        if Cycle.objects.filter(plan=plan).exists():
            raise DomainError(_("The next cycle has already been started from this plan."))
        earlier = plan.assessment
        assessment = assessment_services.assessment_create(
            actor=actor,
            organization=plan.organization,
            title=title,
            framework_version=earlier.framework_version,
            mode=mode,
            scope_kind=assessment_selectors.Scope.COMPREHENSIVE,
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
        activities = list(planning_selectors.plan_activities(earlier).order_by("id"))
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
        # Checked again under the cycle's row lock: two drafts sent from two pages make one plan.
        if Cycle.objects.select_for_update().get(pk=cycle.pk).next_plan_id is not None:
            raise DomainError(_("The next cycle's plan is already drafted."))
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
