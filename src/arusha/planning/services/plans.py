"""Writes of action plans: the plan itself, its outcomes, SMART objectives and strategic objectives."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scope

from arusha.core.access import authorize, authorize_in
from arusha.core.audit import audit_change, snapshot
from arusha.core.concurrency import save_versioned
from arusha.core.errors import DomainError
from arusha.core.models import Organization, User
from arusha.planning.access import EDIT
from arusha.planning.models import (
    ActionPlan,
    Activity,
    Objective,
    Outcome,
    OutcomeLevel,
    PlanStatus,
    StrategicObjective,
)

if TYPE_CHECKING:
    from arusha.assessments.models import Assessment

_PLAN_FIELDS = (
    "title",
    "assessment",
    "period_start",
    "period_end",
    "strategic_plan",
    "national_strategy",
    "status",
)
_EDITED_FIELDS = ("title", "period_start", "period_end", "strategic_plan", "national_strategy")

# What an adopted plan answers any change: it is frozen until a revision reopens it.
FROZEN = gettext_lazy("The plan is adopted. Open a revision, with its reason, before changing it.")


def plan_create(
    *,
    actor: User,
    organization: Organization,
    assessment: Assessment,
    title: str,
    period_start: datetime.date,
    period_end: datetime.date,
    strategic_plan: str = "",
    national_strategy: str = "",
) -> ActionPlan:
    """Start the action plan that answers an assessment of the same administration.

    A plan that starts before its assessment ends is allowed (the plan page warns):
    an administration may type in a plan adopted before the platform.
    """
    authorize_in(actor, EDIT, organization)
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
            strategic_plan=strategic_plan.strip(),
            national_strategy=national_strategy.strip(),
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
    authorize(actor, "edit", plan)
    if level not in OutcomeLevel.values:
        raise DomainError(_("Choose an immediate, intermediate or ultimate outcome."), field="level")
    if not statement.strip():
        raise DomainError(_("State the outcome."), field="statement")
    editable(plan)
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
    measure: str = "",
    target: str = "",
    deadline: datetime.date | None = None,
    outcome: Outcome | None = None,
) -> Objective:
    """An objective of the plan: what is to be achieved, and, when known, how it is measured,
    its target and its deadline (within the plan's period). Activities carry their own KPIs
    and targets, so an objective may state only what it achieves, as IDG Annex 9 does."""
    authorize(actor, "edit", plan)
    if not what.strip():
        raise DomainError(_("Say what is to be achieved."), field="what")
    if deadline is not None and not plan.period_start <= deadline <= plan.period_end:
        raise DomainError(_("The deadline must fall within the period of the plan."), field="deadline")
    if outcome is not None and outcome.plan_id != plan.pk:
        raise DomainError(_("The outcome belongs to another plan."), field="outcome")
    editable(plan)
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


def strategic_objective_add(
    *, actor: User, organization: Organization, code: str, title: str, description: str = ""
) -> StrategicObjective:
    """An objective of the administration's strategic plan, reused by its action plans."""
    authorize_in(actor, EDIT, organization)
    code, title = code.strip(), title.strip()
    if not code:
        raise DomainError(_("Give the objective its code in the strategic plan."), field="code")
    if not title:
        raise DomainError(_("State the strategic objective."), field="title")
    with scope(organization=organization), transaction.atomic():
        if StrategicObjective.objects.filter(organization=organization, code=code).exists():
            raise DomainError(_("The code %(code)s is already used.") % {"code": code}, field="code")
        objective = StrategicObjective.objects.create(
            organization=organization, code=code, title=title, description=description.strip()
        )
        audit_change(
            actor=actor,
            action="arusha.plan.strategic_objective.added",
            obj=objective,
            organization=organization,
            fields=("code", "title", "description"),
        )
        return objective


def plan_update(
    *,
    actor: User,
    plan: ActionPlan,
    title: str,
    period_start: datetime.date,
    period_end: datetime.date,
    strategic_plan: str = "",
    national_strategy: str = "",
    version: int | None = None,
) -> ActionPlan:
    """Change the plan's title, period, strategic plan and national strategy.

    The period keeps every dated activity and objective deadline inside it; `version` is
    the one the form was read at.
    """
    authorize(actor, "edit", plan)
    editable(plan)
    if not title.strip():
        raise DomainError(_("Give the plan a title."), field="title")
    if period_end < period_start:
        raise DomainError(_("The plan ends before it starts."), field="period_end")
    with scope(organization=plan.organization), transaction.atomic():
        _check_period_holds(plan, period_start, period_end)
        before = snapshot(plan, _EDITED_FIELDS)
        plan.title, plan.period_start, plan.period_end = title.strip(), period_start, period_end
        plan.strategic_plan, plan.national_strategy = strategic_plan.strip(), national_strategy.strip()
        save_versioned(plan, version=version, fields=_EDITED_FIELDS)
        audit_change(
            actor=actor,
            action="arusha.plan.updated",
            obj=plan,
            organization=plan.organization,
            fields=_EDITED_FIELDS,
            before=before,
        )
        return plan


def _check_period_holds(plan: ActionPlan, start: datetime.date, end: datetime.date) -> None:
    """Refuse a period that would leave a dated activity or an objective's deadline outside."""
    outside = Q(start_date__lt=start) | Q(start_date__gt=end) | Q(due_date__lt=start) | Q(due_date__gt=end)
    activity = Activity.objects.filter(outside, plan=plan).order_by("id").first()
    if activity is not None:
        raise DomainError(
            _("The activity “%(title)s” has dates outside this period: change them first.")
            % {"title": activity.title},
            field="period_start" if _before(activity, start) else "period_end",
        )
    objective = (
        Objective.objects.filter(plan=plan)
        .filter(Q(deadline__lt=start) | Q(deadline__gt=end))
        .order_by("id")
        .first()
    )
    if objective is not None:
        raise DomainError(
            _("The objective “%(what)s” has its deadline outside this period: change it first.")
            % {"what": str(objective)},
            field="period_start" if objective.deadline and objective.deadline < start else "period_end",
        )


def _before(activity: Activity, start: datetime.date) -> bool:
    return any(day is not None and day < start for day in (activity.start_date, activity.due_date))


def plan_update_strategy(
    *, actor: User, plan: ActionPlan, national_strategy: str, version: int | None = None
) -> ActionPlan:
    """Say which national strategy the plan serves; `version` is the one the form was read at."""
    authorize(actor, "edit", plan)
    editable(plan)
    with scope(organization=plan.organization), transaction.atomic():
        before = snapshot(plan, ("national_strategy",))
        plan.national_strategy = national_strategy.strip()
        save_versioned(plan, version=version, fields=["national_strategy"])
        audit_change(
            actor=actor,
            action="arusha.plan.updated",
            obj=plan,
            organization=plan.organization,
            fields=("national_strategy",),
            before=before,
        )
        return plan


def editable(plan: ActionPlan) -> None:
    """An adopted plan is frozen: changing it needs a revision, with its reason."""
    if plan.status == PlanStatus.ADOPTED:
        raise DomainError(str(FROZEN))
