"""Who may do what in one assessment.

Members of the administration act through their roles; anyone else only through an
active participation (an invitation to this one assessment). A revoked participation
grants nothing. Whoever may not see an assessment gets 404, like a missing one; whoever
sees it but may not do this gets 403.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from django_scopes import scope, scopes_disabled

from arusha.assessments.models import Assessment, IdgRole, Participant, WorkingGroup
from arusha.core.access import Access, ObjectPolicy, access_of
from arusha.core.models import User
from arusha.core.permissions import PermissionSpec, PresetRole
from arusha.core.policies import custom
from arusha.core.requests import notes_of, user_of

# Actions on an assessment (AssessmentPolicy) and the permissions that allow them
# organization-wide or, by a grant, on one assessment.
VIEW = "view"
CONTRIBUTE = "contribute"
MANAGE = "manage"
PERMISSION_VIEW = "assessments.assessment.view"
PERMISSION_CONTRIBUTE = "assessments.assessment.contribute"
PERMISSION_MANAGE = "assessments.assessment.manage"

_RUNNERS = frozenset(
    {PresetRole.ADMINISTRATOR, PresetRole.HEAD_OF_ADMINISTRATION, PresetRole.NATIONAL_CONTACT_POINT}
)
PERMISSIONS = (
    PermissionSpec(
        PERMISSION_VIEW,
        _("See every assessment of the organization"),
        _RUNNERS
        | {
            PresetRole.SENIOR_MANAGEMENT,
            PresetRole.LOCAL_FACILITATOR,
            PresetRole.CONTRIBUTOR,
            PresetRole.COORDINATOR,
            PresetRole.INTEGRITY_OFFICER,
            PresetRole.AUDITOR,
        },
    ),
    PermissionSpec(PERMISSION_CONTRIBUTE, _("Answer the questions of every assessment"), _RUNNERS),
    PermissionSpec(PERMISSION_MANAGE, _("Open assessments and run them"), _RUNNERS),
)

_FACILITATING = {IdgRole.EXTERNAL_FACILITATOR, IdgRole.LOCAL_FACILITATOR, IdgRole.NATIONAL_CONTACT_POINT}
# The IDG roles that run an assessment (answer and agree every area), for other modules.
FACILITATING = frozenset(_FACILITATING)


def _participant(assessment: Assessment, user: User | None) -> Participant | None:
    if user is None or not user.is_authenticated:
        return None
    with scopes_disabled():
        return Participant.objects.filter(assessment=assessment, user=user, revoked_at__isnull=True).first()


class AssessmentPolicy(ObjectPolicy[Assessment]):
    """Members act through their roles and grants; anyone else only through an active participation.

    A participant (an invitation to this one assessment, which may come from another
    organization) sees and contributes; a facilitating participant also runs it. A
    revoked participation grants nothing.
    """

    model = Assessment
    actions: ClassVar[Mapping[str, str]] = {
        VIEW: PERMISSION_VIEW,
        CONTRIBUTE: PERMISSION_CONTRIBUTE,
        MANAGE: PERMISSION_MANAGE,
    }
    denied_message = _("Your part in this assessment does not allow this.")

    def access(self, user: User | None, obj: Assessment) -> Access:
        return access_of(user, obj.organization)

    def rule(self, access: Access, action: str, obj: Assessment) -> bool:
        participant = _participant(obj, access.user)
        if participant is None:
            return False
        return action != MANAGE or participant.idg_role in _FACILITATING

    def rule_filter(self, access: Access) -> Q:
        if access.user is None:
            return Q(pk__in=[])
        return Q(participants__user=access.user, participants__revoked_at__isnull=True)


def assessment_permissions(assessment: Assessment, user: User) -> frozenset[str]:
    """The actions the person may take on the assessment (view, contribute, manage)."""
    policy = AssessmentPolicy()
    answers = policy.answers(policy.access(user, assessment), assessment)
    return frozenset(action for action, allowed in answers.items() if allowed)


@dataclass(frozen=True)
class AnalysisRights:
    """Which areas a person may answer, and in which they may agree answers in plenary.

    Those who run the assessment (facilitators, the NCP, the administration's managers)
    answer and agree everywhere. A contributor answers only the areas given to their
    working group; the group's rapporteur may also agree those answers.
    """

    edit: frozenset[str]
    agree: frozenset[str]
    group: WorkingGroup | None = None


def analysis_rights(
    assessment: Assessment, user: User, permissions: frozenset[str], in_scope: list[str]
) -> AnalysisRights:
    if MANAGE in permissions:
        everything = frozenset(in_scope)
        return AnalysisRights(edit=everything, agree=everything)
    if CONTRIBUTE not in permissions:
        return AnalysisRights(edit=frozenset(), agree=frozenset())
    participant = (
        Participant.objects.filter(assessment=assessment, user=user, revoked_at__isnull=True)
        .select_related("working_group")
        .first()
    )
    group = participant.working_group if participant else None
    if group is None:
        return AnalysisRights(edit=frozenset(), agree=frozenset())
    areas = frozenset(group.area_codes) & frozenset(in_scope)
    is_rapporteur = participant is not None and group.rapporteur_id == participant.pk
    return AnalysisRights(edit=areas, agree=areas if is_rapporteur else frozenset(), group=group)


def rights_for(assessment: Assessment, user: User) -> AnalysisRights:
    """The analysis rights of a person, found from their membership and participation."""
    from arusha.assessments.selectors.setup import areas_in_scope

    permissions = assessment_permissions(assessment, user)
    if VIEW not in permissions:
        raise Http404
    with scope(organization=assessment.organization):
        return analysis_rights(assessment, user, permissions, areas_in_scope(assessment))


def require(action: str) -> Callable[[HttpRequest, dict[str, Any]], None]:
    """The access rule of assessment screens: `/o/<organization>/assessments/<assessment>/...`.

    404 for whoever may not see the assessment, 403 for whoever sees it but may not do this.
    """

    def check(request: HttpRequest, kwargs: dict[str, Any]) -> None:
        notes = notes_of(request)
        if notes.organization is None:
            raise Http404
        assessment = Assessment.objects.filter(
            organization=notes.organization, pk=kwargs["assessment"]
        ).first()
        if assessment is None:
            raise Http404
        permissions = assessment_permissions(assessment, user_of(request))
        if VIEW not in permissions:
            raise Http404
        if action not in permissions:
            raise PermissionDenied(str(AssessmentPolicy.denied_message))
        notes.objects["assessment"] = assessment
        notes.answers["assessment"] = {name: name in permissions for name in (VIEW, CONTRIBUTE, MANAGE)}

    return check


can_view = custom(f"assessment:{VIEW}", require(VIEW))
can_contribute = custom(f"assessment:{CONTRIBUTE}", require(CONTRIBUTE))
can_manage = custom(f"assessment:{MANAGE}", require(MANAGE))


def _answer(request: HttpRequest, kwargs: dict[str, Any]) -> None:
    """Anyone who sees the assessment reads an answer; a POST needs the right to answer its area."""
    require(VIEW)(request, kwargs)
    if request.method != "POST":
        return
    from arusha.assessments.selectors.analysis import question_get

    assessment = notes_of(request).objects["assessment"]
    question = question_get(assessment, kwargs["code"])
    if question.area.code not in rights_for(assessment, user_of(request)).edit:
        raise PermissionDenied(str(AssessmentPolicy.denied_message))


# The answer page: read by all who see the assessment, saved by those who answer its area.
can_answer = custom("assessment:view/post:answer-area", _answer)
