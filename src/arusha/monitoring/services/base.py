"""What the monitoring services share: field lists, the membership check, periods."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope

from arusha.core.concurrency import save_versioned, stale
from arusha.core.errors import DomainError
from arusha.core.models import Membership, User
from arusha.monitoring import periods
from arusha.monitoring.models import (
    ReportingPeriod,
)

if TYPE_CHECKING:
    from arusha.planning.models import ActionPlan

M = TypeVar("M", bound=models.Model)


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


# --- One row per subject, edited from a form that carries its version -----------------------
#
# Set-up, progress reports, measurements, evaluations and gap entries are one row per
# subject (a plan, an activity and period, a KPI and period…), created by the first save
# and changed by the later ones. Their forms carry the version they were read at, and 0
# when nothing was saved yet: a form read before someone else's first save is as stale
# as one read before their change.


def _row_to_write(found: M | None, new: M, *, version: int | None) -> M:
    """The row a save writes: the one found, or `new`; refused if the form is older than the row."""
    if found is not None:
        if version == 0:  # read while nothing was saved: someone saved first meanwhile
            raise stale(found)
        return found
    if version:  # read at a version of a row that is gone since
        raise DomainError(_("Someone deleted this while you were writing. Your text is not saved."))
    return new


def _write_row(obj: M, *, version: int | None, fields: Iterable[str], lookup: dict[str, Any]) -> M:
    """Insert the new row, or update the found one if it is still at `version` (save_versioned)."""
    if obj.pk is not None:
        return save_versioned(obj, version=version, fields=fields)
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        # Someone created the same row at the same moment (PostgreSQL: the unique
        # constraint waited for their commit; SQLite's IMMEDIATE transactions take turns).
        theirs = type(obj)._base_manager.filter(**lookup).first()
        if theirs is None:
            raise
        raise stale(theirs) from None
    return obj
