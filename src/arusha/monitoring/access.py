"""Who may do what in the monitoring of one plan.

Every member of the administration reads. Managers and the plan's coordinator run
the monitoring (periods, meetings, work plan, verification, evaluation, review). A
performer reports on their own activities; a KPI's owner enters its measurements.
The services check these rules themselves, so no screen or API can skip them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django_scopes import scope

from arusha.core.models import Membership, User
from arusha.core.roles import Permission
from arusha.monitoring.models import FollowUp, Measurement, MonitoringSetup, MonitoringTask
from arusha.planning.models import ActionPlan, Activity, Kpi


@dataclass(frozen=True)
class Rights:
    user_id: int
    manage: bool
    coordinate: bool

    def report_on(self, activity: Activity) -> bool:
        return self.coordinate or activity.performer_id == self.user_id

    def measure(self, kpi: Kpi) -> bool:
        return self.coordinate or kpi.owner_id == self.user_id

    def verify(self, measurement: Measurement) -> bool:
        """The coordinator's check of someone else's entry."""
        return self.coordinate and measurement.entered_by_id != self.user_id

    def close(self, follow_up: FollowUp) -> bool:
        return self.coordinate or follow_up.owner_id == self.user_id

    def complete(self, task: MonitoringTask) -> bool:
        return self.coordinate or task.assignee_id == self.user_id


def rights(plan: ActionPlan, user: User, setup: MonitoringSetup | None = None) -> Rights:
    with scope(organization=plan.organization):
        membership = Membership.objects.filter(organization=plan.organization, user=user).first()
        if setup is None:
            setup = MonitoringSetup.objects.filter(plan=plan).first()
    permissions = membership.permissions if membership is not None else frozenset()
    manage = Permission.MANAGE in permissions
    coordinator = setup is not None and setup.coordinator_id == user.pk and Permission.VIEW in permissions
    return Rights(user_id=user.pk, manage=manage, coordinate=manage or coordinator)


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You may not do this in the monitoring of this plan."))
