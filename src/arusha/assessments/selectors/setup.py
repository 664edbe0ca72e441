"""Reads of the assessments context, inside the organization's scope."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django_scopes import scope, scopes_disabled

from arusha.assessments.annex4 import Step
from arusha.assessments.models import (
    AgendaSession,
    Assessment,
    BackgroundDocument,
    DocumentCategory,
    IdgRole,
    Participant,
    Task,
    TermsOfReference,
    WorkingGroup,
)
from arusha.core.access import Access
from arusha.core.models import Membership, Organization


def assessment_list(organization: Organization) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(organization=organization)
        .select_related("framework_version", "framework_version__framework", "responsible_division")
        .annotate(
            task_count=Count("tasks", distinct=True),
            done_count=Count("tasks", filter=Q(tasks__completed_on__isnull=False), distinct=True),
        )
        .order_by("-planned_start", "-id")
    )


def assessments_visible(organization: Organization, access: Access) -> QuerySet[Assessment]:
    """The organization's assessments that the person may see (roles, grants, participations)."""
    from arusha.assessments.access import AssessmentPolicy

    return AssessmentPolicy().visible(access, assessment_list(organization))


def previous_candidates(organization: Organization) -> QuerySet[Assessment]:
    return Assessment.objects.filter(organization=organization)


def tasks_of(assessment: Assessment) -> list[Task]:
    return list(Task.objects.filter(assessment=assessment).select_related("assignee"))


def task_get(assessment: Assessment, pk: int) -> Task:
    task = Task.objects.filter(assessment=assessment, pk=pk).select_related("assignee").first()
    if task is None:
        raise Http404
    return task


@dataclass
class StepProgress:
    step: int
    label: str
    tasks: list[Task] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(1 for task in self.tasks if task.completed_on)


def workplan(assessment: Assessment) -> list[StepProgress]:
    steps = {value: StepProgress(value, str(label)) for value, label in Step.choices}
    for task in tasks_of(assessment):
        steps[task.step].tasks.append(task)
    return list(steps.values())


@dataclass
class TimelineBar:
    task: Task
    offset: float  # percent of the whole span
    width: float


def timeline(assessment: Assessment, tasks: list[Task]) -> tuple[list[TimelineBar], int]:
    """Bars for dated tasks over the assessment's span, and the span in days."""
    start, end = assessment.planned_start, assessment.planned_end
    for task in tasks:
        start = min(start, task.start_date or start, task.due_date or start)
        end = max(end, task.due_date or end, task.start_date or end)
    span = max((end - start).days, 1)
    bars = []
    for task in tasks:
        if task.due_date is None:
            continue
        first: datetime.date = task.start_date or task.due_date
        bars.append(
            TimelineBar(
                task,
                100 * (first - start).days / span,
                max(100 * ((task.due_date - first).days + 1) / span, 1),
            )
        )
    return bars, span


def participants_of(assessment: Assessment, *, active_only: bool = False) -> QuerySet[Participant]:
    participants = Participant.objects.filter(assessment=assessment).select_related("user", "working_group")
    if active_only:
        participants = participants.filter(revoked_at__isnull=True)
    return participants


def guest_organizations(assessment: Assessment, participants: list[Participant]) -> dict[int, str]:
    """The organizations the guests among these participants come from, by person: one query.

    Lists show a guest as "Tara Trader (Traders Union)", so the host knows who speaks for whom.
    """
    guests = [p.user_id for p in participants if p.is_guest]
    if not guests:
        return {}
    found: dict[int, list[str]] = {}
    with scopes_disabled():
        memberships = (
            Membership.objects.filter(user_id__in=guests, is_active=True)
            .exclude(organization_id=assessment.organization_id)
            .order_by("organization__name")
            .values_list("user_id", "organization__name")
        )
        for user_id, name in memberships:
            found.setdefault(user_id, []).append(name)
    return {user_id: ", ".join(names) for user_id, names in found.items()}


def participant_get(assessment: Assessment, pk: int) -> Participant:
    participant = participants_of(assessment).filter(pk=pk).first()
    if participant is None:
        raise Http404
    return participant


@dataclass
class Composition:
    group: WorkingGroup
    members: list[Participant]
    genders: dict[str, int]
    internal: int
    external: int
    expertise: list[str]
    # Where each guest among the members comes from, by person (see guest_organizations).
    origins: dict[int, str] = field(default_factory=dict)

    @property
    def member_rows(self) -> list[tuple[Participant, str]]:
        return [(p, self.origins.get(p.user_id, "")) for p in self.members]


def working_groups(assessment: Assessment) -> list[Composition]:
    """Each group with its members, gender balance, internal/external mix and areas of work."""
    groups = list(WorkingGroup.objects.filter(assessment=assessment).select_related("rapporteur__user"))
    members: dict[int, list[Participant]] = {group.pk: [] for group in groups}
    everyone = list(participants_of(assessment, active_only=True).filter(working_group__isnull=False))
    for participant in everyone:
        members[participant.working_group_id].append(participant)  # type: ignore[index]
    origins = guest_organizations(assessment, everyone)
    result = []
    for group in groups:
        people = members[group.pk]
        external = sum(1 for p in people if p.is_guest or p.idg_role == IdgRole.EXTERNAL_CONTRIBUTOR)
        result.append(
            Composition(
                group=group,
                members=people,
                genders=dict(Counter(p.get_gender_display() if p.gender else "—" for p in people)),
                internal=len(people) - external,
                external=external,
                expertise=sorted({p.expertise for p in people if p.expertise}),
                origins={p.user_id: origins[p.user_id] for p in people if p.user_id in origins},
            )
        )
    return result


def working_group_get(assessment: Assessment, pk: int) -> WorkingGroup:
    group = WorkingGroup.objects.filter(assessment=assessment, pk=pk).first()
    if group is None:
        raise Http404
    return group


def documents_of(assessment: Assessment) -> list[BackgroundDocument]:
    return list(
        BackgroundDocument.objects.filter(assessment=assessment).select_related("attachment", "reviewed_by")
    )


def documents_by_category(documents: list[BackgroundDocument]) -> list[tuple[str, list[BackgroundDocument]]]:
    """Documents under the IDG's categories, in the IDG's order; empty categories left out."""
    grouped: dict[str, list[BackgroundDocument]] = {}
    for document in documents:
        grouped.setdefault(document.category, []).append(document)
    return [(str(label), grouped[value]) for value, label in DocumentCategory.choices if value in grouped]


def document_get(assessment: Assessment, pk: int) -> BackgroundDocument:
    document = (
        BackgroundDocument.objects.filter(assessment=assessment, pk=pk).select_related("attachment").first()
    )
    if document is None:
        raise Http404
    return document


def terms_of(assessment: Assessment) -> TermsOfReference:
    """The terms of reference, or blank ones not yet saved."""
    return TermsOfReference.objects.filter(assessment=assessment).first() or TermsOfReference(
        assessment=assessment
    )


def agenda_of(assessment: Assessment) -> list[AgendaSession]:
    return list(AgendaSession.objects.filter(assessment=assessment))


def session_get(assessment: Assessment, pk: int) -> AgendaSession:
    session = AgendaSession.objects.filter(assessment=assessment, pk=pk).first()
    if session is None:
        raise Http404
    return session


def areas_in_scope(assessment: Assessment) -> list[str]:
    """Codes of the areas the assessment covers, in framework order."""
    with scope(organization=assessment.organization):
        left_out = set(assessment.excluded_areas.values_list("area_code", flat=True))
    codes = assessment.framework_version.areas.values_list("code", flat=True)
    return [code for code in codes if code not in left_out]
