"""Who may do what with action plans and indicators.

Reading plans and building them are permissions of their own, held by preset roles
(the integrity coordinator builds, revises and monitors plans) or given on one plan
by a grant. The services check `authorize()` before they write; the views declare
the same policy and pass its answers to the templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from django.utils.translation import gettext_lazy as _

from arusha.core.access import Access, ObjectPolicy
from arusha.core.models import Organization
from arusha.core.permissions import PermissionSpec, PresetRole
from arusha.planning.models import ActionPlan, Activity, Kpi, StrategicObjective

VIEW = "planning.plan.view"
EDIT = "planning.plan.edit"

_READERS = frozenset(
    {
        PresetRole.ADMINISTRATOR,
        PresetRole.HEAD_OF_ADMINISTRATION,
        PresetRole.SENIOR_MANAGEMENT,
        PresetRole.NATIONAL_CONTACT_POINT,
        PresetRole.LOCAL_FACILITATOR,
        PresetRole.COORDINATOR,
        PresetRole.STEERING_COMMITTEE,
        PresetRole.PERFORMER,
        PresetRole.INTEGRITY_OFFICER,
        PresetRole.RISK_OWNER,
        PresetRole.AUDITOR,
    }
)
_BUILDERS = frozenset(
    {
        PresetRole.ADMINISTRATOR,
        PresetRole.HEAD_OF_ADMINISTRATION,
        PresetRole.NATIONAL_CONTACT_POINT,
        PresetRole.COORDINATOR,
    }
)

PERMISSIONS = (
    PermissionSpec(VIEW, _("See action plans, their indicators and their monitoring"), _READERS),
    PermissionSpec(EDIT, _("Start, build, adopt and revise action plans and indicators"), _BUILDERS),
)


class PlanPolicy(ObjectPolicy[ActionPlan]):
    model = ActionPlan
    actions: ClassVar[Mapping[str, str]] = {"view": VIEW, "edit": EDIT}
    denied_message = _("Your roles allow you to read this action plan, not to change it.")


class KpiPolicy(ObjectPolicy[Kpi]):
    model = Kpi
    actions: ClassVar[Mapping[str, str]] = {"view": VIEW, "edit": EDIT}
    denied_message = _("Your roles allow you to read this indicator, not to change it.")


class StrategicObjectivePolicy(ObjectPolicy[StrategicObjective]):
    model = StrategicObjective
    actions: ClassVar[Mapping[str, str]] = {"view": VIEW, "edit": EDIT}


class ActivityPolicy(ObjectPolicy[Activity]):
    """An activity is seen and changed with its plan; reading a confidential one is audited."""

    model = Activity
    actions: ClassVar[Mapping[str, str]] = {"view": VIEW, "edit": EDIT}
    denied_message = PlanPolicy.denied_message

    def organization_of(self, obj: Activity) -> Organization:
        return obj.plan.organization

    def can(self, access: Access, action: str, obj: Activity) -> bool:
        return PlanPolicy().can(access, action, obj.plan)

    def is_confidential(self, obj: Activity) -> bool:
        return obj.confidential
