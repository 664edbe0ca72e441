"""Who may do what in one assessment.

Members of the administration act through their roles; anyone else only through an
active participation (an invitation to this one assessment). A revoked participation
grants nothing. Refusals are 404, like a missing assessment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from arusha.assessments.models import Assessment, IdgRole, Participant
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
