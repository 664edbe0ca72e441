"""Writes of action planning. One transaction and one audit record each."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence

from django.db import transaction
from django.utils.translation import gettext as _
from django_scopes import scope

from arusha.assessments.models import Assessment, Finding
from arusha.core.audit import audit_change, snapshot
from arusha.core.errors import DomainError
from arusha.core.models import Organization, User
from arusha.planning import priority
from arusha.planning.models import ActionPlan, Activity, Objective, Outcome, OutcomeLevel

_PLAN_FIELDS = ("title", "assessment", "period_start", "period_end", "status")
_ACTIVITY_FIELDS = ("title", "objective", "area_code", "description", *priority.FIELDS, "priority")


def plan_create(
    *,
    actor: User,
    organization: Organization,
    assessment: Assessment,
    title: str,
    period_start: datetime.date,
    period_end: datetime.date,
) -> ActionPlan:
    """Start the action plan that answers an assessment of the same administration."""
    if assessment.organization_id != organization.pk:
        raise DomainError(_("The assessment belongs to another organization."), field="assessment")
    if not title.strip():
        raise DomainError(_("Give the plan a title."), field="title")
    if period_end < period_start:
        raise DomainError(_("The plan ends before it starts."), field="period_end")
    with scope(organization=organization), transaction.atomic():
        plan = ActionPlan.objects.create(
            organization=organization,
            assessment=assessment,
            title=title.strip(),
            period_start=period_start,
            period_end=period_end,
            created_by=actor,
        )
        audit_change(
            actor=actor,
            action="arusha.plan.created",
            obj=plan,
            organization=organization,
            fields=_PLAN_FIELDS,
        )
        return plan


def outcome_add(*, actor: User, plan: ActionPlan, level: str, statement: str) -> Outcome:
    if level not in OutcomeLevel.values:
        raise DomainError(_("Choose an immediate, intermediate or ultimate outcome."), field="level")
    if not statement.strip():
        raise DomainError(_("State the outcome."), field="statement")
    with scope(organization=plan.organization), transaction.atomic():
        outcome = Outcome.objects.create(plan=plan, level=level, statement=statement.strip())
        audit_change(
            actor=actor,
            action="arusha.plan.outcome.added",
            obj=outcome,
            organization=plan.organization,
            fields=("level", "statement"),
        )
        return outcome


def objective_add(
    *,
    actor: User,
    plan: ActionPlan,
    what: str,
    measure: str,
    target: str,
    deadline: datetime.date,
    outcome: Outcome | None = None,
) -> Objective:
    """A SMART objective: every part is required, and the deadline falls within the plan."""
    for field, value, message in (
        ("what", what, _("Say what is to be achieved.")),
        ("measure", measure, _("Say how achievement is measured.")),
        ("target", target, _("Give the target to reach.")),
    ):
        if not value.strip():
            raise DomainError(message, field=field)
    if not plan.period_start <= deadline <= plan.period_end:
        raise DomainError(_("The deadline must fall within the period of the plan."), field="deadline")
    if outcome is not None and outcome.plan_id != plan.pk:
        raise DomainError(_("The outcome belongs to another plan."), field="outcome")
    with scope(organization=plan.organization), transaction.atomic():
        objective = Objective.objects.create(
            plan=plan,
            outcome=outcome,
            what=what.strip(),
            measure=measure.strip(),
            target=target.strip(),
            deadline=deadline,
        )
        audit_change(
            actor=actor,
            action="arusha.plan.objective.added",
            obj=objective,
            organization=plan.organization,
            fields=("what", "measure", "target", "deadline", "outcome"),
        )
        return objective


def activity_create(
    *,
    actor: User,
    plan: ActionPlan,
    title: str,
    description: str = "",
    objective: Objective | None = None,
    findings: Sequence[Finding] = (),
) -> Activity:
    """An activity of the plan, usually created from the findings it answers."""
    if not title.strip():
        raise DomainError(_("Give the activity a title."), field="title")
    if objective is not None and objective.plan_id != plan.pk:
        raise DomainError(_("The objective belongs to another plan."), field="objective")
    for finding in findings:
        if finding.assessment_id != plan.assessment_id:
            raise DomainError(_("Findings come from the plan's assessment."), field="findings")
    areas = sorted({f.area_code for f in findings})
    with scope(organization=plan.organization), transaction.atomic():
        activity = Activity.objects.create(
            plan=plan,
            objective=objective,
            title=title.strip(),
            description=description.strip(),
            area_code=areas[0] if len(areas) == 1 else "",
            created_by=actor,
        )
        activity.findings.set(findings)
        audit_change(
            actor=actor,
            action="arusha.plan.activity.created",
            obj=activity,
            organization=plan.organization,
            fields=_ACTIVITY_FIELDS,
        )
        return activity


def activity_rate(*, actor: User, activity: Activity, ratings: Mapping[str, str]) -> Activity:
    """Rate the eight criteria (low, medium, high or blank) and derive the priority."""
    cleaned = {}
    for field in priority.FIELDS:
        value = ratings.get(field, "") or ""
        if value and value not in priority.Level.values:
            raise DomainError(_("Rate each criterion low, medium or high."), field=field)
        cleaned[field] = value
    with scope(organization=activity.plan.organization), transaction.atomic():
        before = snapshot(activity, _ACTIVITY_FIELDS)
        for field, value in cleaned.items():
            setattr(activity, field, value)
        activity.priority = priority.derive(cleaned)
        activity.save(update_fields=[*priority.FIELDS, "priority"])
        audit_change(
            actor=actor,
            action="arusha.plan.activity.rated",
            obj=activity,
            organization=activity.plan.organization,
            fields=_ACTIVITY_FIELDS,
            before=before,
        )
        return activity
