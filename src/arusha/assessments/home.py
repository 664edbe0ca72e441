"""What waits for a person in the assessments they take part in, for their home page.

Registered from AssessmentsConfig.ready (arusha.core.home). The same rules as the
screens (access.analysis_rights): whoever runs an assessment (a facilitating
participant, a member whose roles manage assessments, a grant to manage this one)
answers and agrees every area in scope; a contributor answers the areas of their
working group, and its rapporteur agrees them in plenary. Everything is read in a
fixed number of queries, whatever the number of assessments and questions.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_scopes import scopes_disabled

from arusha.assessments.access import FACILITATING, PERMISSION_MANAGE
from arusha.assessments.models import (
    Assessment,
    ExcludedArea,
    Participant,
    ReportVersion,
    Response,
    ResponseStatus,
)
from arusha.core.access import granted_ids
from arusha.core.home import WorkItem, Workspace
from arusha.frameworks.models import Question


@dataclass
class Involvement:
    """One assessment the person takes part in, what they may do in it, and what waits there."""

    assessment: Assessment
    role: str
    participant: Participant | None = None
    runs: bool = False
    edit: set[str] = field(default_factory=set)
    agree: set[str] = field(default_factory=set)
    to_answer: int = 0
    to_agree: int = 0

    @property
    def url(self) -> str:
        return reverse("assessment-detail", args=[self.assessment.organization.slug, self.assessment.pk])

    @property
    def analysis_url(self) -> str:
        return reverse("assessment-analysis", args=[self.assessment.organization.slug, self.assessment.pk])


def _involvements(workspace: Workspace) -> list[Involvement]:
    """The assessments the person takes part in: by an active participation, or by running them."""
    return workspace.remember("assessments.involvements", lambda: _read_involvements(workspace))


def _read_involvements(workspace: Workspace) -> list[Involvement]:
    user = workspace.user
    found: dict[int, Involvement] = {}
    with scopes_disabled():
        participations = Participant.objects.filter(user=user, revoked_at__isnull=True).select_related(
            "assessment__organization", "working_group"
        )
        for participant in participations:
            assessment = participant.assessment
            # A member invited as such takes part no longer once they left the organization.
            if not participant.is_guest and not workspace.is_member(assessment.organization_id):
                continue
            found[assessment.pk] = Involvement(
                assessment=assessment,
                role=participant.get_idg_role_display(),
                participant=participant,
                runs=participant.idg_role in FACILITATING,
            )
        runner_orgs = workspace.organizations_with(PERMISSION_MANAGE)
        granted = granted_ids(user, PERMISSION_MANAGE, Assessment)
        if runner_orgs or granted:
            run = Assessment.objects.filter(organization_id__in=runner_orgs) | Assessment.objects.filter(
                pk__in=[int(pk) for pk in granted if pk.isdigit()]
            )
            for assessment in run.select_related("organization"):
                involvement = found.setdefault(
                    assessment.pk, Involvement(assessment=assessment, role=str(_("Runs the assessment")))
                )
                involvement.runs = True
    return sorted(
        found.values(),
        key=lambda i: (
            i.assessment.organization.name,
            -i.assessment.planned_start.toordinal(),
            i.assessment.pk,
        ),
    )


def _with_work(involvements: list[Involvement]) -> list[Involvement]:
    """Count the questions each person still has to answer, and the answers waiting for the plenary."""
    if not involvements:
        return involvements
    ids = [i.assessment.pk for i in involvements]
    versions = {i.assessment.framework_version_id for i in involvements}
    with scopes_disabled():
        excluded: dict[int, set[str]] = defaultdict(set)
        for assessment_id, code in ExcludedArea.objects.filter(assessment_id__in=ids).values_list(
            "assessment_id", "area_code"
        ):
            excluded[assessment_id].add(code)
        questions: dict[int, dict[str, int]] = defaultdict(dict)
        for row in (
            Question.objects.filter(version_id__in=versions)
            .values("version_id", "area__code")
            .annotate(n=Count("id"))
        ):
            questions[row["version_id"]][row["area__code"]] = row["n"]
        answered: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        proposed: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for row in (
            Response.objects.filter(assessment_id__in=ids, version__gt=0)
            .values("assessment_id", "area_code", "status")
            .annotate(n=Count("id"))
        ):
            answered[row["assessment_id"]][row["area_code"]] += row["n"]
            if row["status"] == ResponseStatus.PROPOSED:
                proposed[row["assessment_id"]][row["area_code"]] += row["n"]
        reported = set(
            ReportVersion.objects.filter(assessment_id__in=ids).values_list("assessment_id", flat=True)
        )
    for involvement in involvements:
        assessment = involvement.assessment
        in_scope = set(questions[assessment.framework_version_id]) - excluded[assessment.pk]
        participant = involvement.participant
        group = participant.working_group if participant is not None else None
        if involvement.runs:
            involvement.edit = involvement.agree = in_scope
        elif group is not None:
            involvement.edit = set(group.area_codes) & in_scope
            if participant is not None and group.rapporteur_id == participant.pk:
                involvement.agree = involvement.edit
        if assessment.pk in reported:
            continue  # the final report is out: nothing waits for answers any more
        counts = questions[assessment.framework_version_id]
        involvement.to_answer = sum(counts[c] - answered[assessment.pk][c] for c in involvement.edit)
        involvement.to_agree = sum(proposed[assessment.pk][c] for c in involvement.agree)
    return involvements


def _item(involvement: Involvement, text: str, count: int, query: str) -> WorkItem:
    assessment = involvement.assessment
    return WorkItem(
        organization=assessment.organization,
        place=assessment.title,
        place_url=involvement.url,
        text=text,
        count=count,
        url=involvement.analysis_url + query,
    )


def assessment_work(workspace: Workspace) -> list[WorkItem]:
    """Answers to give and answers waiting for the plenary, per assessment."""
    items = []
    for involvement in _with_work(_involvements(workspace)):
        mine = "" if involvement.runs else "&mine=1"
        if involvement.to_answer:
            n = involvement.to_answer
            text = ngettext("%(count)s question to answer", "%(count)s questions to answer", n) % {"count": n}
            items.append(_item(involvement, text, n, f"?status=unanswered{mine}"))
        if involvement.to_agree:
            n = involvement.to_agree
            text = ngettext(
                "%(count)s answer proposed to the plenary, waiting for its agreement",
                "%(count)s answers proposed to the plenary, waiting for their agreement",
                n,
            ) % {"count": n}
            items.append(_item(involvement, text, n, f"?status=proposed{mine}"))
    return items


def assessments_taken_part(workspace: Workspace) -> list[Involvement]:
    """The assessments of the home page's list, across organizations."""
    return _involvements(workspace)
