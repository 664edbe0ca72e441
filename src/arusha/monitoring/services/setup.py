"""Writes of monitoring: setting up a plan's monitoring and its reporting periods."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _
from django_scopes import scope

from arusha.core.audit import audit_change, snapshot
from arusha.core.errors import DomainError
from arusha.core.models import User
from arusha.monitoring.access import require, rights
from arusha.monitoring.models import (
    Measurement,
    MonitoringSetup,
    ProgressReport,
    ReportingPeriod,
)
from arusha.planning import selectors as planning_selectors

if TYPE_CHECKING:
    from arusha.planning.models import ActionPlan

from arusha.monitoring.services.base import (
    _SETUP_FIELDS,
    _is_member,
    _lay_out_periods,
    _row_to_write,
    _write_row,
)


def setup_save(
    *,
    actor: User,
    plan: ActionPlan,
    frequency: str,
    coordinator: User,
    report_days: int = 15,
    due_soon_days: int = 14,
    escalate_days: int = 7,
    version: int | None = None,
) -> MonitoringSetup:
    """Set how an adopted plan is monitored and lay out its reporting periods.

    The periods are laid out again when the frequency changes, as long as nothing has
    been reported in them yet. `version` is the one the form was read at (0: before any
    set-up was saved): a save over a newer set-up is refused.
    """
    require(rights(plan, actor).manage)
    with scope(organization=plan.organization):
        monitored = ReportingPeriod.objects.filter(plan=plan).exists()
    if plan.status != planning_selectors.PLAN_ADOPTED and not monitored:
        raise DomainError(_("Monitoring starts once the plan is adopted."))
    if not _is_member(plan, coordinator):
        raise DomainError(_("The coordinator must be a member of the administration."), field="coordinator")
    for name, value in (("report_days", report_days), ("due_soon_days", due_soon_days)):
        if not 0 <= value <= 120:
            raise DomainError(_("Give a number of days between 0 and 120."), field=name)
    if not 1 <= escalate_days <= 120:
        raise DomainError(_("Give a number of days between 1 and 120."), field="escalate_days")
    with scope(organization=plan.organization), transaction.atomic():
        found = MonitoringSetup.objects.filter(plan=plan).first()
        setup = _row_to_write(found, MonitoringSetup(plan=plan), version=version)
        before = snapshot(found, _SETUP_FIELDS) if found else {}
        new_rhythm = found is None or setup.frequency != frequency
        if new_rhythm and (
            ProgressReport.objects.filter(period__plan=plan).exists()
            or Measurement.objects.filter(period__plan=plan).exists()
        ):
            raise DomainError(
                _("Reports and measurements exist: the reporting frequency can no longer change."),
                field="frequency",
            )
        setup.frequency = frequency
        setup.coordinator = coordinator
        setup.report_days = report_days
        setup.due_soon_days = due_soon_days
        setup.escalate_days = escalate_days
        _write_row(setup, version=version, fields=_SETUP_FIELDS, lookup={"plan": plan})
        _lay_out_periods(plan, frequency, report_days, anew=new_rhythm)
        audit_change(
            actor=actor,
            action="arusha.monitoring.set_up",
            obj=setup,
            organization=plan.organization,
            fields=_SETUP_FIELDS,
            before=before,
        )
        return setup
