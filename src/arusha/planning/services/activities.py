"""Writes of a plan's activities: creation, priority ratings, details, carrying into the next cycle."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _
from django_scopes import scope

from arusha.core.access import authorize
from arusha.core.audit import audit_change, audit_record, diff, snapshot
from arusha.core.concurrency import save_versioned
from arusha.core.errors import DomainError
from arusha.core.models import Membership, User
from arusha.planning import priority
from arusha.planning.models import (
    ActionPlan,
    Activity,
    Degree,
    Kpi,
    Objective,
    StrategicObjective,
)
from arusha.planning.services.kpis import kpi_names, kpis_from_names
from arusha.planning.services.plans import editable

if TYPE_CHECKING:
    from arusha.assessments.models import Finding

_ACTIVITY_FIELDS = ("title", "objective", "area_code", "description", *priority.FIELDS, "priority")


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
    authorize(actor, "edit", plan)
    if not title.strip():
        raise DomainError(_("Give the activity a title."), field="title")
    if objective is not None and objective.plan_id != plan.pk:
        raise DomainError(_("The objective belongs to another plan."), field="objective")
    for finding in findings:
        if finding.assessment_id != plan.assessment_id:
            raise DomainError(_("Findings come from the plan's assessment."), field="findings")
    editable(plan)
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


def activity_rate(
    *, actor: User, activity: Activity, ratings: Mapping[str, str], version: int | None = None
) -> Activity:
    """Rate the eight criteria (low, medium, high or blank) and derive the priority.

    `version` is the one the form was read at: a save over a newer one is refused.
    """
    authorize(actor, "edit", activity.plan)
    cleaned = {}
    for field in priority.FIELDS:
        value = ratings.get(field, "") or ""
        if value and value not in priority.Level.values:
            raise DomainError(_("Rate each criterion low, medium or high."), field=field)
        cleaned[field] = value
    editable(activity.plan)
    with scope(organization=activity.plan.organization), transaction.atomic():
        before = snapshot(activity, _ACTIVITY_FIELDS)
        for field, value in cleaned.items():
            setattr(activity, field, value)
        activity.priority = priority.derive(cleaned)
        save_versioned(activity, version=version, fields=[*priority.FIELDS, "priority"])
        audit_change(
            actor=actor,
            action="arusha.plan.activity.rated",
            obj=activity,
            organization=activity.plan.organization,
            fields=_ACTIVITY_FIELDS,
            before=before,
        )
        return activity


DETAIL_FIELDS = (
    "title",
    "description",
    "objective",
    "responsible_division",
    "performer",
    "contributors",
    "budget_amount",
    "budget_currency",
    "budget_source",
    "staff",
    "target",
    "target_value",
    "start_date",
    "due_date",
    "confidential",
    "origin",
    "planned_result",
    "complexity",
    "strengthening",
    "revision_date",
)


# The target is one cell of Annex 9: a sentence or two, e.g. "5 % of reports received".
MAX_TARGET = 2000
_LIMIT = Decimal("1e12")


def _check_details(plan: ActionPlan, values: Mapping[str, Any]) -> None:
    if not str(values.get("title") or "").strip():
        raise DomainError(_("Give the activity a title."), field="title")
    objective = values.get("objective")
    if objective is not None and objective.plan_id != plan.pk:
        raise DomainError(_("The objective belongs to another plan."), field="objective")
    division = values.get("responsible_division")
    if division is not None and division.organization_id != plan.organization_id:
        raise DomainError(_("The division belongs to another organization."), field="responsible_division")
    performer = values.get("performer")
    if (
        performer is not None
        and not Membership.objects.filter(
            organization=plan.organization, user=performer, is_active=True
        ).exists()
    ):
        raise DomainError(_("The performer must be a member of the administration."), field="performer")
    amount, currency = values.get("budget_amount"), str(values.get("budget_currency") or "")
    if amount is not None and amount < 0:
        raise DomainError(_("A budget cannot be negative."), field="budget_amount")
    if currency and not (len(currency) == 3 and currency.isalpha()):
        raise DomainError(
            _("Use the three-letter ISO 4217 currency code (XOF, USD, EUR…)."), field="budget_currency"
        )
    if amount is not None and not currency:
        raise DomainError(_("Give the currency of the budget."), field="budget_currency")
    if len(str(values.get("target") or "").strip()) > MAX_TARGET:
        raise DomainError(
            _("Say the target in at most %(count)s characters.") % {"count": MAX_TARGET}, field="target"
        )
    target_value = values.get("target_value")
    # Activity.target_value is a DecimalField(max_digits=18, decimal_places=6).
    if target_value is not None and not (target_value.is_finite() and abs(target_value) < _LIMIT):
        raise DomainError(_("Give the target value as a number."), field="target_value")
    start, due = values.get("start_date"), values.get("due_date")
    if start is not None and due is not None and due < start:
        raise DomainError(_("The activity is due before it starts."), field="due_date")
    for field in ("start_date", "due_date"):
        day = values.get(field)
        if day is not None and not plan.period_start <= day <= plan.period_end:
            raise DomainError(_("The date falls outside the period of the plan."), field=field)
    for field in ("complexity", "strengthening"):
        if values.get(field) and values[field] not in Degree.values:
            raise DomainError(_("Choose slightly, moderately or greatly."), field=field)


def _creates_cycle(activity: Activity, dependencies: Sequence[Activity]) -> bool:
    """Whether `activity` would, through its dependencies, end up depending on itself."""
    seen: set[int] = set()
    waiting = [d.pk for d in dependencies]
    while waiting:
        pk = waiting.pop()
        if pk == activity.pk:
            return True
        if pk in seen:
            continue
        seen.add(pk)
        waiting.extend(
            Activity.depends_on.through.objects.filter(from_activity_id=pk).values_list(
                "to_activity_id", flat=True
            )
        )
    return False


def activity_update(
    *,
    actor: User,
    activity: Activity,
    values: Mapping[str, Any],
    strategic_objectives: Sequence[StrategicObjective] = (),
    depends_on: Sequence[Activity] = (),
    kpis: Sequence[Kpi] | None = None,
    new_kpis: Sequence[str] = (),
    version: int | None = None,
) -> Activity:
    """Change an activity's details: who, its KPIs and target, budget, staff, dates,
    dependencies, Figure 14 worksheet.

    `kpis` are indicators of the library (None leaves them as they are); `new_kpis` are
    names of indicators to add to the library from their name alone (an existing name is
    reused) and to link too. `version` is the one the form was read at: a save over a
    newer one is refused.
    """
    authorize(actor, "edit", activity.plan)
    plan = activity.plan
    editable(plan)
    new_kpis = kpi_names(new_kpis)
    with scope(organization=plan.organization), transaction.atomic():
        _check_details(plan, values)
        for objective in strategic_objectives:
            if objective.organization_id != plan.organization_id:
                raise DomainError(
                    _("The strategic objective belongs to another organization."),
                    field="strategic_objectives",
                )
        for dependency in depends_on:
            if dependency.plan_id != plan.pk:
                raise DomainError(
                    _("An activity depends only on activities of its plan."), field="depends_on"
                )
        if _creates_cycle(activity, depends_on):
            raise DomainError(
                _("These dependencies would make the activity wait for itself."), field="depends_on"
            )
        for kpi in kpis or ():
            if kpi.organization_id != plan.organization_id:
                raise DomainError(_("Choose indicators of the administration's library."), field="kpis")
        before = {**snapshot(activity, DETAIL_FIELDS), **_links(activity)}
        for name in DETAIL_FIELDS:
            if name in values:
                value = values[name]
                setattr(activity, name, value.strip() if isinstance(value, str) else value)
        activity.budget_currency = activity.budget_currency.upper()
        save_versioned(activity, version=version, fields=DETAIL_FIELDS)
        activity.strategic_objectives.set(strategic_objectives)
        activity.depends_on.set(depends_on)
        if kpis is not None or new_kpis:
            chosen = list(kpis) if kpis is not None else list(activity.kpis.all())
            created = kpis_from_names(actor=actor, organization=plan.organization, names=new_kpis)
            activity.kpis.set([*chosen, *(k for k in created if k not in chosen)])
        after = {**snapshot(activity, DETAIL_FIELDS), **_links(activity)}
        audit_record(
            actor=actor,
            action="arusha.plan.activity.updated",
            obj=activity,
            organization=plan.organization,
            changes=diff(before, after),
        )
        return activity


# What carries into the next cycle: the dates, objective and revision date belong to the earlier plan.
_CARRIED_FIELDS = (
    "area_code",
    *priority.FIELDS,
    "priority",
    *(f for f in DETAIL_FIELDS if f not in {"objective", "start_date", "due_date", "revision_date"}),
)


def activity_carry(*, actor: User, plan: ActionPlan, source: Activity) -> Activity:
    """Copy an earlier cycle's activity into a draft plan of the same administration.

    What it is, who does it, its budget and ratings carry; its dates, objective,
    findings and dependencies belong to the earlier plan and are set afresh.
    """
    authorize(actor, "edit", plan)
    if source.plan.organization_id != plan.organization_id:
        raise DomainError(_("The activity belongs to another organization."))
    editable(plan)
    with scope(organization=plan.organization), transaction.atomic():
        copy = Activity(plan=plan, created_by=actor)
        for name in _CARRIED_FIELDS:
            setattr(copy, name, getattr(source, name))
        copy.origin = copy.origin or _("Carried from “%(plan)s”") % {"plan": source.plan.title}
        copy.save()
        copy.strategic_objectives.set(source.strategic_objectives.all())
        copy.kpis.set(source.kpis.all())
        audit_change(
            actor=actor,
            action="arusha.plan.activity.created",
            obj=copy,
            organization=plan.organization,
            fields=_ACTIVITY_FIELDS,
        )
        return copy


def _links(activity: Activity) -> dict[str, list[str]]:
    return {
        "strategic": sorted(o.code for o in activity.strategic_objectives.all()),
        "kpis": sorted(k.code for k in activity.kpis.all()),
        "dependencies": sorted(a.title for a in activity.depends_on.all()),
    }
