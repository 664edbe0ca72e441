"""What the monitoring services share: field lists, the membership check, periods."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope

from arusha.core.errors import DomainError
from arusha.core.models import Membership, User
from arusha.monitoring import periods
from arusha.monitoring.models import (
    ReportingPeriod,
)

if TYPE_CHECKING:
    from arusha.planning.models import ActionPlan


_SETUP_FIELDS = ("frequency", "coordinator", "report_days", "due_soon_days", "escalate_days")
_REPORT_FIELDS = ("percent_done", "status", "narrative", "obstacles")


def _is_member(plan: ActionPlan, user: User) -> bool:
    with scope(organization=plan.organization):
        return Membership.objects.filter(organization=plan.organization, user=user, is_active=True).exists()


def _today() -> datetime.date:
    return timezone.localdate()


def _lay_out_periods(plan: ActionPlan, frequency: str, report_days: int, *, anew: bool) -> None:
    """The calendar periods of a new rhythm; otherwise only their reporting deadlines move."""
    delay = datetime.timedelta(days=report_days)
    if anew:
        ReportingPeriod.objects.filter(plan=plan).delete()
        ReportingPeriod.objects.bulk_create(
            ReportingPeriod(plan=plan, label=s.label, start=s.start, end=s.end, report_due=s.end + delay)
            for s in periods.spans(frequency, plan.period_start, plan.period_end)
        )
        return
    existing = list(ReportingPeriod.objects.filter(plan=plan))
    for period in existing:
        period.report_due = period.end + delay
    ReportingPeriod.objects.bulk_update(existing, ["report_due"])


def _check_period(plan: ActionPlan, period: ReportingPeriod) -> None:
    if period.plan_id != plan.pk:
        raise DomainError(_("The period belongs to another plan."), field="period")
    if period.start > _today():
        raise DomainError(_("This period has not started yet."), field="period")
