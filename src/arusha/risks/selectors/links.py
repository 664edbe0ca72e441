"""What other contexts may read of risk mapping: the catalogue's processes, risks open to change."""

from __future__ import annotations

from django.db.models import QuerySet
from django_scopes import scopes_disabled

from arusha.core.access import access_of
from arusha.core.models import Organization, User
from arusha.risks.access import RiskPolicy, process_family
from arusha.risks.models import Process, Risk
from arusha.risks.services.cycles import OPEN_FOR_RISKS


def processes_of(organization: Organization) -> QuerySet[Process]:
    """The organization's catalogue, in its order, active processes only."""
    with scopes_disabled():
        return Process.objects.filter(organization=organization, active=True).order_by("position", "code")


def risks_open_to(user: User, organization: Organization) -> QuerySet[Risk]:
    """Risks the person may rate, in assessments whose register may still change."""
    access = access_of(user, organization)
    policy = RiskPolicy()
    with scopes_disabled():
        risks = Risk.objects.filter(organization=organization, cycle__status__in=OPEN_FOR_RISKS)
        visible = (
            policy.visible(access, risks).select_related("cycle", "process").order_by("cycle_id", "code")
        )
        return Risk.objects.filter(
            pk__in=[r.pk for r in visible if policy.can(access, "rate", r)]
        ).select_related("cycle", "process")


def family_of(process_id: int) -> list[int]:
    return process_family([process_id])
