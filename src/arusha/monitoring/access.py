"""Who may do what in the monitoring of one plan.

Whoever may read the plan (planning.plan.view, or a grant on the plan) reads its
monitoring. Holders of `monitoring.plan.monitor` (organization-wide or granted on the
plan) and the plan's coordinator run the monitoring (periods, meetings, work plan,
verification, evaluation, review). A performer reports on their own activities; a
KPI's owner enters its measurements. The services check these rules themselves,
through `rights()`, which answers 404 to anyone who may not see the plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scope

from arusha.core.access import authorize, has_grant
from arusha.core.models import User
from arusha.core.permissions import PermissionSpec, PresetRole
from arusha.monitoring.models import FollowUp, Measurement, MonitoringSetup, MonitoringTask

if TYPE_CHECKING:
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


MONITOR = "monitoring.plan.monitor"

PERMISSIONS = (
    PermissionSpec(
        MONITOR,
        gettext_lazy("Run the monitoring, evaluation and review of action plans"),
        frozenset(
            {
                PresetRole.ADMINISTRATOR,
                PresetRole.HEAD_OF_ADMINISTRATION,
                PresetRole.NATIONAL_CONTACT_POINT,
                PresetRole.COORDINATOR,
            }
        ),
    ),
)


def rights(plan: ActionPlan, user: User, setup: MonitoringSetup | None = None) -> Rights:
    """The person's rights in this plan's monitoring; 404 when they may not see the plan."""
    access = authorize(user, "view", plan)
    if setup is None:
        with scope(organization=plan.organization):
            setup = MonitoringSetup.objects.filter(plan=plan).first()
    manage = access.has(MONITOR) or has_grant(user, MONITOR, plan)
    coordinator = setup is not None and setup.coordinator_id == user.pk
    return Rights(user_id=user.pk, manage=manage, coordinate=manage or coordinator)


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You may not do this in the monitoring of this plan."))
