"""Who may do what in one assessment.

Members of the administration act through their roles; anyone else only through an
active participation (an invitation to this one assessment). A revoked participation
grants nothing. Refusals are 404, like a missing assessment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from django_scopes import scope, scopes_disabled

from arusha.assessments.models import Assessment, IdgRole, Participant, WorkingGroup
from arusha.core.models import Membership, User
from arusha.core.policies import custom
from arusha.core.roles import Permission

VIEW = "assessment.view"
CONTRIBUTE = "assessment.contribute"
MANAGE = "assessment.manage"
LABELS = {VIEW: _("see the assessment"), CONTRIBUTE: _("contribute"), MANAGE: _("run the assessment")}

_FACILITATING = {IdgRole.EXTERNAL_FACILITATOR, IdgRole.LOCAL_FACILITATOR, IdgRole.NATIONAL_CONTACT_POINT}


def assessment_permissions(
    assessment: Assessment, user: User, membership: Membership | None
) -> frozenset[str]:
    granted: set[str] = set()
    if membership is not None and membership.organization_id == assessment.organization_id:
        if Permission.MANAGE in membership.permissions:
            granted |= {VIEW, CONTRIBUTE, MANAGE}
        elif Permission.VIEW in membership.permissions:
            granted.add(VIEW)
    participant = Participant.objects.filter(
        assessment=assessment, user=user, revoked_at__isnull=True
    ).first()
    if participant is not None:
        granted |= {VIEW, CONTRIBUTE}
        if participant.idg_role in _FACILITATING:
            granted.add(MANAGE)
    return frozenset(granted)


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

    with scope(organization=assessment.organization):
        membership = Membership.objects.filter(organization=assessment.organization, user=user).first()
        permissions = assessment_permissions(assessment, user, membership)
        return analysis_rights(assessment, user, permissions, areas_in_scope(assessment))


def require(permission: str) -> Callable[[HttpRequest, dict[str, Any]], None]:
    """The access rule of assessment screens: `/o/<organization>/assessments/<assessment>/...`."""

    def check(request: HttpRequest, kwargs: dict[str, Any]) -> None:
        organization = getattr(request, "organization", None)
        if organization is None:
            raise Http404
        assessment = Assessment.objects.filter(organization=organization, pk=kwargs["assessment"]).first()
        if assessment is None:
            raise Http404
        user: User = request.user  # type: ignore[assignment]
        permissions = assessment_permissions(assessment, user, getattr(request, "membership", None))
        if permission not in permissions:
            raise Http404
        request.assessment = assessment  # type: ignore[attr-defined]
        request.assessment_permissions = permissions  # type: ignore[attr-defined]

    return check


def participations_of(user: User) -> list[Participant]:
    """Every assessment a person is invited to, across organizations: their home page."""
    with scopes_disabled():
        return list(
            Participant.objects.filter(user=user, revoked_at__isnull=True)
            .select_related("assessment", "assessment__organization")
            .order_by("assessment__organization__name", "-assessment__planned_start")
        )


can_view = custom(f"assessment:{VIEW}", require(VIEW))
can_contribute = custom(f"assessment:{CONTRIBUTE}", require(CONTRIBUTE))
can_manage = custom(f"assessment:{MANAGE}", require(MANAGE))
