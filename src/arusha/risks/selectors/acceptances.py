"""Reads of the acceptances of risks: their state as a screen shows it, and those that end soon
or have ended (the risk must then be treated, or accepted again)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope

from arusha.core.models import Organization
from arusha.risks.models import Acceptance
from arusha.risks.vocabulary import AcceptanceStatus


def acceptance_state(acceptance: Acceptance, today: datetime.date | None = None) -> tuple[str, str]:
    """The acceptance's state as shown: an approval past its end date reads "expired" (it stays approved)."""
    today = today or timezone.localdate()
    if (
        acceptance.status == AcceptanceStatus.APPROVED
        and acceptance.expires_on is not None
        and acceptance.expires_on < today
    ):
        return "expired", _("expired")
    return acceptance.status, str(AcceptanceStatus(acceptance.status).label)


def acceptances_expiring(organization: Organization, within_days: int) -> list[Acceptance]:
    """Approved acceptances that end within `within_days` days from today (not those already past)."""
    today = timezone.localdate()
    with scope(organization=organization):
        return list(
            Acceptance.objects.filter(
                risk__organization=organization,
                status=AcceptanceStatus.APPROVED,
                expires_on__gte=today,
                expires_on__lte=today + datetime.timedelta(days=max(within_days, 0)),
            )
            .select_related("risk", "risk__cycle", "risk__process")
            .order_by("expires_on", "pk")
        )


def acceptances_expired(organization: Organization) -> list[Acceptance]:
    """Approved acceptances whose end date has passed: the risk must be treated or accepted again."""
    with scope(organization=organization):
        return list(
            Acceptance.objects.filter(
                risk__organization=organization,
                status=AcceptanceStatus.APPROVED,
                expires_on__lt=timezone.localdate(),
            )
            .select_related("risk", "risk__cycle", "risk__process")
            .order_by("expires_on", "pk")
        )
