"""Reads of assessment cycles for their screens: the list, the summary, the group, the evidence.

Everything is filtered by the organization given (views pass the one of the URL) and,
for the register's figures, by what the person may see of it: someone who sees a cycle
through one office or one process counts only those risks.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django_scopes import scopes_disabled

from arusha.core.access import Access
from arusha.core.models import Division, Membership, Organization, User
from arusha.risks.access import CyclePolicy, RiskPolicy, process_family
from arusha.risks.appetite import scale_of, standing
from arusha.risks.models import Cycle, CycleMember, Evidence, Matrix, Process, Risk
from arusha.risks.services.cycles import BACK, NEXT
from arusha.risks.services.guards import ProcessCodes, uncovered
from arusha.risks.vocabulary import CYCLE_ORDER, CycleStatus


def reassessment_overdue(cycle: Cycle, today: datetime.date | None = None) -> bool:
    """The re-assessment date has passed and the cycle is not closed."""
    today = today or timezone.localdate()
    return cycle.reassess_on is not None and cycle.reassess_on < today and cycle.status != CycleStatus.CLOSED


def visible_risks(access: Access, cycle: Cycle) -> QuerySet[Risk]:
    """The cycle's risks the person may see."""
    with scopes_disabled():
        return RiskPolicy().visible(access, Risk.objects.filter(organization=cycle.organization, cycle=cycle))


@dataclass(frozen=True)
class CycleRow:
    cycle: Cycle
    risks: int
    overdue: bool


def cycles_for(access: Access, organization: Organization) -> list[CycleRow]:
    """The cycles the person may see, newest first, with the number of their risks they may see."""
    with scopes_disabled():
        cycles = list(
            CyclePolicy()
            .visible(access, Cycle.objects.filter(organization=organization))
            .select_related("matrix")
            .order_by("-created_at", "-id")
        )
        risks = RiskPolicy().visible(
            access, Risk.objects.filter(organization=organization, cycle__in=[c.pk for c in cycles])
        )
        counts = dict(
            Risk.objects.filter(pk__in=risks.values("pk"))
            .order_by()
            .values("cycle_id")
            .annotate(n=Count("pk"))
            .values_list("cycle_id", "n")
        )
    today = timezone.localdate()
    return [CycleRow(c, counts.get(c.pk, 0), reassessment_overdue(c, today)) for c in cycles]


@dataclass(frozen=True)
class Step:
    code: str
    label: str
    state: str  # "done", "current" or "todo"


def steps_of(cycle: Cycle) -> list[Step]:
    """The nine steps, each done, current or still to come."""
    here = CYCLE_ORDER.index(cycle.status)
    labels = dict(CycleStatus.choices)
    return [
        Step(
            code,
            str(labels[code]),
            "done"
            if index < here or cycle.status == CycleStatus.CLOSED
            else "current"
            if index == here
            else "todo",
        )
        for index, code in enumerate(CYCLE_ORDER)
    ]


def next_step(cycle: Cycle) -> tuple[str, str, str] | None:
    """(status, its label, the cycle policy's action it needs), or None once closed."""
    if cycle.status not in NEXT:
        return None
    target, action = NEXT[cycle.status]
    return target, str(dict(CycleStatus.choices)[target]), action


def previous_step(cycle: Cycle) -> tuple[str, str] | None:
    """(status, its label) the cycle would be sent back to, or None."""
    if cycle.status not in BACK:
        return None
    back = BACK[cycle.status]
    return back, str(dict(CycleStatus.choices)[back])


@dataclass(frozen=True)
class LevelCount:
    code: str
    label: str
    colour: str
    count: int


@dataclass
class Summary:
    total: int = 0
    unrated: int = 0
    above: int = 0
    uncovered: int = 0
    levels: list[LevelCount] = field(default_factory=list)


def summary_of(access: Access, cycle: Cycle) -> Summary:
    """The risks the person may see: by current level, above appetite, without an answer."""
    summary = Summary()
    with scopes_disabled():
        risks = list(
            visible_risks(access, cycle)
            .select_related("process")
            .prefetch_related("treatments", "acceptances")
        )
    summary.total = len(risks)
    summary.unrated = sum(1 for risk in risks if not risk.current_level)
    scale = scale_of(cycle)
    if scale is None:
        return summary
    by_level: dict[str, int] = {}
    codes = ProcessCodes()
    for risk in risks:
        if risk.current_level:
            by_level[risk.current_level] = by_level.get(risk.current_level, 0) + 1
        if standing(risk, scale, codes.of(risk)).above:
            summary.above += 1
            if uncovered(risk, scale, codes.of(risk)) is not None:
                summary.uncovered += 1
    language = (get_language() or "en").split("-")[0]
    summary.levels = [
        LevelCount(level.code, level.label, level.colour, by_level.get(level.code, 0))
        for level in reversed(scale.levels(language))
    ]
    return summary


def processes_in_scope(cycle: Cycle) -> list[Process]:
    with scopes_disabled():
        return list(cycle.processes.order_by("position", "code"))


def offices_in_scope(cycle: Cycle) -> list[Division]:
    with scopes_disabled():
        return list(cycle.offices.order_by("name"))


def scope_family(cycle: Cycle) -> QuerySet[Process]:
    """The processes in scope and those under them (what a member may declare a conflict on)."""
    with scopes_disabled():
        ids = process_family([p.pk for p in cycle.processes.all()])
        return Process.objects.filter(pk__in=ids).order_by("position", "code")


# --- Choices of the forms ----------------------------------------------------------------


def matrices_of(organization: Organization) -> QuerySet[Matrix]:
    with scopes_disabled():
        return Matrix.objects.filter(organization=organization).order_by("code", "-number")


def catalogue_of(organization: Organization) -> QuerySet[Process]:
    """The catalogue's processes in use, in its order."""
    with scopes_disabled():
        return Process.objects.filter(organization=organization, active=True).order_by("position", "code")


def offices_of(organization: Organization) -> QuerySet[Division]:
    with scopes_disabled():
        return Division.objects.filter(organization=organization).order_by("name")


def earlier_cycles(organization: Organization, cycle: Cycle | None = None) -> QuerySet[Cycle]:
    """The cycles another may follow (all of the organization's but itself)."""
    with scopes_disabled():
        found = Cycle.objects.filter(organization=organization).order_by("-created_at", "-id")
        return found.exclude(pk=cycle.pk) if cycle is not None else found


def candidates_for(cycle: Cycle) -> QuerySet[User]:
    """Active members of the organization who are not in the working group now."""
    with scopes_disabled():
        people = Membership.objects.filter(organization_id=cycle.organization_id, is_active=True).values(
            "user_id"
        )
        inside = CycleMember.objects.filter(cycle=cycle, active=True).values("user_id")
        return User.objects.filter(pk__in=people, is_active=True).exclude(pk__in=inside).order_by("full_name")


# --- The working group and the evidence ----------------------------------------------------


def members_of(cycle: Cycle) -> list[CycleMember]:
    """The working group now: the chair first, then by role and name."""
    with scopes_disabled():
        return list(
            CycleMember.objects.filter(cycle=cycle, active=True)
            .select_related("user")
            .prefetch_related("conflicts")
            .order_by("role", "user__full_name")
        )


def member_in(cycle: Cycle, pk: int) -> CycleMember:
    """A present member of the cycle's group, or 404."""
    with scopes_disabled():
        found = (
            CycleMember.objects.select_related("user", "cycle")
            .filter(cycle=cycle, pk=pk, active=True)
            .first()
        )
    if found is None:
        raise Http404
    return found


def own_membership(cycle: Cycle, user: User) -> CycleMember | None:
    with scopes_disabled():
        return CycleMember.objects.filter(cycle=cycle, user=user, active=True).first()


def evidence_of(cycle: Cycle) -> list[Evidence]:
    with scopes_disabled():
        return list(
            Evidence.objects.filter(cycle=cycle).prefetch_related("processes").order_by("kind", "title")
        )


def evidence_in(cycle: Cycle, pk: int) -> Evidence:
    """One evidence source of the cycle, or 404."""
    with scopes_disabled():
        found = Evidence.objects.select_related("cycle").filter(cycle=cycle, pk=pk).first()
    if found is None:
        raise Http404
    return found
