"""Reads of action planning, inside the organization's scope."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from arusha.assessments import selectors as assessment_selectors
from arusha.core.access import Access
from arusha.core.models import Organization
from arusha.planning.access import PlanPolicy
from arusha.planning.models import (
    ActionPlan,
    Activity,
    Kpi,
    KpiTarget,
    Objective,
    Outcome,
    PlanStatus,
    SignOff,
    SignOffStage,
    Stakeholder,
    StrategicObjective,
)
from arusha.planning.priority import Level

if TYPE_CHECKING:
    from arusha.assessments.models import Finding


def plan_list(organization: Organization, access: Access) -> QuerySet[ActionPlan]:
    """The plans the person may see: all of them with the permission, else those granted to them."""
    plans = ActionPlan.objects.filter(organization=organization).select_related("assessment")
    return PlanPolicy().visible(access, plans)


def plan_get(organization: Organization, pk: int) -> ActionPlan:
    plan = ActionPlan.objects.filter(organization=organization, pk=pk).select_related("assessment").first()
    if plan is None:
        raise Http404
    return plan


def outcomes_of(plan: ActionPlan) -> list[Outcome]:
    return list(plan.outcomes.all())


def objectives_of(plan: ActionPlan) -> list[Objective]:
    return list(plan.objectives.select_related("outcome").prefetch_related("kpis"))


def period_warnings(plan: ActionPlan) -> list[str]:
    """Why the plan's period does not follow its assessment, in words; none when it does.

    A plan answers the findings of its assessment, so it starts once the assessment has
    ended (its planned end: the assessment keeps no other end date). These are warnings,
    not refusals: a plan adopted before the platform may be typed in as it was.
    """
    warnings = []
    if plan.period_end <= plan.period_start:
        warnings.append(
            _("The plan's period is empty or inverted: it runs from %(start)s to %(end)s.")
            % {"start": date_format(plan.period_start), "end": date_format(plan.period_end)}
        )
    assessment = plan.assessment
    if plan.period_start < assessment.planned_end:
        warnings.append(
            _(
                "The plan starts on %(start)s, before its assessment “%(title)s” ends (%(end)s). "
                "A plan answers the assessment's findings: check the dates of both."
            )
            % {
                "start": date_format(plan.period_start),
                "title": assessment.title,
                "end": date_format(assessment.planned_end),
            }
        )
    return warnings


def activity_get(plan: ActionPlan, pk: int) -> Activity:
    activity = (
        Activity.objects.filter(plan=plan, pk=pk)
        .select_related("responsible_division", "performer", "objective")
        .prefetch_related("findings", "strategic_objectives", "depends_on", "kpis")
        .first()
    )
    if activity is None:
        raise Http404
    return activity


_RANK = {Level.HIGH: 0, Level.MEDIUM: 1, Level.LOW: 2, "": 3}


def board(plan: ActionPlan, *, priority: str = "", area: str = "", objective: str = "") -> list[Activity]:
    """The activities, highest derived priority first, then by title; optionally filtered."""
    activities = (
        Activity.objects.filter(plan=plan)
        .select_related("objective", "performer")
        .prefetch_related("findings")
    )
    if priority:
        activities = activities.filter(priority="" if priority == "unrated" else priority)
    if area:
        activities = activities.filter(area_code=area)
    if objective.isdigit():
        activities = activities.filter(objective_id=int(objective))
    return sorted(activities, key=lambda a: (_RANK.get(a.priority, 3), a.title.lower()))


@dataclass(frozen=True)
class FindingAnswer:
    finding: Finding
    activities: list[Activity]


def findings_with_activities(plan: ActionPlan) -> list[FindingAnswer]:
    """Each finding of the plan's assessment with the activities of this plan that answer it."""
    findings = list(assessment_selectors.findings_of(plan.assessment))
    answering: dict[int, list[Activity]] = {f.pk: [] for f in findings}
    for activity in Activity.objects.filter(plan=plan).prefetch_related("findings"):
        for finding in activity.findings.all():
            answering.setdefault(finding.pk, []).append(activity)
    return [FindingAnswer(f, answering[f.pk]) for f in findings]


@dataclass(frozen=True)
class Resources:
    """Budgets summed per currency: for the plan, per year and per division. Currencies are never mixed."""

    total: list[tuple[str, Decimal]]
    by_year: list[tuple[int | None, str, Decimal]]
    by_division: list[tuple[str, str, Decimal]]
    unbudgeted: int


def resources(plan: ActionPlan) -> Resources:
    """An activity counts in the year it starts (or, without a start, the year it is due)."""
    total: dict[str, Decimal] = {}
    by_year: dict[tuple[int | None, str], Decimal] = {}
    by_division: dict[tuple[str, str], Decimal] = {}
    unbudgeted = 0
    for activity in Activity.objects.filter(plan=plan).select_related("responsible_division"):
        if activity.budget_amount is None:
            unbudgeted += 1
            continue
        currency, amount = activity.budget_currency, activity.budget_amount
        day = activity.start_date or activity.due_date
        division = str(activity.responsible_division or "")
        total[currency] = total.get(currency, Decimal(0)) + amount
        key_year = (day.year if day else None, currency)
        by_year[key_year] = by_year.get(key_year, Decimal(0)) + amount
        key_division = (division, currency)
        by_division[key_division] = by_division.get(key_division, Decimal(0)) + amount
    return Resources(
        total=sorted(total.items()),
        by_year=sorted(((y, c, a) for (y, c), a in by_year.items()), key=lambda r: (r[0] or 9999, r[1])),
        by_division=sorted((d, c, a) for (d, c), a in by_division.items()),
        unbudgeted=unbudgeted,
    )


@dataclass(frozen=True)
class Change:
    what: str  # "added", "removed" or "changed"
    item: str
    before: str
    after: str


def revision_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """What changed between two contents of a plan (see services.plan_content)."""
    changes: list[Change] = []
    for key in ("strategic_plan", "national_strategy"):
        if (old.get(key) or "") != (new.get(key) or ""):
            changes.append(Change("changed", key, str(old.get(key) or ""), str(new.get(key) or "")))
    for key in ("outcomes", "objectives"):
        before, after = set(old.get(key, [])), set(new.get(key, []))
        changes += [Change("removed", key, item, "") for item in sorted(before - after)]
        changes += [Change("added", key, "", item) for item in sorted(after - before)]
    old_acts, new_acts = old.get("activities", {}), new.get("activities", {})
    for pk in sorted(set(old_acts) | set(new_acts), key=int):
        a, b = old_acts.get(pk), new_acts.get(pk)
        if a is None:
            changes.append(Change("added", b["title"], "", ""))
        elif b is None:
            changes.append(Change("removed", a["title"], "", ""))
        else:
            # A field that an older revision did not keep yet reads as empty, not as changed.
            for field in sorted(set(a) | set(b)):
                if a.get(field, "") != b.get(field, ""):
                    changes.append(
                        Change(
                            "changed", f"{b['title']} · {field}", str(a.get(field, "")), str(b.get(field, ""))
                        )
                    )
    return changes


def open_sign_off_stages(plan: ActionPlan) -> list[tuple[str, str]]:
    """The stages that may be signed next for the plan's revision: each needs the one before."""
    done = set(SignOff.objects.filter(plan=plan, revision=plan.revision).values_list("stage", flat=True))
    stages = list(SignOffStage)
    return [
        (stage.value, str(stage.label))
        for index, stage in enumerate(stages)
        if stage.value not in done and (index == 0 or stages[index - 1].value in done)
    ]


def finding_of_plan(plan: ActionPlan, pk: str) -> Finding | None:
    """A finding of the plan's assessment, by the id a form sent (None if there is none)."""
    if not pk.isdigit():
        return None
    return assessment_selectors.findings_of(plan.assessment).filter(pk=int(pk)).first()


def strategic_objectives_of(organization: Organization) -> QuerySet[StrategicObjective]:
    return StrategicObjective.objects.filter(organization=organization).annotate(uses=Count("activities"))


def stakeholders_of(organization: Organization) -> QuerySet[Stakeholder]:
    return Stakeholder.objects.filter(organization=organization).annotate(count=Count("consultations"))


def kpi_library(organization: Organization) -> QuerySet[Kpi]:
    # Into lists (to_attr): a prefetch into the related managers built a queryset per KPI and
    # relation (200 for 100 KPIs), which the garbage collector then had to find in cycles.
    return Kpi.objects.filter(organization=organization).prefetch_related(
        Prefetch("objectives", Objective.objects.select_related("plan"), to_attr="objectives_measured"),
        Prefetch("activities", Activity.objects.select_related("plan"), to_attr="activities_measured"),
    )


def kpi_choices(organization: Organization) -> QuerySet[Kpi]:
    """The library, for choosing an activity's or an objective's indicators."""
    return Kpi.objects.filter(organization=organization).only("code", "name", "organization_id")


def kpi_get(organization: Organization, pk: int) -> Kpi:
    kpi = Kpi.objects.filter(organization=organization, pk=pk).prefetch_related("targets", "related").first()
    if kpi is None:
        raise Http404
    return kpi


def objective_get(plan: ActionPlan, pk: int) -> Objective:
    objective = Objective.objects.filter(plan=plan, pk=pk).first()
    if objective is None:
        raise Http404
    return objective


def area_codes_of(plan: ActionPlan) -> list[str]:
    """The areas the plan's activities belong to, sorted: one query."""
    codes = Activity.objects.filter(plan=plan).exclude(area_code="").values_list("area_code", flat=True)
    return sorted(set(codes))


# --- Reads for the contexts built on planning (monitoring): they never query planning's
# models themselves, so these are their way in.

# The plan states, for comparisons in other contexts.
PLAN_ADOPTED = PlanStatus.ADOPTED


def plan_activities(plan: ActionPlan) -> QuerySet[Activity]:
    return Activity.objects.filter(plan=plan)


def plan_objectives(plan: ActionPlan) -> QuerySet[Objective]:
    return Objective.objects.filter(plan=plan)


def _measuring(plan: ActionPlan) -> Q:
    """KPIs of the plan: those measuring its objectives and those its activities carry."""
    return Q(objectives__plan=plan) | Q(activities__plan=plan)


def kpis_measuring(plan: ActionPlan, objectives: QuerySet[Objective] | None = None) -> QuerySet[Kpi]:
    """The KPIs that measure the plan's objectives or its activities (or those of some
    objectives and their activities), once each."""
    if objectives is None:
        wanted = _measuring(plan)
    else:
        wanted = Q(objectives__in=objectives) | Q(activities__objective__in=objectives)
    return Kpi.objects.filter(wanted, organization=plan.organization).distinct()


def kpi_targets_by_date() -> QuerySet[KpiTarget]:
    return KpiTarget.objects.order_by("date")


def plan_kpi(plan: ActionPlan, pk: int) -> QuerySet[Kpi]:
    return Kpi.objects.filter(_measuring(plan), organization=plan.organization, pk=pk).distinct()


def no_kpis() -> QuerySet[Kpi]:
    """An empty choice of KPIs, for a form field filled in later (no query, no scope needed)."""
    return Kpi.objects.none()


def kpis_among(pks: list[int]) -> QuerySet[Kpi]:
    return Kpi.objects.filter(pk__in=pks)


def activities_among(pks: list[int]) -> QuerySet[Activity]:
    return Activity.objects.filter(pk__in=pks)


def kpi_measures(plan: ActionPlan, kpi: Kpi) -> bool:
    """Whether the KPI measures one of the plan's objectives or activities."""
    return (
        kpi.organization_id == plan.organization_id
        and Kpi.objects.filter(_measuring(plan), pk=kpi.pk).exists()
    )
