"""Writes of action planning. One transaction and one audit record each."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from django_scopes import scope

from arusha.assessments.models import Assessment, Finding
from arusha.core import services as core_services
from arusha.core.audit import audit_change, audit_record, diff, snapshot
from arusha.core.errors import DomainError
from arusha.core.models import Membership, Organization, User
from arusha.planning import kpis, priority
from arusha.planning.models import (
    ActionPlan,
    Activity,
    Consultation,
    ConsultationFormat,
    Degree,
    Kpi,
    KpiTarget,
    Objective,
    Outcome,
    OutcomeLevel,
    PlanRevision,
    PlanStatus,
    SignOff,
    SignOffStage,
    Stakeholder,
    StakeholderKind,
    StrategicObjective,
)

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
    _editable(plan)
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
    _editable(plan)
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
    _editable(plan)
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
    _editable(activity.plan)
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


def strategic_objective_add(
    *, actor: User, organization: Organization, code: str, title: str, description: str = ""
) -> StrategicObjective:
    """An objective of the administration's strategic plan, reused by its action plans."""
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


def plan_update_strategy(*, actor: User, plan: ActionPlan, national_strategy: str) -> ActionPlan:
    _editable(plan)
    with scope(organization=plan.organization), transaction.atomic():
        before = snapshot(plan, ("national_strategy",))
        plan.national_strategy = national_strategy.strip()
        plan.save(update_fields=["national_strategy"])
        audit_change(
            actor=actor,
            action="arusha.plan.updated",
            obj=plan,
            organization=plan.organization,
            fields=("national_strategy",),
            before=before,
        )
        return plan


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
    "start_date",
    "due_date",
    "confidential",
    "origin",
    "planned_result",
    "complexity",
    "strengthening",
    "revision_date",
)


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
) -> Activity:
    """Change an activity's details: who, budget, staff, dates, dependencies, Figure 14 worksheet."""
    plan = activity.plan
    _editable(plan)
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
        before = {**snapshot(activity, DETAIL_FIELDS), **_links(activity)}
        for name in DETAIL_FIELDS:
            if name in values:
                value = values[name]
                setattr(activity, name, value.strip() if isinstance(value, str) else value)
        activity.budget_currency = activity.budget_currency.upper()
        activity.save()
        activity.strategic_objectives.set(strategic_objectives)
        activity.depends_on.set(depends_on)
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
    if source.plan.organization_id != plan.organization_id:
        raise DomainError(_("The activity belongs to another organization."))
    _editable(plan)
    with scope(organization=plan.organization), transaction.atomic():
        copy = Activity(plan=plan, created_by=actor)
        for name in _CARRIED_FIELDS:
            setattr(copy, name, getattr(source, name))
        copy.origin = copy.origin or _("Carried from “%(plan)s”") % {"plan": source.plan.title}
        copy.save()
        copy.strategic_objectives.set(source.strategic_objectives.all())
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
        "dependencies": sorted(a.title for a in activity.depends_on.all()),
    }


KPI_FIELDS = (
    "code",
    "name",
    "description",
    "performance_dimension",
    "formula",
    "variables",
    "unit",
    "rationale",
    "typologies",
    "source_of_verification",
    "references",
    "periodicity",
    "disaggregation",
    "baseline_value",
    "baseline_date",
    "direction",
    "disclosure",
    "disclosure_notes",
    "owner",
    "data_custodian",
    "data_steward",
    "limitations",
)


def parse_targets(text: str) -> list[tuple[datetime.date, Decimal]]:
    """Lines `2028-12-31: 95` into dated targets; errors name the line."""
    targets: list[tuple[datetime.date, Decimal]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        day, _colon, value = line.partition(":")
        try:
            date = datetime.date.fromisoformat(day.strip())
            amount = Decimal(value.strip().replace(",", "."))
        except (ValueError, InvalidOperation) as error:
            raise DomainError(
                _("Line %(line)s: write the date (YYYY-MM-DD), a colon, then the target value.")
                % {"line": number},
                field="targets",
            ) from error
        if any(existing == date for existing, _value in targets):
            raise DomainError(
                _("Line %(line)s: this date has a target already.") % {"line": number}, field="targets"
            )
        targets.append((date, amount))
    return sorted(targets)


def kpi_save(
    *,
    actor: User,
    organization: Organization,
    values: Mapping[str, Any],
    targets: Sequence[tuple[datetime.date, Decimal]] = (),
    related: Sequence[Kpi] = (),
    kpi: Kpi | None = None,
) -> Kpi:
    """Create or change a KPI of the library with its whole metadata sheet and dated targets."""
    code = str(values.get("code", "")).strip()
    for field, message in (
        ("code", _("Give the indicator a code.")),
        ("name", _("Name the indicator.")),
        ("description", _("Describe the indicator without ambiguity.")),
        ("performance_dimension", _("Name the expected outcome the indicator measures.")),
        ("source_of_verification", _("Say where and how the data are obtained.")),
    ):
        if not str(values.get(field, "")).strip():
            raise DomainError(message, field=field)
    variables = list(values.get("variables") or [])
    kpis.check_formula(str(values.get("formula", "")), [v["name"] for v in variables])
    unknown = sorted(set(values.get("typologies") or []) - set(kpis.TYPOLOGIES))
    if unknown:
        raise DomainError(_("Unknown typology: %(code)s.") % {"code": unknown[0]}, field="typologies")
    for field, choices in (
        ("periodicity", kpis.Periodicity.values),
        ("direction", kpis.Direction.values),
        ("disclosure", kpis.Disclosure.values),
    ):
        if values.get(field) not in choices:
            raise DomainError(_("Choose a value."), field=field)
    owner = values.get("owner")
    with scope(organization=organization):
        owner_is_member = (
            owner is None or Membership.objects.filter(organization=organization, user=owner).exists()
        )
    if not owner_is_member:
        raise DomainError(_("The owner must be a member of the administration."), field="owner")
    with scope(organization=organization), transaction.atomic():
        clash = Kpi.objects.filter(organization=organization, code=code)
        if kpi is not None:
            clash = clash.exclude(pk=kpi.pk)
        if clash.exists():
            raise DomainError(_("The code %(code)s is already used.") % {"code": code}, field="code")
        for other in related:
            if other.organization_id != organization.pk or (kpi is not None and other.pk == kpi.pk):
                raise DomainError(_("Link only to other indicators of the library."), field="related")
        before = snapshot(kpi, KPI_FIELDS) if kpi is not None else None
        kpi = kpi or Kpi(organization=organization)
        for field in KPI_FIELDS:
            if field in values:
                value = values[field]
                setattr(kpi, field, value.strip() if isinstance(value, str) else value)
        kpi.code = code
        kpi.save()
        kpi.related.set(related)
        KpiTarget.objects.filter(kpi=kpi).delete()
        KpiTarget.objects.bulk_create(KpiTarget(kpi=kpi, date=d, value=v) for d, v in targets)
        audit_change(
            actor=actor,
            action="arusha.plan.kpi.created" if before is None else "arusha.plan.kpi.updated",
            obj=kpi,
            organization=organization,
            fields=KPI_FIELDS,
            before=before,
        )
        return kpi


def kpi_link(*, actor: User, objective: Objective, kpi: Kpi) -> None:
    """Measure an objective of a plan with a KPI of the library."""
    plan = objective.plan
    _editable(plan)
    if kpi.organization_id != plan.organization_id:
        raise DomainError(_("The indicator belongs to another organization."), field="kpi")
    with scope(organization=plan.organization), transaction.atomic():
        kpi.objectives.add(objective)
        audit_record(
            actor=actor,
            action="arusha.plan.kpi.linked",
            obj=objective,
            organization=plan.organization,
            changes={"kpi": [None, str(kpi)]},
        )


def stakeholder_add(
    *, actor: User, organization: Organization, name: str, kind: str, contact: str = "", interest: str = ""
) -> Stakeholder:
    name = name.strip()
    if not name:
        raise DomainError(_("Name the stakeholder."), field="name")
    if kind not in StakeholderKind.values:
        raise DomainError(_("Choose the kind of stakeholder."), field="kind")
    with scope(organization=organization), transaction.atomic():
        if Stakeholder.objects.filter(organization=organization, name=name).exists():
            raise DomainError(_("%(name)s is already in the register.") % {"name": name}, field="name")
        stakeholder = Stakeholder.objects.create(
            organization=organization,
            name=name,
            kind=kind,
            contact=contact.strip(),
            interest=interest.strip(),
        )
        audit_change(
            actor=actor,
            action="arusha.plan.stakeholder.added",
            obj=stakeholder,
            organization=organization,
            fields=("name", "kind", "contact", "interest"),
        )
        return stakeholder


def consultation_add(
    *,
    actor: User,
    plan: ActionPlan,
    stakeholder: Stakeholder,
    date: datetime.date,
    format: str,  # the field's name in the model and the form
    feedback: str,
    answer: str = "",
) -> Consultation:
    """Record a consultation of a stakeholder on the plan, and how the plan answers it."""
    if stakeholder.organization_id != plan.organization_id:
        raise DomainError(_("The stakeholder is not in this administration's register."), field="stakeholder")
    if format not in ConsultationFormat.values:
        raise DomainError(_("Choose how the stakeholder was consulted."), field="format")
    if not feedback.strip():
        raise DomainError(_("Write the feedback the stakeholder gave."), field="feedback")
    with scope(organization=plan.organization), transaction.atomic():
        consultation = Consultation.objects.create(
            plan=plan,
            stakeholder=stakeholder,
            date=date,
            format=format,
            feedback=feedback.strip(),
            answer=answer.strip(),
            recorded_by=actor,
        )
        audit_change(
            actor=actor,
            action="arusha.plan.consultation.added",
            obj=consultation,
            organization=plan.organization,
            fields=("stakeholder", "date", "format", "feedback", "answer"),
        )
        return consultation


def _editable(plan: ActionPlan) -> None:
    """An adopted plan is frozen: changing it needs a revision, with its reason."""
    if plan.status == PlanStatus.ADOPTED:
        raise DomainError(_("The plan is adopted. Open a revision, with its reason, before changing it."))


_NEXT_STAGE = {
    SignOffStage.WORKING_GROUP: None,
    SignOffStage.HEAD: SignOffStage.WORKING_GROUP,
    SignOffStage.MINISTER: SignOffStage.HEAD,
}


def plan_sign_off(
    *,
    actor: User,
    plan: ActionPlan,
    stage: str,
    date: datetime.date,
    signed_by: str,
    note: str = "",
    upload: UploadedFile | None = None,
) -> SignOff:
    """Record a step of the approval: the working group, then the head of administration
    (which adopts the plan), then, if sought, the minister's endorsement."""
    if stage not in SignOffStage.values:
        raise DomainError(_("Choose the stage of the sign-off."), field="stage")
    if not signed_by.strip():
        raise DomainError(_("Say who signed."), field="signed_by")
    with scope(organization=plan.organization), transaction.atomic():
        done = set(SignOff.objects.filter(plan=plan, revision=plan.revision).values_list("stage", flat=True))
        if stage in done:
            raise DomainError(_("This stage is already signed for this revision."), field="stage")
        before_stage = _NEXT_STAGE[SignOffStage(stage)]
        if before_stage is not None and before_stage not in done:
            raise DomainError(
                _("The plan needs the sign-off of “%(stage)s” first.") % {"stage": before_stage.label},
                field="stage",
            )
        document = None
        if upload is not None:
            document = core_services.attachment_add(
                actor=actor, organization=plan.organization, target=plan, upload=upload
            )
        sign_off = SignOff.objects.create(
            plan=plan,
            revision=plan.revision,
            stage=stage,
            date=date,
            signed_by=signed_by.strip(),
            note=note.strip(),
            document=document,
            recorded_by=actor,
        )
        if stage == SignOffStage.HEAD:
            plan.status, plan.adopted_on = PlanStatus.ADOPTED, date
            plan.save(update_fields=["status", "adopted_on"])
        audit_change(
            actor=actor,
            action="arusha.plan.signed_off",
            obj=sign_off,
            organization=plan.organization,
            fields=("stage", "date", "signed_by", "note"),
        )
        return sign_off


def plan_content(plan: ActionPlan) -> dict[str, Any]:
    """What a revision keeps of the plan: enough to say later what changed."""
    activities = (
        Activity.objects.filter(plan=plan)
        .select_related("objective", "performer", "responsible_division")
        .order_by("id")
    )
    return {
        "national_strategy": plan.national_strategy,
        "outcomes": [f"{o.get_level_display()}: {o.statement}" for o in plan.outcomes.all()],
        "objectives": [
            f"{o.what} | {o.measure} | {o.target} | {o.deadline.isoformat()}" for o in plan.objectives.all()
        ],
        "activities": {
            str(a.pk): {
                "title": a.title,
                "objective": str(a.objective or ""),
                "priority": a.priority,
                "division": str(a.responsible_division or ""),
                "performer": str(a.performer or ""),
                "budget": f"{a.budget_amount} {a.budget_currency}".strip()
                if a.budget_amount is not None
                else "",
                "start": a.start_date.isoformat() if a.start_date else "",
                "due": a.due_date.isoformat() if a.due_date else "",
                "confidential": a.confidential,
            }
            for a in activities
        },
    }


def plan_revise(*, actor: User, plan: ActionPlan, reason: str) -> PlanRevision:
    """Reopen an adopted plan for changes: its adopted content is kept as a revision, with the reason."""
    if plan.status != PlanStatus.ADOPTED:
        raise DomainError(_("Only an adopted plan is revised; a draft is changed directly."))
    if not reason.strip():
        raise DomainError(_("Give the reason for the revision."), field="reason")
    with scope(organization=plan.organization), transaction.atomic():
        revision = PlanRevision.objects.create(
            plan=plan,
            number=plan.revision,
            reason=reason.strip(),
            content=plan_content(plan),
            adopted_on=plan.adopted_on,
            created_by=actor,
        )
        plan.revision += 1
        # The public sees adopted plans only: the draft of the next revision is withdrawn.
        plan.status, plan.adopted_on, plan.published = PlanStatus.DRAFT, None, False
        plan.save(update_fields=["revision", "status", "adopted_on", "published"])
        audit_record(
            actor=actor,
            action="arusha.plan.revised",
            obj=plan,
            organization=plan.organization,
            changes={"revision": [revision.number, plan.revision], "reason": [None, revision.reason]},
        )
        return revision


def plan_publish(*, actor: User, plan: ActionPlan, published: bool) -> ActionPlan:
    """Show the adopted plan to the public, confidential activities withheld, or stop showing it."""
    if published and plan.status != PlanStatus.ADOPTED:
        raise DomainError(_("Only an adopted plan is published."))
    with scope(organization=plan.organization), transaction.atomic():
        before = snapshot(plan, ("published",))
        plan.published = published
        plan.save(update_fields=["published"])
        audit_change(
            actor=actor,
            action="arusha.plan.published" if published else "arusha.plan.unpublished",
            obj=plan,
            organization=plan.organization,
            fields=("published",),
            before=before,
        )
        return plan
